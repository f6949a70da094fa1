import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type Vec3, writeNiftiFloat } from '../../src/infer/io/nifti';
import type { ModelCard } from '../../src/infer/contract/modelCard';
import { Actions } from '../../src/app/actions';
import { analyse } from '../../src/app/analysis';
import type { FromWorker, ToWorker } from '../../src/app/protocol';
import { adapterProbed, createWorkbenchStore, setModels, setSegmentAnyway } from '../../src/app/state';

/** A small CT-like volume (a ramp of HU values); `labelMap` makes it a label map (0 and 1) instead. */
const niftiFile = (name: string, dims: Vec3, labelMap = false) => {
  const n = dims[0] * dims[1] * dims[2];
  const data = Float32Array.from({ length: n }, (_, i) => (labelMap ? i % 2 : -1000 + (1500 * i) / n));
  return new File([writeNiftiFloat(data, { dims, header: makeNiftiHeader(dims, [1, 1, 1]) }).slice().buffer], name);
};
const card = { name: 'm', training: { data: ['caseA'] }, labels: [{ id: 0, name: 'background', color: [0, 0, 0] }, { id: 1, name: 'liver', color: [1, 2, 3] }] } as unknown as ModelCard;

/** Actions over a fresh store with the worker replaced by a recorder; `reply` plays the worker's side. */
function setup() {
  const s = createWorkbenchStore();
  const a = new Actions(s);
  const sent: ToWorker[] = [];
  a.worker.send = (m: ToWorker) => {
    if (m.type === 'segment') (a.worker as unknown as { currentRun: number }).currentRun = m.runId;
    sent.push(m);
  };
  const reply = (m: FromWorker) => (a.worker as unknown as { receive(m: FromWorker): void }).receive(m);
  setModels(s, [{ url: '/models/m.json', card }]);
  return { s, a, sent, reply };
}

/** Answers the last 'compare' sent, as the worker does (analysis.ts on the open volume's grid). */
async function answerCompare(sent: ToWorker[], reply: (m: FromWorker) => void): Promise<void> {
  const m = sent.filter((x) => x.type === 'compare').pop();
  const open = sent.filter((x) => x.type === 'open').pop();
  if (m?.type !== 'compare' || open?.type !== 'open') throw new Error('no comparison was asked for');
  const done = await analyse(m.pred, m.ref, open.volume, m.labelInfo, {
    dice: (rows) => reply({ type: 'compareDice', compareId: m.compareId, rows }),
    progress: (d, total) => reply({ type: 'compareProgress', compareId: m.compareId, done: d, total }),
  });
  reply({ type: 'compareDone', compareId: m.compareId, ...done });
}

