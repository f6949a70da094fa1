import { describe, expect, it } from 'vitest';
import { attentionInitial } from '../../src/app/state/attention';
import { catalogueInitial } from '../../src/app/state/catalogue';
import { displayInitial } from '../../src/app/state/display';
import { resultInitial } from '../../src/app/state/result';
import { reviewInitial } from '../../src/app/state/review';
import { runInitial } from '../../src/app/state/run';
import { createWorkbenchStore, initialState, segmentationDone, segmentationStarted, setAttentionMode, attentionRequested, attentionReady, setReferenceDice } from '../../src/app/state';
import { volumeInitial } from '../../src/app/state/volume';
import { archiveInitial } from '../../src/app/state/archive';
import { sessionInitial } from '../../src/app/state/session';
import { adaptInitial } from '../../src/app/state/adapt';

const slices = { volume: volumeInitial, catalogue: catalogueInitial, run: runInitial, result: resultInitial, attention: attentionInitial, review: reviewInitial, display: displayInitial, archive: archiveInitial, session: sessionInitial, adapt: adaptInitial };

describe('the store in slices', () => {
  it('every field belongs to exactly one slice', () => {
    const owner = new Map<string, string>();
    for (const [slice, init] of Object.entries(slices)) for (const k of Object.keys(init)) {
      expect(owner.get(k), `${k} is in ${owner.get(k)} and ${slice}`).toBeUndefined();
      owner.set(k, slice);
    }
    expect([...owner.keys()].sort()).toEqual(Object.keys(initialState).sort());
  });

  it('a new run clears the result, the heat map and the comparison, and keeps the legend and the pen', () => {
    const s = createWorkbenchStore();
    const info = [{ id: 0, name: 'background', color: [0, 0, 0] as [number, number, number] }, { id: 1, name: 'liver', color: [1, 2, 3] as [number, number, number] }];
    segmentationDone(s, new Uint8Array(4), info, { 1: 2 });
    setAttentionMode(s, true);
    attentionRequested(s, [0, 0, 0], 'window');
    attentionReady(s, new Float32Array(4), 'window', [0, 0, 0]);
    setReferenceDice(s, 'ref', []);
    s.setState({ editPen: { label: 1, fill: true, size: 5 } });
    segmentationStarted(s, 'm');
    const st = s.getState();
    expect([st.labels, st.heatMap, st.referenceName, st.dice, st.resultModel]).toEqual([null, null, null, null, null]);
    expect(st.legend[1]).toEqual({ visible: true, opacity: 0.6 });
    expect(st.editPen).toEqual({ label: 1, fill: true, size: 5 });
    expect(st.attentionMode).toBe(true);
    expect(st.status).toBe('running');
  });
});
