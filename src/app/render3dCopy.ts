/**
 * The 3-D view of a large scan on a software renderer is drawn from a downsampled copy: a few million
 * voxels cost a software renderer little per frame and per window change, where the full scan costs
 * seconds of CPU that the slices and the segmentation need. The copy is for the picture only; the
 * slices, the readout and every measurement use the full scan.
 */
import type { NiftiVolume, Vec3 } from '../infer/io/nifti';
import { makeNiftiHeader } from '../infer/io/niftiHeader';
import { resampleLabelsNearest, resampleLinear, resampledAffine, resampledDims } from '../infer/preprocess/resample';

/** At most this many voxels in the 3-D copy. */
export const RENDER_COPY_VOXELS = 2_000_000;

/** The copy's grid: one factor for every axis (voxels stay in proportion), at most `maxVoxels` voxels. */
export function renderCopyGrid(dims: Vec3, spacing: Vec3, maxVoxels = RENDER_COPY_VOXELS): { dims: Vec3; scale: Vec3 } {
  const n = dims[0] * dims[1] * dims[2];
  let f = Math.max(1, Math.cbrt(n / maxVoxels));
  for (;;) {
    const out = resampledDims(dims, spacing, spacing.map((s) => s * f) as Vec3);
    if (out[0] * out[1] * out[2] <= maxVoxels || f === 1) return { dims: out, scale: out.map((m, a) => dims[a] / m) as Vec3 };
    f *= 1.02;
  }
}

/** The CT downsampled (trilinear) onto the copy's grid, with its geometry. */
export function renderCopy(ct: NiftiVolume, maxVoxels = RENDER_COPY_VOXELS): NiftiVolume {
  const { dims, scale } = renderCopyGrid(ct.dims, ct.spacing, maxVoxels);
  if (dims.every((d, a) => d === ct.dims[a])) return ct;
  const affine = resampledAffine(ct.affine, scale);
  const spacing = ct.spacing.map((s, a) => s * scale[a]) as Vec3;
  return { ...ct, dims, spacing, affine, data: resampleLinear(ct.data, ct.dims, dims, scale), header: makeNiftiHeader(dims, spacing, affine), warnings: [] };
}

/** A label map (the CT's grid) on the copy's grid: nearest voxel. */
export function renderCopyLabels(labels: Uint8Array, ct: NiftiVolume, copy: NiftiVolume): Uint8Array {
  if (copy.dims.every((d, a) => d === ct.dims[a])) return labels;
  return resampleLabelsNearest(labels, ct.dims, copy.dims, copy.dims.map((d, a) => ct.dims[a] / d) as Vec3);
}
