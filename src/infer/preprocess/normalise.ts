/**
 * CT intensity normalisation (nnU-Net's "CT" scheme): clip to the training foreground's 0.5 / 99.5
 * percentiles, then z-score with the foreground mean and std of the clipped values. Also the body
 * anchor that places the FINE volume-token grid.
 */
import type { Normalisation } from '../contract/modelCard';
import type { Vec3 } from '../io/niftiHeader';

/** Clip then z-score; returns a new array. */
export function normaliseCT(data: ArrayLike<number>, norm: Normalisation): Float32Array {
  const [lo, hi] = norm.clip;
  if (!(norm.std > 0) || !(hi >= lo)) {
    throw new Error(`normaliseCT: expected clip lo <= hi and std > 0, got clip [${lo}, ${hi}] std ${norm.std}; fix the model card`);
  }
  const out = new Float32Array(data.length);
  const inv = 1 / norm.std;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] < lo ? lo : data[i] > hi ? hi : data[i];
    out[i] = (v - norm.mean) * inv;
  }
  return out;
}

const HU_MIN = -32768;
const HU_MAX = 32767;

/**
 * Foreground statistics over a training set: voxels with label > 0 of every (image, labels) pair.
 * Percentiles come from a histogram over integer HU (O(n)); mean and std are exact over the
 * clipped values.
 */
export function foregroundStats(images: ArrayLike<number>[], labels: ArrayLike<number>[]): Normalisation {
  if (images.length !== labels.length) {
    throw new Error(`foregroundStats: ${images.length} images but ${labels.length} label maps; pass one label map per image`);
  }
  const hist = new Float64Array(HU_MAX - HU_MIN + 1);
  let count = 0;
  images.forEach((img, k) => {
    const lab = labels[k];
    if (img.length !== lab.length) {
      throw new Error(`foregroundStats: image ${k} has ${img.length} voxels, its label map ${lab.length}; they must share a grid`);
    }
    for (let i = 0; i < img.length; i++) {
      if (lab[i] > 0) {
        const b = Math.min(HU_MAX, Math.max(HU_MIN, Math.round(img[i])));
        hist[b - HU_MIN]++;
        count++;
      }
    }
  });
  if (count === 0) throw new Error('foregroundStats: no voxel has a label > 0; check that the label maps are not empty');
  const percentile = (p: number): number => {
    const target = p * count;
    let cum = 0;
    for (let b = 0; b < hist.length; b++) {
      cum += hist[b];
      if (cum >= target && hist[b] > 0) return b + HU_MIN;
    }
    return HU_MAX;
  };
  const lo = percentile(0.005);
  const hi = percentile(0.995);
  let sum = 0;
  let sum2 = 0;
  images.forEach((img, k) => {
    const lab = labels[k];
    for (let i = 0; i < img.length; i++) {
      if (lab[i] > 0) {
        const v = img[i] < lo ? lo : img[i] > hi ? hi : img[i];
        sum += v;
        sum2 += v * v;
      }
    }
  });
  const mean = sum / count;
  const std = Math.sqrt(Math.max(0, sum2 / count - mean * mean));
  return { clip: [lo, hi], mean, std: std > 0 ? std : 1 };
}

/**
 * Centre, in voxel coordinates, of the bounding box of voxels above `huThreshold` (the body and
 * whatever else is dense: table, bone). Falls back to the volume centre when nothing is above it.
 * Example: a 10x10x10 volume whose only dense voxels span x 2..5 gives anchor x = 3.5.
 */
/** HU above which a voxel counts as body (denser than a lung-air mix): the volume-token anchor's default, and the CT checks'. */
export const BODY_HU = -500;
/** Air in HU: what fills a volume outside the scanned field (padding, crops past the edge, a cut-off field of view). */
export const AIR_HU = -1024;

export function bodyAnchor(data: ArrayLike<number>, dims: Vec3, huThreshold = BODY_HU): Vec3 {
  const [nx, ny, nz] = dims;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (data[i] > huThreshold) {
          if (x < lo[0]) lo[0] = x;
          if (x > hi[0]) hi[0] = x;
          if (y < lo[1]) lo[1] = y;
          if (y > hi[1]) hi[1] = y;
          if (z < lo[2]) lo[2] = z;
          if (z > hi[2]) hi[2] = z;
        }
      }
    }
  }
  if (lo[0] === Infinity) return [(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2];
  return [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
}
