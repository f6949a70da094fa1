/**
 * Training targets of a label crop: one-hot at full resolution and average-pooled to each
 * deep-supervision scale. Shared by the trainer's sampler and the adaptation crops.
 */
import type { Vec3 } from '../io/niftiHeader';

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
