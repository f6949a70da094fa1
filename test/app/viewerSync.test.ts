import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';
import {
  createWorkbenchStore, segmentationDone, setCtWindow, setLabelOpacity, setReferenceDice, setShowDisagreement, startEditing, setEditPen, stopEditing, toggleLock, editHistoryChanged, attentionReady, setAttentionMode, volumeLoaded, setLayout,
} from '../../src/app/state';
import { type ViewerSurface, syncViewer } from '../../src/app/viewerSync';
import { CT_WINDOWS } from '../../src/app/ctWindow';

/** A viewer that records the calls it gets. */
function recorder(): { v: ViewerSurface; calls: string[] } {
  const calls: string[] = [];
  const rec = (name: string) => (..._args: unknown[]) => {
    calls.push(name);
  };
  const v = {
    showVolume: async () => void calls.push('showVolume'),
    softwareRenderer: () => true,
    ...Object.fromEntries(['setWindow', 'setView3d', 'setLayout', 'setRadiological', 'showLabels', 'clearLabels', 'updateLegend', 'startEditing', 'stopEditing', 'setPen', 'setEditRules', 'showHeat', 'clearHeat'].map((n) => [n, rec(n)])),
  } as unknown as ViewerSurface;
  return { v, calls };
}

const volume = (): NiftiVolume => ({ dims: [2, 2, 1], spacing: [1, 1, 1], data: new Float32Array(4), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], datatype: 16, header: makeNiftiHeader([2, 2, 1], [1, 1, 1]), warnings: [] });
const info = [{ id: 0, name: 'background', color: [0, 0, 0] as [number, number, number] }, { id: 1, name: 'liver', color: [1, 2, 3] as [number, number, number] }];

describe('viewer sync: each store change becomes the fewest viewer calls', () => {
  it('a volume, then labels, a legend change, a window change, the disagreement map, editing and a heat map', async () => {
    const s = createWorkbenchStore();
    const { v, calls } = recorder();
    const stop = await syncViewer(s, v, (m) => calls.push(`error: ${m}`));
    expect(s.getState().softwareGl).toBe(true);
    const step = (f: () => void): string[] => {
      calls.length = 0;
      f();
      return [...calls];
    };
    expect(step(() => volumeLoaded(s, 'ct.nii', volume()))).toEqual(['showVolume']);
    expect(step(() => segmentationDone(s, new Uint8Array([0, 1, 1, 0]), info, { 1: 0.002 }))).toEqual(['showLabels']);
    expect(step(() => setLabelOpacity(s, 1, 0.2))).toEqual(['updateLegend']);
    expect(step(() => setCtWindow(s, CT_WINDOWS.lung))).toEqual(['setWindow']);
    expect(step(() => setLayout(s, 'axial'))).toEqual(['setLayout']);
    expect(step(() => setReferenceDice(s, 'ref', [], { map: new Uint8Array(4), counts: { falsePositive: 0, falseNegative: 0, wrongOrgan: 0, notScored: 0 } } as never))).toEqual([]);
    expect(step(() => setShowDisagreement(s, true))).toEqual(['showLabels']);
    expect(step(() => setLabelOpacity(s, 1, 0.3))).toEqual([]); // the legend does not recolour the disagreement map
    expect(step(() => startEditing(s))).toEqual(['startEditing']);
    expect(step(() => setEditPen(s, { label: 1, fill: true, size: 3 }))).toEqual(['setPen']);
    expect(step(() => toggleLock(s, 2))).toEqual(['setEditRules']);
    expect(step(() => editHistoryChanged(s, { undo: 1, redo: 0, protectedVoxels: 3 }))).toEqual([]);
    expect(step(() => stopEditing(s))).toEqual(['stopEditing', 'showLabels']);
    expect(step(() => {
      setAttentionMode(s, true);
      attentionReady(s, new Float32Array(4), 'window', [0, 0, 0]);
    })).toEqual(['showHeat']);
    expect(step(() => setAttentionMode(s, false))).toEqual(['clearHeat']);
    stop();
    expect(step(() => setCtWindow(s, CT_WINDOWS.abdomen))).toEqual([]);
  });

  it('a viewer that attaches late shows what is already there; a failure becomes one message', async () => {
    const s = createWorkbenchStore();
    volumeLoaded(s, 'ct.nii', volume());
    segmentationDone(s, new Uint8Array(4), info, {});
    const { v, calls } = recorder();
    const errors: string[] = [];
    await syncViewer(s, { ...v, setWindow: () => { throw new Error('context lost'); } }, (m) => errors.push(m));
    expect(calls).toEqual(['setRadiological', 'setLayout', 'showVolume', 'showLabels']);
    setCtWindow(s, CT_WINDOWS.bone);
    expect(errors).toEqual(['Viewer: context lost']);
  });
});

describe('layouts and slice numbers', () => {
  it('the layout key steps through every layout and back; the slice number counts from 1 along the third axis', async () => {
    const { VIEW_LAYOUTS, nextLayout, sliceNumber, cursorMoved } = await import('../../src/app/state');
    const { handleKey } = await import('../../src/app/shortcuts');
    const s = createWorkbenchStore();
    const seen: string[] = [];
    for (let i = 0; i < VIEW_LAYOUTS.length; i++) {
      seen.push(s.getState().layout);
      handleKey({ key: 'l', ctrlKey: false, metaKey: false, altKey: false, target: null }, s, {} as never);
    }
    expect(seen).toEqual([...VIEW_LAYOUTS]);
    expect(s.getState().layout).toBe('auto');
    expect(nextLayout('sagittal')).toBe('auto');
    expect(sliceNumber(s.getState())).toBeNull();
    volumeLoaded(s, 'ct.nii', { ...volume(), dims: [2, 2, 5], data: new Float32Array(20) });
    cursorMoved(s, { mm: [0, 0, 0], vox: [1, 0, 4], hu: 0 });
    expect(sliceNumber(s.getState())).toEqual({ slice: 5, of: 5 });
    cursorMoved(s, { mm: [0, 0, 0], vox: [1, 0, 5], hu: 0 });
    expect(sliceNumber(s.getState())).toBeNull();
  });
});

describe('correction tools', () => {
  it('[ and ] step the brush width while correcting; Ctrl+Z undoes a stroke then, and does nothing otherwise', async () => {
    const { handleKey } = await import('../../src/app/shortcuts');
    const { PEN_SIZES } = await import('../../src/app/state');
    const s = createWorkbenchStore();
    let undone = 0;
    const a = { undoEdit: () => undone++ } as never;
    const key = (k: string, ctrl = false) => handleKey({ key: k, ctrlKey: ctrl, metaKey: false, altKey: false, target: null }, s, a);
    key(']');
    expect(s.getState().editPen.size).toBe(1); // not correcting: nothing changes
    key('z', true);
    expect(undone).toBe(0);
    volumeLoaded(s, 'ct.nii', volume());
    segmentationDone(s, new Uint8Array(4), info, {});
    startEditing(s);
    for (const want of PEN_SIZES.slice(1)) {
      key(']');
      expect(s.getState().editPen.size).toBe(want);
    }
    key(']');
    expect(s.getState().editPen.size).toBe(PEN_SIZES[PEN_SIZES.length - 1]);
    key('[');
    expect(s.getState().editPen.size).toBe(PEN_SIZES[PEN_SIZES.length - 2]);
    expect(key('z', true)).toBe(true);
    expect(undone).toBe(1);
    expect(key('r', true)).toBe(false); // other chords stay the browser's
  });
});
