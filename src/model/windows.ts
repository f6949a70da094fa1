/**
 * Index maths of 3-D windows (Swin / nnFormer), pure functions computed once per shape in TypeScript
 * and stored in the graph as constants.
 */
import type { Triple } from './contract';

/**
 * Relative position index of every (query, key) pair in a window of (wz, wy, wx) tokens, into a bias
 * table of (2wz-1)(2wy-1)(2wx-1) rows. Worked example, window (1, 1, 2): tokens at x = 0, 1; pairs
 * (0,0) (0,1) (1,0) (1,1) have dx = 0, -1, 1, 0, shifted by wx-1 = 1 to 1, 0, 2, 1.
 */
export function relativePositionIndex(w: Triple /* z, y, x */): BigInt64Array {
  const [wz, wy, wx] = w;
  const t = wz * wy * wx;
  const coords: number[][] = [];
  for (let z = 0; z < wz; z++) for (let y = 0; y < wy; y++) for (let x = 0; x < wx; x++) coords.push([z, y, x]);
  const out = new BigInt64Array(t * t);
  for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) {
    const dz = coords[i][0] - coords[j][0] + wz - 1;
    const dy = coords[i][1] - coords[j][1] + wy - 1;
    const dx = coords[i][2] - coords[j][2] + wx - 1;
    out[i * t + j] = BigInt((dz * (2 * wy - 1) + dy) * (2 * wx - 1) + dx);
  }
  return out;
}

export const relativeTableSize = (w: Triple): number => (2 * w[0] - 1) * (2 * w[1] - 1) * (2 * w[2] - 1);

/**
 * Attention mask of shifted windows (Swin, Liu et al. 2021, Sec. 3.2): after a cyclic shift by s, a
 * window may hold tokens from up to 8 regions that are not neighbours in the volume; pairs from
 * different regions get -100. Returns [nW, T, T] with windows in (z, y, x) raster order.
 * `res`, `w` and `s` are (z, y, x).
 */
export function shiftedWindowMask(res: Triple, w: Triple, s: Triple): Float32Array {
  const region = (c: number, n: number, ww: number, ss: number): number => (c < n - ww ? 0 : c < n - ss ? 1 : 2);
  const nw = res.map((r, i) => r / w[i]);
  const t = w[0] * w[1] * w[2];
  const nW = nw[0] * nw[1] * nw[2];
  const out = new Float32Array(nW * t * t);
  let wi = 0;
  for (let a = 0; a < nw[0]; a++) for (let b = 0; b < nw[1]; b++) for (let c = 0; c < nw[2]; c++, wi++) {
    const lab: number[] = [];
    for (let z = 0; z < w[0]; z++) for (let y = 0; y < w[1]; y++) for (let x = 0; x < w[2]; x++) {
      const rz = region(a * w[0] + z, res[0], w[0], s[0]);
      const ry = region(b * w[1] + y, res[1], w[1], s[1]);
      const rx = region(c * w[2] + x, res[2], w[2], s[2]);
      lab.push(rz * 9 + ry * 3 + rx);
    }
    for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) out[(wi * t + i) * t + j] = lab[i] === lab[j] ? 0 : -100;
  }
  return out;
}

/**
 * Token order of shifted windows: entry j is the raster position (z, y, x) in a [res] grid of the j-th
 * token of `partition(roll(x, -s))`, windows and their tokens in (z, y, x) raster order. A cyclic shift
 * followed by the window partition is one fixed permutation of the tokens; gathering by it replaces the
 * shift's slices and concatenations and the partition's transpose.
 */
export function shiftedWindowOrder(res: Triple, w: Triple, s: Triple): Int32Array {
  const [nz, ny, nx] = res.map((r, i) => r / w[i]);
  const out = new Int32Array(res[0] * res[1] * res[2]);
  let j = 0;
  for (let a = 0; a < nz; a++) for (let b = 0; b < ny; b++) for (let c = 0; c < nx; c++)
    for (let z = 0; z < w[0]; z++) for (let y = 0; y < w[1]; y++) for (let x = 0; x < w[2]; x++) {
      const pz = (a * w[0] + z + s[0]) % res[0], py = (b * w[1] + y + s[1]) % res[1], px = (c * w[2] + x + s[2]) % res[2];
      out[j++] = (pz * res[1] + py) * res[2] + px;
    }
  return out;
}

/** The inverse of a permutation: inverse[perm[j]] = j. */
export function inversePermutation(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  perm.forEach((p, j) => (inv[p] = j));
  return inv;
}
