/**
 * Fill between slices: a label drawn on a few slices is interpolated on the slices between them, as the
 * Segment Editor's "fill between slices" does. Shape-based interpolation: each drawn slice's label
 * becomes a signed distance map (negative inside), the maps are blended linearly along the axis, and
 * the label is where the blend is negative, so a shape grows, shrinks or moves smoothly between slices.
 */
import { type Axis, type Dims, planeAxes, sliceIndices } from './grid';

/** Stands for "no such pixel" in the squared distance transform (finite, so differences stay numbers). */
const FAR = 1e20;

/** One line of the exact squared Euclidean distance transform (lower envelope of parabolas). */
function squaredDistance1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  const cross = (q: number, p: number) => (f[q] + q * q - (f[p] + p * p)) / (2 * q - 2 * p);
  for (let q = 1; q < n; q++) {
    let s = cross(q, v[k]);
    while (s <= z[k]) s = cross(q, v[--k]);
    v[++k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = (q - v[k]) * (q - v[k]) + f[v[k]];
  }
}

/** Squared distance (pixels) from each pixel of a w x h image to the nearest pixel where `on` is true. */
export function squaredDistance2d(on: (p: number) => boolean, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let p = 0; p < w * h; p++) out[p] = on(p) ? 0 : FAR;
  const n = Math.max(w, h);
  const f = new Float64Array(n), d = new Float64Array(n), v = new Int32Array(n), z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = out[x + y * w];
    squaredDistance1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) out[x + y * w] = d[y];
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = out[x + y * w];
    squaredDistance1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[x + y * w] = d[x];
  }
  return out;
}

/**
 * Signed distance to a mask's boundary, in pixels: negative inside, positive outside, the boundary
 * half a pixel from each side's edge pixels. An empty (or full) mask is far from every pixel
 * (w + h), so a shape tapers off toward a slice where it is absent.
 */
export function signedDistance(mask: Uint8Array, w: number, h: number): Float32Array {
  const cap = w + h;
  const toInside = squaredDistance2d((p) => mask[p] !== 0, w, h);
  const toOutside = squaredDistance2d((p) => mask[p] === 0, w, h);
  const out = new Float32Array(w * h);
  for (let p = 0; p < w * h; p++) out[p] = mask[p] ? -Math.min(Math.sqrt(toOutside[p]), cap) + 0.5 : Math.min(Math.sqrt(toInside[p]), cap) - 0.5;
  return out;
}

/**
 * Interpolates `label` between consecutive slices of `keys` (slice indices across `axis`, the slices
 * the user drew on) at least two apart. On each slice between, the label takes the interpolated shape:
 * voxels inside become `label`, voxels of `label` outside become background; `may(i, current)` says
 * whether voxel i, holding `current`, may change (locks, HU range). Returns the voxels changed.
 */
export function fillBetweenSlices(bitmap: Uint8Array, dims: Dims, axis: Axis, keys: readonly number[], label: number, may: (i: number, current: number) => boolean): number {
  const [u, v] = planeAxes(axis);
  const [w, h] = [dims[u], dims[v]];
  const sorted = [...new Set(keys)].sort((a, b) => a - b);
  const shapeOn = (index: number) => {
    const idx = sliceIndices(dims, axis, index);
    const m = new Uint8Array(idx.length);
    for (let p = 0; p < idx.length; p++) m[p] = bitmap[idx[p]] === label ? 1 : 0;
    return signedDistance(m, w, h);
  };
  let changed = 0;
  for (let k = 0; k + 1 < sorted.length; k++) {
    const [a, b] = [sorted[k], sorted[k + 1]];
    if (b - a < 2) continue;
    const [da, db] = [shapeOn(a), shapeOn(b)];
    for (let s = a + 1; s < b; s++) {
      const t = (s - a) / (b - a);
      const idx = sliceIndices(dims, axis, s);
      for (let p = 0; p < idx.length; p++) {
        const inside = (1 - t) * da[p] + t * db[p] < 0;
        const i = idx[p];
        const cur = bitmap[i];
        const next = inside ? label : cur === label ? 0 : cur;
        if (next !== cur && may(i, cur)) {
          bitmap[i] = next;
          changed++;
        }
      }
    }
  }
  return changed;
}