describe('a drop during a run', () => {
  it('keeps the run (Cancel on, Segment off) while the file is read, then cancels it and shows the new volume', async () => {
    const { s, a, sent, reply } = setup();
    await a.openFile(niftiFile('first.nii', [4, 4, 2]));
    a.segment();
    expect(s.getState().status).toBe('running');
    reply({ type: 'progress', runId: 1, done: 1, total: 4, elapsedSeconds: 1 });
    const reading = a.openFile(niftiFile('second.nii', [6, 4, 2]));
    expect(s.getState().status).toBe('running');
    expect(s.getState().error).toBeNull();
    await reading;
    // The run is cancelled, then the new volume goes to the worker (once), and the next run names it.
    expect(sent.slice(-2).map((m) => m.type)).toEqual(['cancel', 'open']);
    expect(sent.at(-1)).toMatchObject({ type: 'open', volumeId: 2, volume: { dims: [6, 4, 2] } });
    expect(s.getState()).toMatchObject({ status: 'idle', error: null, volume: { name: 'second.nii', dims: [6, 4, 2] }, labels: null });
    // What the cancelled run still sends is ignored: no labels of the old volume over the new one.
    reply({ type: 'progress', runId: 1, done: 2, total: 4, elapsedSeconds: 2 });
    reply({ type: 'done', runId: 1, labelInfo: card.labels, labels: new Uint8Array(32), volumesMl: {}, seconds: 1, tiles: 4, warnings: [], provider: 'wasm' });
    reply({ type: 'cancelled', runId: 1, message: 'cancelled' });
    expect(s.getState()).toMatchObject({ status: 'idle', labels: null, progress: { done: 0, total: 0 } });
    a.segment();
    expect(sent.at(-1)).toMatchObject({ type: 'segment', runId: 2, volumeId: 2 });
    reply({ type: 'done', runId: 2, labelInfo: card.labels, labels: new Uint8Array(48), volumesMl: {}, seconds: 1, tiles: 1, warnings: [], provider: 'wasm' });
    expect(s.getState().status).toBe('done');
  });

  it('a file that does not read leaves the run going, with the message shown', async () => {
    const { s, a, sent, reply } = setup();
    await a.openFile(niftiFile('first.nii', [4, 4, 2]));
    a.segment();
    await a.openFile(new File([new Uint8Array(400).fill(7)], 'junk.nii'));
    expect(s.getState().status).toBe('running');
    expect(s.getState().error).toContain('junk.nii');
    expect(s.getState().volume?.name).toBe('first.nii');
    expect(sent.filter((m) => m.type === 'cancel')).toHaveLength(0);
    reply({ type: 'done', runId: 1, labelInfo: card.labels, labels: new Uint8Array(32), volumesMl: {}, seconds: 1, tiles: 1, warnings: [], provider: 'wasm' });
    expect(s.getState().status).toBe('done');
  });

  it('of two quick drops, the later one wins even if the earlier finishes reading last', async () => {
    const { s, a } = setup();
    let release!: () => void;
    const slow = niftiFile('slow.nii', [4, 4, 2]);
    const gate = new Promise<void>((r) => { release = r; });
    const read = slow.arrayBuffer.bind(slow);
    slow.arrayBuffer = async () => { await gate; return read(); };
    const first = a.openFile(slow);
    await a.openFile(niftiFile('fast.nii', [6, 4, 2]));
    release();
    await first;
    expect(s.getState().volume?.name).toBe('fast.nii');
  });

  it('a failed run ends the run; a failed attention map does not end a running one', () => {
    const { s, a, reply } = setup();
    a.openBytes(writeNiftiFloat(Float32Array.from({ length: 32 }, (_, i) => i - 0.5), { dims: [4, 4, 2], header: makeNiftiHeader([4, 4, 2], [1, 1, 1]) }), 'a.nii');
    a.segment();
    reply({ type: 'error', message: 'release failed', during: 'release' });
    expect(s.getState()).toMatchObject({ status: 'running', error: 'release failed' });
    reply({ type: 'error', message: 'out of memory', during: 'segmentation', runId: 1 });
    expect(s.getState()).toMatchObject({ status: 'error', error: 'out of memory' });
  });
});

describe('inference switches', () => {
  it('send the card default for mirroring until the user chooses, and the post-processing choice', async () => {
    const { s, a, sent, reply } = setup();
    await a.openFile(niftiFile('ct.nii', [4, 4, 2]));
    a.segment();
    const first = sent.find((m) => m.type === 'segment');
    expect(first).toMatchObject({ mirror: undefined, postprocess: true });
    reply({ type: 'progress', runId: 1, done: 3, total: 8, elapsedSeconds: 1 });
    reply({ type: 'cancelled', runId: 1, message: 'stop' });
    // A cancelled run says so, and where it stopped; the next run clears the note.
    expect(s.getState().runNote).toMatch(/^Segmentation cancelled after 3 of 8 tiles; no labels were kept/);
    a.chooseInference({ mirror: true, postprocess: false });
    a.segment();
    const second = sent.filter((m) => m.type === 'segment')[1];
    expect(second).toMatchObject({ mirror: true, postprocess: false });
    expect(s.getState().runNote).toBeNull();
  });
});

describe('warming the session', () => {
  it('asks the worker for the model\'s session once a volume and a model are chosen, not again for the same pair', async () => {
    const { s, a, sent } = setup();
    adapterProbed(s, null);
    await a.openFile(niftiFile('ct.nii', [4, 4, 2]));
    const warms = () => sent.filter((m) => m.type === 'warm');
    expect(warms()).toHaveLength(1);
    expect(warms()[0]).toMatchObject({ card: { name: 'm' }, cardUrl: '/models/m.json', provider: 'wasm' });
    s.setState({ inference: { mirror: true, postprocess: true } });
    expect(warms()).toHaveLength(1);
    await a.openFile(niftiFile('other.nii', [4, 4, 2]));
    expect(warms()).toHaveLength(2);
  });
});

