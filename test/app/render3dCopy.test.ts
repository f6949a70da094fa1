import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume, type Vec3 } from '../../src/infer/io/nifti';
import { applyAffine } from '../../src/infer/eval/affine';
import { RENDER_COPY_VOXELS, renderCopy, renderCopyGrid, renderCopyLabels } from '../../src/app/render3dCopy';
import { createWorkbenchStore, render3dSource, segmentationDone, setCtWindow, setLabelOpacity, setView3d, volumeLoaded, rendererFound } from '../../src/app/state';
import { syncRender3d } from '../../src/app/viewerSync';
import { CT_WINDOWS } from '../../src/app/ctWindow';
import type { ModelCard } from '../../src/infer/contract/modelCard';

function ct(dims: Vec3, spacing: Vec3): NiftiVolume {
  const n = dims[0] * dims[1] * dims[2];
  const affine = [-spacing[0], 0, 0, 10, 0, -spacing[1], 0, 20, 0, 0, spacing[2], -30, 0, 0, 0, 1];
  return { dims, spacing, affine, data: Float32Array.from({ length: n }, (_, i) => i % dims[0]), datatype: 16, header: makeNiftiHeader(dims, spacing, affine), warnings: [] };
}

describe('the 3-D view from a downsampled copy', () => {
  it('keeps a 512x512x300 scan in proportion under the voxel budget, and the copy covers the same box in the world', () => {
    const g = renderCopyGrid([512, 512, 300], [0.8, 0.8, 1.5]);
    expect(g.dims[0] * g.dims[1] * g.dims[2]).toBeLessThanOrEqual(RENDER_COPY_VOXELS);
    expect(g.dims[0] * g.dims[1] * g.dims[2]).toBeGreaterThan(0.8 * RENDER_COPY_VOXELS);
    expect(g.dims[0] / g.dims[2]).toBeCloseTo(512 / 300, 1);
    const big = ct([120, 100, 60], [0.8, 0.8, 1.5]);
    const copy = renderCopy(big, 50_000);
    expect(copy.dims[0] * copy.dims[1] * copy.dims[2]).toBeLessThanOrEqual(50_000);
    // The outer corner of the grid is shared: voxel -0.5 of both grids is the same point.
    const corner = (v: NiftiVolume) => applyAffine(v.affine, [-0.5, -0.5, -0.5]);
    corner(copy).forEach((x, a) => expect(x).toBeCloseTo(corner(big)[a], 6));
    const far = (v: NiftiVolume) => applyAffine(v.affine, v.dims.map((d) => d - 0.5) as Vec3);
    far(copy).forEach((x, a) => expect(x).toBeCloseTo(far(big)[a], 6));
    // A small scan is its own copy.
    const small = ct([10, 10, 10], [1, 1, 1]);
    expect(renderCopy(small)).toBe(small);
    const labels = new Uint8Array(120 * 100 * 60).fill(3);
    expect(new Set(renderCopyLabels(labels, big, copy))).toEqual(new Set([3]));
  });

  it('is the source of the 3-D view only for a large scan on a software renderer', () => {
    const vol = (n: number) => ({ dims: [n, n, n] as Vec3 }) as never;
    expect(render3dSource({ view3d: true, softwareGl: true, volume: vol(300) })).toBe('copy');
    expect(render3dSource({ view3d: null, softwareGl: true, volume: vol(300) })).toBe('none');
    expect(render3dSource({ view3d: true, softwareGl: false, volume: vol(300) })).toBe('volume');
    expect(render3dSource({ view3d: null, softwareGl: true, volume: vol(100) })).toBe('volume');
  });

  it('follows the scan, the window, the labels and the legend', async () => {
    const s = createWorkbenchStore();
    rendererFound(s, true);
    setView3d(s, true);
    volumeLoaded(s, 'big.nii', ct([300, 300, 100], [1, 1, 1]));
    const calls: string[] = [];
    let shownDims: number[] = [];
    const stop = syncRender3d(s, {
      show: async (v) => { calls.push('show'); shownDims = [...v.dims]; },
      setWindow: () => calls.push('setWindow'),
      showLabels: (l, cm) => calls.push(l ? `labels ${l.length} ${cm!.A.join(',')}` : 'no labels'),
    }, (m) => calls.push(`error ${m}`));
    await Promise.resolve();
    expect(calls).toEqual(['show', 'no labels']);
    expect(shownDims[0] * shownDims[1] * shownDims[2]).toBeLessThanOrEqual(RENDER_COPY_VOXELS);
    calls.length = 0;
    setCtWindow(s, CT_WINDOWS.lung);
    const info = [{ id: 0, name: 'background', color: [0, 0, 0] }, { id: 1, name: 'liver', color: [200, 100, 100] }] as ModelCard['labels'];
    segmentationDone(s, new Uint8Array(300 * 300 * 100), info, {});
    setLabelOpacity(s, 1, 0.2);
    const n = shownDims[0] * shownDims[1] * shownDims[2];
    expect(calls[0]).toBe('setWindow');
    expect(calls.slice(1).map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([`labels ${n}`, `labels ${n}`]);
    expect(calls[1]).not.toBe(calls[2]);
    stop();
    setCtWindow(s, CT_WINDOWS.bone);
    expect(calls).toHaveLength(3);
  });
});
