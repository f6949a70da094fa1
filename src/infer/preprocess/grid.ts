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

/**
 * The most voxels the model's grid may have: 2^26 (256 MiB as float32), e.g. a 1.2 m cube at 3 mm; and
 * at most GRID_GROWTH times the scan's own voxels (a real CT put on a 3 mm grid grows at most about
 * fivefold: a 5 mm isotropic scan). A scan whose header voxel size breaks either has an implausible
 * voxel size (a header written wrong, or 1e6 mm); resampling it would exhaust memory or time before
 * any message.
 */
export const MAX_MODEL_GRID_VOXELS = 2 ** 26;
export const GRID_GROWTH = 64;

/** A preprocessing step that cannot go on; the message says why, in one line. */
export class PreprocessError extends Error {
  override name = 'PreprocessError';
}

/** Why a scan cannot be put on the model's grid (voxel size far outside any CT), or null when it can. */
export function modelGridProblem(dims: Vec3, grid: Vec3, spacing: Vec3, modelSpacing: Vec3): string | null {
  const n = grid[0] * grid[1] * grid[2];
  const own = dims[0] * dims[1] * dims[2];
  if (n <= MAX_MODEL_GRID_VOXELS && n <= GRID_GROWTH * own) return null;
  const fmt = (v: readonly number[]) => v.map((x) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x)).join(' x ');
  const why = n > MAX_MODEL_GRID_VOXELS ? `over the limit of ${MAX_MODEL_GRID_VOXELS / 2 ** 20} M` : `${Math.round(n / own).toLocaleString('en-US')} times the scan's own voxel count`;
  return `this scan cannot be segmented: its voxel size (${fmt(spacing)} mm over ${fmt(dims)} voxels) would make the model's ${fmt(modelSpacing)} mm grid ${fmt(grid)} voxels (${why}); check the voxel size in the file's header`;
}
