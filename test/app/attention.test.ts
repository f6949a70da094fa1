import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../../src/infer/contract/modelCard';
import { makeNiftiHeader, writeNiftiFloat } from '../../src/infer/io/nifti';
import { Actions } from '../../src/app/actions';
import { levelMeaning } from '../../src/app/attentionText';
import type { ToWorker } from '../../src/app/protocol';
import { attentionReady, attentionRequested, createWorkbenchStore, segmentationDone, setAttentionLevel, setAttentionMode, setModels } from '../../src/app/state';

const card = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'fine-tiny.json'), 'utf8')) as ModelCard;

function setup() {
  const s = createWorkbenchStore();
  const a = new Actions(s);
  const sent: ToWorker[] = [];
  a.worker.send = (m: ToWorker) => { sent.push(m); };
  setModels(s, [{ url: '/models/fine-tiny.json', card }]);
  a.openBytes(writeNiftiFloat(new Float32Array(32), { dims: [4, 4, 2], header: makeNiftiHeader([4, 4, 2], [1, 1, 1]) }), 'a.nii');
  segmentationDone(s, new Uint8Array(32), card.labels, {});
  setAttentionMode(s, true);
  return { s, a, sent };
}

describe('attention a reader understands', () => {
  it('clicking the same voxel again asks for the map again', () => {
    const { a, sent } = setup();
    a.attention([1, 1, 1]);
    a.attention([1, 1, 1]);
    expect(sent.filter((m) => m.type === 'attention')).toHaveLength(2);
  });

  it('switching level takes down the other level\'s map and computes the new one for the same voxel', () => {
    const { s, a, sent } = setup();
    a.attention([1, 2, 0]);
    attentionReady(s, new Float32Array(32), 'window', [1, 2, 0]);
    expect(s.getState().heatOf?.level).toBe('window');
    a.attentionLevel('volume');
    expect(s.getState().heatMap).toBeNull();
    expect(sent.at(-1)).toEqual({ type: 'attention', voxel: [1, 2, 0], level: 'volume' });
    attentionReady(s, new Float32Array(32), 'volume', [1, 2, 0]);
    expect(s.getState().heatOf).toEqual({ level: 'volume', voxel: [1, 2, 0] });
  });

  it('a late map of an earlier level or voxel is dropped, so the map shown is the highlighted level', () => {
    const s = createWorkbenchStore();
    attentionRequested(s, [0, 0, 0], 'window');
    setAttentionLevel(s, 'global');
    attentionRequested(s, [0, 0, 0], 'global');
    attentionReady(s, new Float32Array(1), 'window', [0, 0, 0]);
    expect(s.getState().heatMap).toBeNull();
    attentionRequested(s, [3, 0, 0], 'global');
    attentionReady(s, new Float32Array(1), 'global', [0, 0, 0]);
    expect(s.getState().heatMap).toBeNull();
    attentionReady(s, new Float32Array(1), 'global', [3, 0, 0]);
    expect(s.getState().heatOf).toEqual({ level: 'global', voxel: [3, 0, 0] });
  });

  it('each level has one plain sentence with this model\'s sizes', () => {
    expect(levelMeaning('window', card)).toMatch(/^This voxel's own 4×4×4-token window \(\d+ × \d+ × \d+ mm\)/);
    expect(levelMeaning('global', card)).toContain('other windows of this crop');
    expect(levelMeaning('volume', card)).toContain('whole-body memory (3 × 3 cells of 96 × 96 mm');
    expect(levelMeaning('window', null)).toContain("voxel's own window");
  });
});
