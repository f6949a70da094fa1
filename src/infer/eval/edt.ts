/**
 * Exact squared Euclidean distance transform with anisotropic spacing, separable over axes
 * (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled Functions", 2012): along each axis
 * d(p) = min_q ((p - q) * s)^2 + f(q), computed as the lower envelope of parabolas rooted at the
 * finite samples.
 */
import type { Vec3 } from '../io/niftiHeader';

/** 1-D transform of f (Infinity = no feature) with sample spacing s, into d. */
function edt1d(f: Float64Array, n: number, s: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] === Infinity) continue;
    const pq = q * s;
    while (k >= 0) {
      const pv = v[k] * s;
      const x = (f[q] + pq * pq - (f[v[k]] + pv * pv)) / (2 * (pq - pv));
      if (x <= z[k]) k--;
      else { k++; v[k] = q; z[k] = x; z[k + 1] = Infinity; break; }
    }
    if (k < 0) { k = 0; v[0] = q; z[0] = -Infinity; z[1] = Infinity; }
  }
  if (k < 0) { d.fill(Infinity, 0, n); return; }
  let j = 0;
  for (let q = 0; q < n; q++) {
    const p = q * s;
    while (z[j + 1] < p) j++;
    const dv = (q - v[j]) * s;
    d[q] = dv * dv + f[v[j]];
  }
}

/** Squared distance (mm^2) from every voxel to the nearest voxel where `feature` is true. */
export function squaredDistanceTransform(feature: Uint8Array, dims: Vec3, spacing: Vec3): Float64Array {
  const [nx, ny, nz] = dims;
  const dist = new Float64Array(nx * ny * nz);
  for (let i = 0; i < dist.length; i++) dist[i] = feature[i] ? 0 : Infinity;
  const longest = Math.max(nx, ny, nz);
  const f = new Float64Array(longest);
  const d = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  const strides = [1, nx, nx * ny];
  for (let axis = 0; axis < 3; axis++) {
    const n = dims[axis];
    const stride = strides[axis];
    const [a, b] = [0, 1, 2].filter((x) => x !== axis);
    for (let j = 0; j < dims[b]; j++) {
      for (let i = 0; i < dims[a]; i++) {
        const base = i * strides[a] + j * strides[b];
        for (let q = 0; q < n; q++) f[q] = dist[base + q * stride];
        edt1d(f, n, spacing[axis], d, v, z);
        for (let q = 0; q < n; q++) dist[base + q * stride] = d[q];
      }
    }
  }
  return dist;
}