describe('a label map dropped as a CT', () => {
  it('over the scan it belongs to, it is held and offered as the reference, not opened over the CT', async () => {
    const { s, a, sent, reply } = setup();
    await a.openFile(niftiFile('ct.nii', [4, 4, 2]));
    expect(s.getState().volume?.labelMapValues).toBeNull();
    await a.openFile(niftiFile('ct_seg.nii', [4, 4, 2], true));
    expect(s.getState().volume?.name).toBe('ct.nii');
    expect(s.getState().pendingLabelMap).toMatchObject({ name: 'ct_seg.nii', values: 2 });
    expect(sent.filter((m) => m.type === 'open')).toHaveLength(1);
    // With a result, it becomes the reference: the Dice table and the disagreement map.
    a.segment();
    reply({ type: 'done', runId: 1, labelInfo: card.labels, labels: Uint8Array.from({ length: 32 }, (_, i) => i % 2), volumesMl: {}, seconds: 1, tiles: 1, warnings: [], provider: 'wasm' });
    a.usePendingAsReference();
    expect(s.getState()).toMatchObject({ pendingLabelMap: null, referenceName: 'ct_seg.nii', error: null, analysis: { done: 0, total: 0 }, dice: null });
    await answerCompare(sent, reply);
    expect(s.getState().dice?.find((r) => r.name === 'liver')?.dice).toBe(1);
    expect(s.getState()).toMatchObject({ analysis: null, showDisagreement: false });
    expect(s.getState().disagreement?.counts).toEqual({ falsePositive: 0, falseNegative: 0, wrongOrgan: 0, notScored: 0 });
  });

  it('opened as a volume, it is not segmented until the user says so', async () => {
    const { s, a, sent } = setup();
    await a.openFile(niftiFile('ct.nii', [4, 4, 2]));
    await a.openFile(niftiFile('other_seg.nii', [4, 4, 2], true));
    a.openPendingAsVolume();
    expect(s.getState().volume).toMatchObject({ name: 'other_seg.nii', labelMapValues: 2 });
    a.segment();
    expect(s.getState().status).toBe('error');
    expect(s.getState().error).toMatch(/looks like a label map, not a CT. Tick "segment it anyway"/);
    expect(sent.filter((m) => m.type === 'segment')).toHaveLength(0);
    setSegmentAnyway(s, true);
    a.segment();
    expect(sent.filter((m) => m.type === 'segment')).toHaveLength(1);
  });

  it('dropped with no scan shown (or on another grid), it opens, flagged, and still needs the choice', async () => {
    const { s, a, sent } = setup();
    await a.openFile(niftiFile('seg.nii', [4, 4, 2], true));
    expect(s.getState().volume?.labelMapValues).toBe(2);
    await a.openFile(niftiFile('seg2.nii', [6, 4, 2], true));
    expect(s.getState()).toMatchObject({ pendingLabelMap: null, volume: { name: 'seg2.nii', labelMapValues: 2 } });
    a.segment();
    expect(sent.filter((m) => m.type === 'segment')).toHaveLength(0);
  });
});

describe('checks on load', () => {
  it('a volume is checked against the model when it opens; a check that cannot run says so instead of throwing', async () => {
    const { s, a } = setup();
    await a.openFile(niftiFile('slab.nii', [4, 4, 2]));
    await new Promise((r) => setTimeout(r, 10));
    // This card has no grid (spacing): the checks cannot run, and the volume says so in one line.
    expect(s.getState().volumeChecks).toEqual([expect.stringMatching(/^the checks before a run could not be made: /)]);
    const good = { ...card, spacing: [1, 1, 1], patchSize: [32, 32, 32] } as unknown as ModelCard;
    setModels(s, [{ url: '/models/m.json', card: good }]);
    await a.openFile(niftiFile('slab2.nii', [4, 4, 2]));
    await new Promise((r) => setTimeout(r, 10));
    expect(s.getState().volumeChecks.some((w) => w.startsWith('the scan covers only 2 mm head-foot'))).toBe(true);
  });
});
