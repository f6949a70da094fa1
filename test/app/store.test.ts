import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';
import type { ModelCard } from '../../src/infer/contract/modelCard';
import {
  createWorkbenchStore, dismissError, failed, labelHistogram, progressed, segmentationCancelled, segmentationDone, segmentationStarted,
  selectModel, selectedCard, setAttentionMode, setLabelOpacity, setLabelVisible, setModels, setReferenceDice, setShowDisagreement, volumeLoaded, attentionReady, startEditing, labelsCorrected, stopEditing, comparisonDone, diceScored, hd95Progressed, referenceScored, toggleLock, lockAllButPen, filledBetween, editHistoryChanged, setEditPen, volumeChecked,
} from '../../src/app/state';
import { analyse } from '../../src/app/analysis';

function volume(): NiftiVolume {
  return { dims: [2, 2, 1], spacing: [1, 1, 2], data: new Float32Array(4), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1], datatype: 16, header: makeNiftiHeader([2, 2, 1], [1, 1, 2]), warnings: [] };
}

const card = (name: string) =>
  ({ name, labels: [{ id: 0, name: 'background', color: [0, 0, 0] }, { id: 1, name: 'liver', color: [200, 100, 100] }] }) as unknown as ModelCard;

describe('workbench store', () => {
  it('starts idle with nothing loaded', () => {
    const s = createWorkbenchStore();
    expect(s.getState().status).toBe('idle');
    expect(s.getState().volume).toBeNull();
  });

  it('loads a volume and clears a previous result', () => {
    const s = createWorkbenchStore();
    segmentationDone(s, new Uint8Array(4), card('a').labels, { 1: 0 });
    volumeLoaded(s, 'ct.nii', volume());
    const st = s.getState();
    expect(st.volume?.dims).toEqual([2, 2, 1]);
    expect(st.labels).toBeNull();
    expect(st.status).toBe('idle');
  });

  it('selects the first model, keeps a valid selection, rejects unknown names', () => {
    const s = createWorkbenchStore();
    setModels(s, [{ url: '/models/a.json', card: card('a') }, { url: '/models/b.json', card: card('b') }]);
    expect(s.getState().selectedModel).toBe('a');
    selectModel(s, 'b');
    setModels(s, [{ url: '/models/a.json', card: card('a') }, { url: '/models/b.json', card: card('b') }]);
    expect(selectedCard(s.getState())?.url).toBe('/models/b.json');
    selectModel(s, 'zzz');
    expect(s.getState().status).toBe('error');
    expect(s.getState().error).toContain('available: a, b');
  });

  it('tracks progress with an ETA from the tile rate', () => {
    const s = createWorkbenchStore();
    segmentationStarted(s);
    expect(s.getState().status).toBe('running');
    progressed(s, 2, 10, 4);
    expect(s.getState().progress).toEqual({ done: 2, total: 10, etaSeconds: 16 });
  });

  it('finishes with a legend for every non-background label', () => {
    const s = createWorkbenchStore();
    segmentationStarted(s);
    progressed(s, 3, 3, 1);
    segmentationDone(s, Uint8Array.from([0, 1, 1, 0]), card('a').labels, { 0: 0, 1: 0.004 });
    const st = s.getState();
    expect(st.status).toBe('done');
    expect(Object.keys(st.legend)).toEqual(['1']);
    setLabelVisible(s, 1, false);
    setLabelOpacity(s, 1, 3);
    expect(s.getState().legend[1]).toEqual({ visible: false, opacity: 1 });
    setLabelOpacity(s, 7, 0.5);
    expect(s.getState().legend[7]).toBeUndefined();
  });

  it('cancels back to idle and reports errors that can be dismissed', () => {
    const s = createWorkbenchStore();
    segmentationStarted(s);
    segmentationCancelled(s);
    expect(s.getState().status).toBe('idle');
    failed(s, 'boom');
    expect(s.getState()).toMatchObject({ status: 'error', error: 'boom' });
    dismissError(s);
    expect(s.getState()).toMatchObject({ status: 'idle', error: null });
  });

  it('clears the heat map when attention mode is switched off', () => {
    const s = createWorkbenchStore();
    setAttentionMode(s, true);
    attentionReady(s, new Float32Array(4), 'window', [0, 0, 0]);
    expect(s.getState().heatOf).toEqual({ level: 'window', voxel: [0, 0, 0] });
    setAttentionMode(s, false);
    expect(s.getState().heatMap).toBeNull();
    expect(s.getState().heatOf).toBeNull();
  });

  it('stores the reference Dice table', () => {
    const s = createWorkbenchStore();
    setReferenceDice(s, 'ref.nii.gz', [{ id: 1, name: 'liver', dice: 0.9, hd95: 2, inRef: true, inPred: true }]);
    expect(s.getState().dice?.[0].dice).toBe(0.9);
    setShowDisagreement(s, true);
    expect(s.getState().showDisagreement).toBe(false); // nothing to show without a disagreement map
    setReferenceDice(s, 'ref.nii.gz', [], { map: new Uint8Array(3), counts: { falsePositive: 0, falseNegative: 0, wrongOrgan: 0, notScored: 0 } });
    setShowDisagreement(s, true);
    expect(s.getState().showDisagreement).toBe(true);
    setReferenceDice(s, 'other.nii.gz', [], null);
    expect(s.getState().showDisagreement).toBe(false);
  });

  it('label correction: starts on a result only, replaces the labels and recounts the volumes, drops the stale reference', () => {
    const s = createWorkbenchStore();
    startEditing(s);
    expect(s.getState().editing).toBe(false); // no result yet
    volumeLoaded(s, 'ct.nii', volume());
    segmentationDone(s, Uint8Array.from([0, 1, 1, 0]), card('a').labels, { 1: 0.004 });
    setReferenceDice(s, 'ref.nii.gz', [], { map: new Uint8Array(4), counts: { falsePositive: 0, falseNegative: 0, wrongOrgan: 0, notScored: 0 } });
    startEditing(s);
    expect(s.getState().editing).toBe(true);
    expect(s.getState().editPen.label).toBe(1);
    stopEditing(s);
    expect(s.getState().labels).toEqual(Uint8Array.from([0, 1, 1, 0]));
    startEditing(s);
    labelsCorrected(s, Uint8Array.from([1, 1, 1, 0]));
    const st = s.getState();
    expect(st.editing).toBe(false);
    expect(st.corrections).toBe(1);
    expect(st.volumesMl[1]).toBeCloseTo(0.006); // 3 voxels of 2 mm³
    expect(st.disagreement).toBeNull();
    expect(() => labelsCorrected(s, new Uint8Array(3))).toThrow(/3 voxels, the volume has 4/);
    segmentationStarted(s);
    expect(s.getState().corrections).toBe(0);
  });

  it('comparing two models: the second result is scored against the first as a reference', async () => {
    const s = createWorkbenchStore();
    volumeLoaded(s, 'ct.nii', volume());
    segmentationStarted(s, 'a');
    segmentationDone(s, Uint8Array.from([0, 1, 1, 0]), card('a').labels, {});
    expect(s.getState().resultModel).toBe('a');
    s.setState({ compareBase: { model: 'a', labels: s.getState().labels! } });
    segmentationStarted(s, 'b');
    segmentationDone(s, Uint8Array.from([0, 1, 0, 1]), card('a').labels, {});
    const base = comparisonDone(s);
    expect(base?.name).toBe("a's result");
    expect(s.getState()).toMatchObject({ referenceName: "a's result", analysis: { done: 0, total: 0 }, compareBase: null });
    // The worker scores it (analysis.ts); its replies fill the table, then the map, shown at once.
    const v = s.getState().volume!.nifti;
    const done = await analyse(s.getState().labels!, base!.labels, v, card('a').labels, { dice: (rows) => diceScored(s, rows), progress: (d, t) => hd95Progressed(s, d, t) });
    expect(s.getState().analysis).toEqual({ done: 1, total: 1 });
    referenceScored(s, done.rows, done.disagreement, true);
    const st = s.getState();
    expect(st.resultModel).toBe('b');
    expect(st.referenceName).toBe("a's result");
    expect(st.dice?.[0].dice).toBeCloseTo(0.5);
    expect(st.disagreement?.counts).toEqual({ falsePositive: 1, falseNegative: 1, wrongOrgan: 0, notScored: 0 });
    expect(st.showDisagreement).toBe(true);
    expect(st.compareBase).toBeNull();
  });

  it('builds a label histogram up to the largest label present', () => {
    expect(labelHistogram(Uint8Array.from([0, 0, 2, 2, 2]))).toEqual([2, 0, 3]);
  });
});

