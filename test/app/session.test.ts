import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';
import { DT_FLOAT32, DT_INT16 } from '../../src/infer/io/niftiHeader';
import type { EditSnapshot } from '../../src/app/editing/snapshot';
import { type EditSurface, SessionKeeper } from '../../src/app/session/keeper';
import { memoryStore } from '../../src/app/session/kv';
import { createWorkbenchStore, editHistoryChanged, labelsCorrected, segmentationDone, segmentationStarted, setLabelOpacity, startEditing, stopEditing, volumeLoaded } from '../../src/app/state';

const dims: [number, number, number] = [4, 3, 2];
function volume(datatype: number): NiftiVolume {
  const data = Float32Array.from({ length: 24 }, (_, i) => (datatype === DT_INT16 ? i * 10 - 100 : i + 0.5));
  return { dims, spacing: [1, 1, 2], data, affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1], datatype, header: makeNiftiHeader(dims, [1, 1, 2]), warnings: ['a reader warning'] };
}
const info = [{ id: 0, name: 'background', color: [0, 0, 0] as [number, number, number] }, { id: 1, name: 'liver', color: [200, 100, 100] as [number, number, number] }];
const labels = Uint8Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 1 : 0));

/** A viewer that records the correction put back. */
function fakeViewer(snapshot: EditSnapshot | null) {
  const restored: EditSnapshot[] = [];
  const v: EditSurface & { restored: EditSnapshot[] } = { shown: Promise.resolve(), editSnapshot: () => snapshot, restoreEdit: (s) => void restored.push(s), restored };
  return v;
}

const snap: EditSnapshot = {
  drawing: Uint8Array.from({ length: 24 }, (_, i) => (i < 5 ? 1 : 0)), undo: [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])], current: 1,
  history: { undo: 2, redo: 0, protectedVoxels: 3 }, drawnSlices: [[1, [{ axis: 2, index: 0 }, { axis: 2, index: 1 }]]],
};

async function sessionWithResult(datatype = DT_INT16) {
  const kv = memoryStore();
  const s = createWorkbenchStore();
  const keeper = new SessionKeeper(s, kv, () => fakeViewer(snap));
  await keeper.start();
  volumeLoaded(s, 'ct.nii.gz', volume(datatype));
  segmentationStarted(s, 'fine-small');
  segmentationDone(s, labels.slice(), info, { 1: 0.01 });
  await keeper.settled();
  return { kv, s, keeper };
}

