/**
 * The model grid's padding: a volume smaller than the patch is padded symmetrically to it before tiling,
 * and the padding is undone on the logits.
 */
import type { Vec3 } from '../io/niftiHeader';

export interface Padding {
  /** Voxels added before (low side) and after (high side), per axis. */
  before: Vec3;
  after: Vec3;
}

/** Pads each axis symmetrically up to at least `patch` with `value`; reports the padding to undo it. */
export function padToPatch(data: Float32Array, dims: Vec3, patch: Vec3, value: number): { data: Float32Array; dims: Vec3; padding: Padding } {
  const before = dims.map((n, a) => Math.floor(Math.max(0, patch[a] - n) / 2)) as Vec3;
  const after = dims.map((n, a) => Math.max(0, patch[a] - n) - before[a]) as Vec3;
  const padding = { before, after };
  if (before.every((b, a) => b === 0 && after[a] === 0)) return { data, dims, padding };
  const out = dims.map((n, a) => n + before[a] + after[a]) as Vec3;
  const res = new Float32Array(out[0] * out[1] * out[2]).fill(value);
  const [nx, ny, nz] = dims;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const src = nx * (y + ny * z);
      const dst = before[0] + out[0] * (before[1] + y + out[1] * (before[2] + z));
      res.set(data.subarray(src, src + nx), dst);
    }
  }
  return { data: res, dims: out, padding };
}