describe('label correction rules', () => {
  const labels = [{ id: 0, name: 'background', color: [0, 0, 0] }, { id: 1, name: 'liver', color: [200, 100, 100] }, { id: 2, name: 'spleen', color: [100, 0, 200] }, { id: 3, name: 'aorta', color: [250, 0, 0] }] as ModelCard['labels'];

  it('opens the correction tab, protects labels one by one or all but the pen\'s, and says what a fill did', () => {
    const s = createWorkbenchStore();
    volumeLoaded(s, 'ct.nii', volume());
    segmentationDone(s, new Uint8Array(4), labels, {});
    expect(s.getState().panelTab).toBe('analysis');
    startEditing(s);
    expect(s.getState()).toMatchObject({ editing: true, panelTab: 'edit' });
    toggleLock(s, 3);
    toggleLock(s, 1);
    expect(s.getState().editRules.locked).toEqual([1, 3]);
    toggleLock(s, 3);
    expect(s.getState().editRules.locked).toEqual([1]);
    setEditPen(s, { label: 2, fill: false, size: 1 });
    lockAllButPen(s);
    expect(s.getState().editRules.locked).toEqual([1, 3]);
    filledBetween(s, 'spleen', { changed: 0, slices: [4] });
    expect(s.getState().fillNote).toMatch(/^Draw spleen on two slices/);
    filledBetween(s, 'spleen', { changed: 1234, slices: [4, 10, 12] });
    expect(s.getState().fillNote).toBe('Filled spleen on the 6 slices between the 3 drawn: 1,234 voxels changed.');
    // A new result starts a new correction history; the rules stay, as the pen does.
    editHistoryChanged(s, { undo: 2, redo: 1, protectedVoxels: 0 });
    segmentationStarted(s, 'a');
    expect(s.getState()).toMatchObject({ editing: false, editHistory: { undo: 0, redo: 0 }, fillNote: null, editRules: { locked: [1, 3] } });
  });
});

describe('checks on load', () => {
  it('shows the checks of the volume shown only, and a run does not repeat them', () => {
    const s = createWorkbenchStore();
    volumeLoaded(s, 'a.nii', volume());
    const first = s.getState().volume!;
    volumeChecked(s, first, ['thin slab']);
    expect(s.getState().volumeChecks).toEqual(['thin slab']);
    segmentationStarted(s, 'a');
    segmentationDone(s, new Uint8Array(4), card('a').labels, {}, ['thin slab', 'organ missing']);
    expect(s.getState().resultWarnings).toEqual(['organ missing']);
    volumeLoaded(s, 'b.nii', volume());
    expect(s.getState().volumeChecks).toEqual([]);
    // A check of the volume that was replaced meanwhile is dropped.
    volumeChecked(s, first, ['stale']);
    expect(s.getState().volumeChecks).toEqual([]);
  });
});
