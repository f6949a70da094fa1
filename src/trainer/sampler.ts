/**
 * Training crops: a random patch (a third of the time centred on a random foreground voxel, as
 * nnU-Net's oversampling), intensity augmentation, one-hot targets at full resolution and at each
 * deep-supervision scale (average-pooled one-hot), and the crop's volume-token indices.
 *
 * No mirroring: the labels are lateralised (kidney_left / kidney_right), a left-right flip would
 * teach the wrong side.
 */
import type { HostTensor } from '../infer/runtime/backend';
import type { VolumeTokenGrid } from '../infer/contract/modelCard';
import type { Vec3 } from '../infer/io/niftiHeader';
import { cropBox } from '../infer/runtime/slidingWindow';
import { volumeTokenIndices } from '../infer/runtime/volumeTokens';
import type { TrainCase } from './data';

export interface SamplerSpec {
  patch: Vec3;
  classes: number;
  spacing: Vec3;
  grid?: VolumeTokenGrid;
  /** Deep-supervision target shapes [B, C, z, y, x]. */
  deepShapes: number[][];
  foregroundFraction: number;
  augment: boolean;
}

export interface Crop {
  feeds: Record<string, HostTensor>;
  /** Volume-token indices gathered (for the warm-up mask). */
  vtIndex?: BigInt64Array;
}

function cropOrigin(c: TrainCase, patch: Vec3, rnd: () => number, foreground: boolean): Vec3 {
  const [nx, ny] = c.dims;
  const maxO = c.dims.map((d, a) => d - patch[a]);
  if (foreground && c.foreground.length) {
    const v = c.foreground[Math.floor(rnd() * c.foreground.length)];
    const centre = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
    return centre.map((p, a) => Math.min(maxO[a], Math.max(0, p - Math.floor(patch[a] / 2) + Math.floor((rnd() - 0.5) * patch[a] * 0.5)))) as Vec3;
  }
  return maxO.map((m) => Math.floor(rnd() * (m + 1))) as Vec3;
}

/** One-hot [C][n] of a label crop. */
export function oneHot(labels: Uint8Array, classes: number): Float32Array {
  const n = labels.length;
  const out = new Float32Array(classes * n);
  for (let i = 0; i < n; i++) out[labels[i] * n + i] = 1;
  return out;
}

/** Average-pools a one-hot [C][z][y][x] (x fastest) by integer factors to (oz, oy, ox). */
export function poolOneHot(oh: Float32Array, classes: number, dims: Vec3, out: [number, number, number] /* z,y,x */): Float32Array {
  const [nx, ny, nz] = dims;
  const [oz, oy, ox] = out;
  const fz = nz / oz, fy = ny / oy, fx = nx / ox;
  const res = new Float32Array(classes * oz * oy * ox);
  const inv = 1 / (fz * fy * fx);
  for (let c = 0; c < classes; c++) {
    const base = c * nx * ny * nz, ob = c * ox * oy * oz;
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      const v = oh[base + (z * ny + y) * nx + x];
      if (v) res[ob + (Math.floor(z / fz) * oy + Math.floor(y / fy)) * ox + Math.floor(x / fx)] += v * inv;
    }
  }
  return res;
}

export function sampleCrop(cases: readonly TrainCase[], spec: SamplerSpec, rnd: () => number): Crop {
  const c = cases[Math.floor(rnd() * cases.length)];
  const origin = cropOrigin(c, spec.patch, rnd, rnd() < spec.foregroundFraction);
  const image = cropBox(c.image, c.dims, origin, spec.patch);
  if (spec.augment) {
    const scale = 0.9 + 0.2 * rnd(), shift = (rnd() - 0.5) * 0.2;
    for (let i = 0; i < image.length; i++) image[i] = image[i] * scale + shift;
  }
  const labCrop = cropBox(c.labels, c.dims, origin, spec.patch);
  const labels = Uint8Array.from(labCrop);
  const oh = oneHot(labels, spec.classes);
  const [px, py, pz] = spec.patch;
  const feeds: Record<string, HostTensor> = {
    image: { data: image, dims: [1, 1, pz, py, px] },
    target: { data: oh, dims: [1, spec.classes, pz, py, px] },
  };
  spec.deepShapes.forEach((s, i) => {
    feeds[`target_ds${i}`] = { data: poolOneHot(oh, spec.classes, spec.patch, [s[2], s[3], s[4]]), dims: s };
  });
  let vtIndex: BigInt64Array | undefined;
  if (spec.grid) {
    vtIndex = volumeTokenIndices(spec.grid, origin, spec.patch, spec.spacing, c.anchorVoxel);
    feeds.vt_index = { data: vtIndex, dims: [1, vtIndex.length] };
  }
  return { feeds, vtIndex };
}
