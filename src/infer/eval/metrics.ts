/**
 * Segmentation metrics: organ volumes, Dice, and the 95th-percentile Hausdorff distance in mm
 * between the surfaces of two masks (surface = mask voxels with a 6-neighbour outside the mask or
 * the volume), computed with an exact anisotropic distance transform.
 */
import type { Vec3 } from '../io/niftiHeader';
import { squaredDistanceTransform } from './edt';

export function organVolumesMl(labels: Uint8Array, spacing: Vec3, labelIds: number[]): Record<number, number> {
  const counts = new Float64Array(256);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const ml = (spacing[0] * spacing[1] * spacing[2]) / 1000;
  const out: Record<number, number> = {};
  for (const id of labelIds) out[id] = counts[id] * ml;
  return out;
}

function checkSameLength(pred: Uint8Array, ref: Uint8Array, what: string): void {
  if (pred.length !== ref.length) {
    throw new Error(`${what}: prediction has ${pred.length} voxels, reference ${ref.length}; they must share a grid`);
  }
}

/** Dice of one label; 1 when both masks are empty. */
export function diceScore(pred: Uint8Array, ref: Uint8Array, labelId: number): number {
  checkSameLength(pred, ref, 'diceScore');
  let a = 0;
  let b = 0;
  let both = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i] === labelId;
    const r = ref[i] === labelId;
    if (p) a++;
    if (r) b++;
    if (p && r) both++;
  }
  return a + b === 0 ? 1 : (2 * both) / (a + b);
}

/** Bounding box [lo, hi] (inclusive) of voxels equal to labelId in either map, or null. */
function unionBox(pred: Uint8Array, ref: Uint8Array, labelId: number, dims: Vec3): [Vec3, Vec3] | null {
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-1, -1, -1];
  let i = 0;
  for (let z = 0; z < dims[2]; z++) {
    for (let y = 0; y < dims[1]; y++) {
      for (let x = 0; x < dims[0]; x++, i++) {
        if (pred[i] !== labelId && ref[i] !== labelId) continue;
        const p = [x, y, z];
        for (let a = 0; a < 3; a++) {
          if (p[a] < lo[a]) lo[a] = p[a];
          if (p[a] > hi[a]) hi[a] = p[a];
        }
      }
    }
  }
  return hi[0] < 0 ? null : [lo, hi];
}

/** Surface voxels of the mask `labels == labelId` inside the box, as a box-sized 0/1 map. */
function surfaceInBox(labels: Uint8Array, labelId: number, dims: Vec3, lo: Vec3, box: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(box[0] * box[1] * box[2]);
  const at = (x: number, y: number, z: number) =>
    x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz && labels[x + nx * (y + ny * z)] === labelId;
  let o = 0;
  for (let k = 0; k < box[2]; k++) {
    for (let j = 0; j < box[1]; j++) {
      for (let i = 0; i < box[0]; i++, o++) {
        const x = lo[0] + i;
        const y = lo[1] + j;
        const z = lo[2] + k;
        if (!at(x, y, z)) continue;
        if (!at(x - 1, y, z) || !at(x + 1, y, z) || !at(x, y - 1, z) || !at(x, y + 1, z) || !at(x, y, z - 1) || !at(x, y, z + 1)) {
          out[o] = 1;
        }
      }
    }
  }
  return out;
}

/** Linear-interpolated percentile (numpy's default), p in [0, 100]. */
function percentile(values: Float64Array, p: number): number {
  const s = Float64Array.from(values).sort();
  const pos = ((s.length - 1) * p) / 100;
  const f = Math.floor(pos);
  const c = Math.min(s.length - 1, f + 1);
  return s[f] + (s[c] - s[f]) * (pos - f);
}

/** Distances (mm) from each surface voxel of `from` to the nearest surface voxel of `to`. */
function directedSurfaceDistances(from: Uint8Array, to: Uint8Array, box: Vec3, spacing: Vec3): Float64Array {
  const d2 = squaredDistanceTransform(to, box, spacing);
  const out: number[] = [];
  for (let i = 0; i < from.length; i++) if (from[i]) out.push(Math.sqrt(d2[i]));
  return Float64Array.from(out);
}

/**
 * 95th-percentile symmetric Hausdorff distance (mm): the larger of the two directed 95th
 * percentiles (as MONAI). 0 when both masks are empty, Infinity when exactly one is.
 */
export function hd95(pred: Uint8Array, ref: Uint8Array, labelId: number, dims: Vec3, spacing: Vec3): number {
  checkSameLength(pred, ref, 'hd95');
  const box = unionBox(pred, ref, labelId, dims);
  if (!box) return 0;
  const [lo, hi] = box;
  const size = [0, 1, 2].map((a) => hi[a] - lo[a] + 1) as Vec3;
  const sp = surfaceInBox(pred, labelId, dims, lo, size);
  const sr = surfaceInBox(ref, labelId, dims, lo, size);
  if (!sp.includes(1) || !sr.includes(1)) return Infinity;
  const a = percentile(directedSurfaceDistances(sp, sr, size, spacing), 95);
  const b = percentile(directedSurfaceDistances(sr, sp, size, spacing), 95);
  return Math.max(a, b);
}

export interface LabelScore {
  id: number;
  name: string;
  dice: number;
  hd95: number;
  presentInRef: boolean;
}

export interface SegmentationScores {
  perLabel: LabelScore[];
  /** Means over the labels present in the reference. */
  meanDice: number;
  meanHd95: number;
}

/** Dice and HD95 for each label (background excluded), with means over labels present in `ref`. */
export function evaluateSegmentation(
  pred: Uint8Array,
  ref: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
  labels: { id: number; name: string }[],
): SegmentationScores {
  checkSameLength(pred, ref, 'evaluateSegmentation');
  const present = new Uint8Array(256);
  for (let i = 0; i < ref.length; i++) present[ref[i]] = 1;
  const perLabel = labels
    .filter((l) => l.id !== 0)
    .map((l) => ({
      id: l.id,
      name: l.name,
      dice: diceScore(pred, ref, l.id),
      hd95: hd95(pred, ref, l.id, dims, spacing),
      presentInRef: present[l.id] === 1,
    }));
  const counted = perLabel.filter((s) => s.presentInRef);
  const mean = (f: (s: LabelScore) => number) => (counted.length ? counted.reduce((t, s) => t + f(s), 0) / counted.length : NaN);
  return { perLabel, meanDice: mean((s) => s.dice), meanHd95: mean((s) => s.hd95) };
}
