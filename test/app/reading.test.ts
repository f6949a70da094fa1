import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';
import { CT_WINDOWS, DISPLAY_PALETTE, clampWindow, displayColor, presetOf, windowRange } from '../../src/app/ctWindow';
import { SOFTWARE_3D_MAX_VOXELS, createWorkbenchStore, cursorMoved, cursorReadout, rendererFound, segmentationDone, setAttentionMode, setCtWindow, setShowDisagreement, setView3d, show3dView, volumeLoaded } from '../../src/app/state';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCard } from '../../src/infer/contract/modelCard';

const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe('reading conventions', () => {
  it('liver, right kidney, stomach, aorta, IVC and gallbladder are told apart by the display palette (and were not by the card)', () => {
    const card = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'fine-small.json'), 'utf8')) as ModelCard;
    const names = ['liver', 'kidney_right', 'stomach', 'aorta', 'inferior_vena_cava', 'gallbladder', 'spleen', 'pancreas', 'kidney_left'];
    const shown = names.map((n) => displayColor(card.labels.find((l) => l.name === n)!));
    let minShown = Infinity;
    for (let i = 0; i < shown.length; i++) for (let j = i + 1; j < shown.length; j++) minShown = Math.min(minShown, dist(shown[i], shown[j]));
    expect(minShown).toBeGreaterThan(90);
    const cardColour = (n: string) => card.labels.find((l) => l.name === n)!.color;
    expect(dist(cardColour('liver'), cardColour('aorta'))).toBeLessThan(60); // the problem the palette fixes
    expect(displayColor({ id: 42, name: 'unknown_organ', color: [1, 2, 3] })).toEqual([1, 2, 3]);
    expect(Object.keys(DISPLAY_PALETTE)).toContain('inferior_vena_cava');
  });

  it('no two colours shown at once are confusable: the organs with the crosshair, the disagreement classes with the crosshair', async () => {
    const { CROSSHAIR_RGB } = await import('../../src/app/ctWindow');
    const { DISAGREEMENT_LABELS } = await import('../../src/app/reference');
    const card = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'fine-small.json'), 'utf8')) as ModelCard;
    const minPair = (cs: number[][]) => {
      let m = Infinity;
      for (let i = 0; i < cs.length; i++) for (let j = i + 1; j < cs.length; j++) m = Math.min(m, dist(cs[i], cs[j]));
      return m;
    };
    const organs = card.labels.filter((l) => l.id !== 0).map((l) => [...displayColor(l)]);
    expect(minPair([...organs, [...CROSSHAIR_RGB]])).toBeGreaterThan(90);
    expect(minPair([...DISAGREEMENT_LABELS.slice(1).map((l) => l.color), [...CROSSHAIR_RGB]])).toBeGreaterThan(90);
    // The old crosshair (NiiVue's red) was the aorta's colour.
    expect(dist([255, 0, 0], displayColor(card.labels.find((l) => l.name === 'aorta')!))).toBeLessThan(90);
  });

  it('the heat map and the disagreement map are never shown together', () => {
    const s = createWorkbenchStore();
    s.setState({ labels: new Uint8Array(4), disagreement: { map: new Uint8Array(4), counts: { falsePositive: 1, falseNegative: 0, wrongOrgan: 0, notScored: 0 } } });
    setShowDisagreement(s, true);
    setAttentionMode(s, true);
    expect(s.getState()).toMatchObject({ attentionMode: true, showDisagreement: false });
    s.setState({ heatMap: new Float32Array(4), heatOf: { level: 'window', voxel: [0, 0, 0] } });
    setShowDisagreement(s, true);
    expect(s.getState()).toMatchObject({ attentionMode: false, showDisagreement: true, heatMap: null, heatOf: null });
  });

  it('numeric window/level: presets are recognised, typed values are kept within range', () => {
    expect(presetOf(CT_WINDOWS.lung)).toBe('lung');
    expect(presetOf({ width: 350, level: 50 })).toBeNull();
    expect(windowRange({ width: 350, level: 50 })).toEqual([-125, 225]);
    expect(clampWindow({ width: 0, level: -5000 }, CT_WINDOWS.abdomen)).toEqual({ width: 1, level: -1024 });
    expect(clampWindow({ width: NaN, level: 60.4 }, CT_WINDOWS.abdomen)).toEqual({ width: 400, level: 60 });
    const s = createWorkbenchStore();
    setCtWindow(s, { width: 350, level: 50 });
    expect(s.getState().ctWindow).toEqual({ width: 350, level: 50 });
  });

  it('the crosshair readout gives voxel, mm, HU and the label name there; nothing outside the volume', () => {
    const s = createWorkbenchStore();
    const dims: [number, number, number] = [2, 2, 1];
    const v: NiftiVolume = { dims, spacing: [1, 1, 1], data: Float32Array.from([-1000, 40, 60, 300]), affine: [], datatype: 16, header: makeNiftiHeader(dims, [1, 1, 1]), warnings: [] };
    volumeLoaded(s, 'ct.nii', v);
    expect(cursorReadout(s.getState())).toBeNull();
    cursorMoved(s, { vox: [1, 0, 0], mm: [1, 0, 0], hu: null });
    expect(cursorReadout(s.getState())).toEqual({ vox: [1, 0, 0], mm: [1, 0, 0], hu: 40, label: null });
    segmentationDone(s, Uint8Array.from([0, 1, 0, 9]), [{ id: 0, name: 'background', color: [0, 0, 0] }, { id: 1, name: 'liver', color: [1, 1, 1] }], {});
    expect(cursorReadout(s.getState())?.label).toBe('liver');
    cursorMoved(s, { vox: [1, 1, 0], mm: [1, 1, 0], hu: 299.6 });
    expect(cursorReadout(s.getState())).toMatchObject({ hu: 299.6, label: 'label 9' });
    cursorMoved(s, { vox: [2, 0, 0], mm: [2, 0, 0], hu: 1 });
    expect(cursorReadout(s.getState())).toBeNull();
  });
});

describe('the 3-D view', () => {
  const vol = (dims: [number, number, number]) => ({ dims }) as unknown as Parameters<typeof show3dView>[0]['volume'];
  it('starts off for a large volume on a software renderer, on otherwise, and the user choice wins', () => {
    const big = vol([512, 512, 300]);
    const small = vol([122, 101, 112]);
    expect(show3dView({ view3d: null, softwareGl: true, volume: big })).toBe(false);
    expect(show3dView({ view3d: null, softwareGl: false, volume: big })).toBe(true);
    expect(show3dView({ view3d: null, softwareGl: null, volume: big })).toBe(true);
    expect(show3dView({ view3d: null, softwareGl: true, volume: small })).toBe(true);
    expect(show3dView({ view3d: null, softwareGl: true, volume: vol([256, 256, 122]) })).toBe(true); // 7.99 M
    expect(show3dView({ view3d: null, softwareGl: true, volume: vol([256, 256, 150]) })).toBe(false);
    expect(SOFTWARE_3D_MAX_VOXELS).toBe(8_000_000);
    expect(show3dView({ view3d: true, softwareGl: true, volume: big })).toBe(true);
    expect(show3dView({ view3d: false, softwareGl: false, volume: small })).toBe(false);
    const s = createWorkbenchStore();
    rendererFound(s, true);
    setView3d(s, true);
    expect(s.getState()).toMatchObject({ softwareGl: true, view3d: true });
  });
});