describe('the work kept in the browser', () => {
  it('stores the volume once (int16 voxels as int16) and the result with each change', async () => {
    const { kv, s, keeper } = await sessionWithResult();
    const v = kv.data.get('volume') as { int16: boolean; chunks: number; nifti: NiftiVolume };
    expect([v.int16, v.chunks, v.nifti.data.length]).toEqual([true, 1, 0]);
    expect(kv.data.get('volume.0')).toEqual(Int16Array.from(volume(DT_INT16).data));
    expect((kv.data.get('result') as { resultModel: string }).resultModel).toBe('fine-small');
    expect(s.getState().sessionSaved.at).not.toBeNull();
    const stored = kv.data.get('volume');
    setLabelOpacity(s, 1, 0.3);
    await keeper.settled();
    expect(kv.data.get('volume')).toBe(stored); // not written again
    expect((kv.data.get('result') as { legend: Record<number, { opacity: number }> }).legend[1].opacity).toBe(0.3);
  });

  it('a restore overtaken by another scan stops without touching what is shown; a failed restore keeps the stored work', async () => {
    const { kv } = await sessionWithResult();
    const s2 = createWorkbenchStore();
    const k2 = new SessionKeeper(s2, kv, () => fakeViewer(null));
    await k2.start();
    await k2.restore(() => false);
    expect(s2.getState().volume).toBeNull();
    const failing: EditSurface = { shown: Promise.reject(new Error('viewer failed')), editSnapshot: () => null, restoreEdit: () => undefined };
    failing.shown.catch(() => undefined);
    const s3 = createWorkbenchStore();
    const k3 = new SessionKeeper(s3, kv, () => failing);
    await k3.start();
    await expect(k3.restore()).rejects.toThrow('viewer failed');
    expect(kv.data.has('result')).toBe(true);
    expect(kv.data.has('volume')).toBe(true);
  });

  it('a scaled int16 volume that does not fit int16 is stored as float32, exactly', async () => {
    const kv = memoryStore();
    const s = createWorkbenchStore();
    const keeper = new SessionKeeper(s, kv, () => null);
    await keeper.start();
    const v = volume(DT_INT16);
    v.data[0] = 0.5;
    volumeLoaded(s, 'scaled.nii.gz', v);
    segmentationDone(s, labels.slice(), info, {});
    await keeper.settled();
    expect((kv.data.get('volume') as { int16: boolean }).int16).toBe(false);
    expect(kv.data.get('volume.0')).toEqual(v.data);
  });

  it('after a reload offers the session, and restores volume, labels, model and the correction in progress exactly', async () => {
    const { kv, s, keeper } = await sessionWithResult(DT_FLOAT32);
    startEditing(s);
    editHistoryChanged(s, snap.history);
    await keeper.saveEditNow();
    expect(kv.data.has('edit')).toBe(true);

    const s2 = createWorkbenchStore();
    s2.setState({ models: [{ url: '/models/fine-small.json', card: { name: 'fine-small', labels: info } as never }] });
    const viewer = fakeViewer(null);
    const keeper2 = new SessionKeeper(s2, kv, () => viewer);
    await keeper2.start();
    expect(s2.getState().restoreOffer).toMatchObject({ volumeName: 'ct.nii.gz', model: 'fine-small', corrections: 0, edits: 2 });
    await keeper2.restore();
    const st = s2.getState();
    expect(st.restoreOffer).toBeNull();
    expect(st.volume?.name).toBe('ct.nii.gz');
    expect(Array.from(st.volume!.nifti.data)).toEqual(Array.from(volume(DT_FLOAT32).data));
    expect(st.warnings).toEqual(['a reader warning']);
    expect(Array.from(st.labels!)).toEqual(Array.from(labels));
    expect([st.status, st.resultModel, st.selectedModel, st.editing]).toEqual(['done', 'fine-small', 'fine-small', true]);
    expect(viewer.restored).toHaveLength(1);
    expect(Array.from(viewer.restored[0].drawing)).toEqual(Array.from(snap.drawing));
    expect(viewer.restored[0].history).toEqual(snap.history);
    expect(viewer.restored[0].drawnSlices).toEqual(snap.drawnSlices);
  });

  it('a saved correction replaces the result and ends the stored correction; a new result replaces an unrestored session', async () => {
    const { kv, s, keeper } = await sessionWithResult();
    startEditing(s);
    editHistoryChanged(s, snap.history);
    await keeper.saveEditNow();
    const corrected = labels.map((v) => 1 - v);
    labelsCorrected(s, corrected);
    await keeper.settled();
    expect(kv.data.has('edit')).toBe(false);
    expect(Array.from((kv.data.get('result') as { labels: Uint8Array }).labels)).toEqual(Array.from(corrected));
    expect((kv.data.get('result') as { corrections: number }).corrections).toBe(1);
    // The model's own labels are kept beside the correction (teaching the model needs both) and come back.
    const sr = createWorkbenchStore();
    const kr = new SessionKeeper(sr, kv, () => fakeViewer(null));
    await kr.start();
    await kr.restore();
    expect(Array.from(sr.getState().labels!)).toEqual(Array.from(corrected));
    expect(Array.from(sr.getState().modelLabels!)).toEqual(Array.from(labels));

    const s2 = createWorkbenchStore();
    const keeper2 = new SessionKeeper(s2, kv, () => fakeViewer(null));
    await keeper2.start();
    expect(s2.getState().restoreOffer?.corrections).toBe(1);
    volumeLoaded(s2, 'other.nii.gz', volume(DT_INT16));
    segmentationStarted(s2, 'unet-tiny');
    segmentationDone(s2, labels.slice(), info, {});
    await keeper2.settled();
    expect(s2.getState().restoreOffer).toBeNull();
    expect((kv.data.get('result') as { volumeName: string }).volumeName).toBe('other.nii.gz');
  });

  it('a large volume is stored in pieces and comes back whole; a smaller one after it leaves no stale piece', async () => {
    const kv = memoryStore();
    const s = createWorkbenchStore();
    const keeper = new SessionKeeper(s, kv, () => null);
    await keeper.start();
    const big: [number, number, number] = [256, 128, 130];
    const n = big[0] * big[1] * big[2];
    const data = Float32Array.from({ length: n }, (_, i) => (i % 4001) - 1000);
    volumeLoaded(s, 'big.nii.gz', { ...volume(DT_INT16), dims: big, data, header: makeNiftiHeader(big, [1, 1, 2]) });
    segmentationDone(s, new Uint8Array(n), info, {});
    await keeper.settled();
    expect([...kv.data.keys()].filter((k) => k.startsWith('volume.')).sort()).toEqual(['volume.0', 'volume.1']);
    const s2 = createWorkbenchStore();
    const k2 = new SessionKeeper(s2, kv, () => null);
    await k2.start();
    await k2.restore();
    const back = s2.getState().volume!.nifti.data;
    let differ = back.length === data.length ? 0 : -1;
    for (let i = 0; i < data.length && differ >= 0; i++) if (back[i] !== data[i]) differ++;
    expect(differ).toBe(0);
    volumeLoaded(s2, 'small.nii.gz', volume(DT_INT16));
    segmentationDone(s2, labels.slice(), info, {});
    await k2.settled();
    expect([...kv.data.keys()].filter((k) => k.startsWith('volume.'))).toEqual(['volume.0']);
  });

  it('stopping a correction forgets it; discard forgets everything; an incomplete session is one line and discarded', async () => {
    const { kv, s, keeper } = await sessionWithResult();
    startEditing(s);
    editHistoryChanged(s, snap.history);
    await keeper.saveEditNow();
    stopEditing(s);
    await keeper.settled();
    expect(kv.data.has('edit')).toBe(false);
    await keeper.discard();
    expect([...kv.data.keys()]).toEqual([]);

    // A result without its volume (a save cut short): not offered, and cleared.
    const broken = memoryStore();
    const stale = { volumeId: 'x', savedAt: new Date().toISOString(), volumeName: 'a', resultModel: null, corrections: 0 };
    await broken.put('result', stale);
    await broken.put('volume.3', new Int16Array(4));
    const s2 = createWorkbenchStore();
    const k2 = new SessionKeeper(s2, broken, () => null);
    await k2.start();
    expect(s2.getState().restoreOffer).toBeNull();
    expect(broken.data.size).toBe(0);
    await broken.put('result', stale);
    await expect(k2.restore()).rejects.toThrow(/incomplete \(its volume is missing\)/);
    expect(broken.data.size).toBe(0);
  });
});
