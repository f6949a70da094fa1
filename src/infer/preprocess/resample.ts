/**
 * Resampling between voxel grids that share their outer corner. Output voxel i sits at input
 * coordinate (i + 0.5) * scale - 0.5, clamped to [0, n - 1], where `scale` is input voxels per
 * output voxel (target spacing / input spacing). Example: 4 voxels at 1 mm to 2 mm gives 2 voxels,
 * scale 2, at input coordinates 0.5 and 2.5 (the means of voxel pairs 0-1 and 2-3).
 *
 * Trilinear interpolation is done separably and slice by slice: each output z-slice blends two
 * input slices that were first resampled in-plane, and only those two in-plane slices are cached.
 */
import type { Vec3 } from '../io/niftiHeader';

export type { Vec3 };

/** Output dims for a change of spacing: round(n * s / t), at least 1. */
export function resampledDims(dims: Vec3, spacing: Vec3, target: Vec3): Vec3 {
  return dims.map((n, i) => Math.max(1, Math.round((n * spacing[i]) / target[i]))) as Vec3;
}

interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  w: Float32Array;
}

/** Lower/upper input index and the weight of the upper one, per output index along one axis. */
function axisTaps(nIn: number, nOut: number, scale: number): AxisTaps {
  const lo = new Int32Array(nOut);
  const hi = new Int32Array(nOut);
  const w = new Float32Array(nOut);
  for (let i = 0; i < nOut; i++) {
    const c = Math.min(nIn - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const f = Math.floor(c);
    lo[i] = f;
    hi[i] = Math.min(nIn - 1, f + 1);
    w[i] = c - f;
  }
  return { lo, hi, w };
}

function checkInput(data: ArrayLike<number>, dims: Vec3, offset: number, what: string): void {
  const n = dims[0] * dims[1] * dims[2];
  if (offset + n > data.length) {
    throw new Error(`${what}: input has ${data.length} values, expected at least ${offset + n} for dims ${dims.join('x')}`);
  }
}

/**
 * Trilinear resampling of one channel, read from `data` starting at `offset`, into `out` (allocated
 * when absent). `scale` defaults to the ratio of dims (input voxels per output voxel).
 */
export function resampleLinear(
  data: ArrayLike<number>,
  dims: Vec3,
  outDims: Vec3,
  scale: Vec3 = [dims[0] / outDims[0], dims[1] / outDims[1], dims[2] / outDims[2]],
  out: Float32Array = new Float32Array(outDims[0] * outDims[1] * outDims[2]),
  offset = 0,
): Float32Array {
  checkInput(data, dims, offset, 'resampleLinear');
  const [nx, ny] = dims;
  const [ox, oy, oz] = outDims;
  const tx = axisTaps(nx, ox, scale[0]);
  const ty = axisTaps(ny, oy, scale[1]);
  const tz = axisTaps(dims[2], oz, scale[2]);
  const cache = new Map<number, Float32Array>();
  // In-plane pass, separable: each input row is resampled along x once (lazily, only the rows some
  // output row reads), then output rows blend two of those.
  const rows = new Float32Array(ny * ox);
  const rowDone = new Uint8Array(ny);
  const planeOf = (z: number): Float32Array => {
    let p = cache.get(z);
    if (p) return p;
    p = new Float32Array(ox * oy);
    const base = offset + z * nx * ny;
    rowDone.fill(0);
    const rowOf = (y: number): number => {
      const r = y * ox;
      if (!rowDone[y]) {
        rowDone[y] = 1;
        const src = base + y * nx;
        for (let i = 0; i < ox; i++) {
          const w = tx.w[i];
          rows[r + i] = data[src + tx.lo[i]] * (1 - w) + data[src + tx.hi[i]] * w;
        }
      }
      return r;
    };
    for (let j = 0; j < oy; j++) {
      const r0 = rowOf(ty.lo[j]);
      const r1 = rowOf(ty.hi[j]);
      const wy = ty.w[j];
      const o = j * ox;
      for (let i = 0; i < ox; i++) p[o + i] = rows[r0 + i] * (1 - wy) + rows[r1 + i] * wy;
    }
    cache.set(z, p);
    return p;
  };
  const plane = ox * oy;
  for (let k = 0; k < oz; k++) {
    const z0 = tz.lo[k];
    const z1 = tz.hi[k];
    // Keep only the slices this output slice needs.
    for (const key of [...cache.keys()]) if (key !== z0 && key !== z1) cache.delete(key);
    const a = planeOf(z0);
    const b = planeOf(z1);
    const wz = tz.w[k];
    const o = k * plane;
    for (let i = 0; i < plane; i++) out[o + i] = a[i] * (1 - wz) + b[i] * wz;
  }
  return out;
}

/**
 * The voxel-to-world affine (row-major 4x4) of a grid resampled by `scale` (output voxel size over
 * input voxel size, per axis) sharing the input grid's outer corner, as resampleLinear samples it.
 */
export function resampledAffine(affine: readonly number[], scale: Vec3): number[] {
  const a = affine.slice();
  for (let r = 0; r < 3; r++) {
    for (let j = 0; j < 3; j++) {
      a[4 * r + j] = affine[4 * r + j] * scale[j];
      a[4 * r + 3] += affine[4 * r + j] * (0.5 * scale[j] - 0.5);
    }
  }
  return a;
}

/** Nearest-neighbour resampling for label maps: output voxel i takes input voxel floor((i + 0.5) * scale). */
export function resampleLabelsNearest(
  labels: Uint8Array,
  dims: Vec3,
  outDims: Vec3,
  scale: Vec3 = [dims[0] / outDims[0], dims[1] / outDims[1], dims[2] / outDims[2]],
): Uint8Array {
  checkInput(labels, dims, 0, 'resampleLabelsNearest');
  const idx = [0, 1, 2].map((a) => {
    const t = new Int32Array(outDims[a]);
    for (let i = 0; i < outDims[a]; i++) t[i] = Math.min(dims[a] - 1, Math.floor((i + 0.5) * scale[a]));
    return t;
  });
  const [nx, ny] = dims;
  const out = new Uint8Array(outDims[0] * outDims[1] * outDims[2]);
  let o = 0;
  for (let k = 0; k < outDims[2]; k++) {
    for (let j = 0; j < outDims[1]; j++) {
      const row = nx * (idx[1][j] + ny * idx[2][k]);
      for (let i = 0; i < outDims[0]; i++) out[o++] = labels[row + idx[0][i]];
    }
  }
  return out;
}

/**
 * The label of the trilinearly resampled logits, without resampling every channel: output voxel v is
 * argmax_c of resampleLinear(channel c)[v] (first channel on ties, float32 rounding as resampleLinear).
 * Trilinear interpolation is a convex blend of its eight corner voxels, so where the corners agree on
 * their argmax the blend keeps it: only voxels whose corners disagree (organ borders) blend every
 * channel. Reads channel c of the input grid at `channelOffset[c]` and the box `cropDims` at `origin`
 * of `dims` (the padded model grid), and never holds a channel at the output resolution.
 */
export function resampleArgmax(
  data: Float32Array,
  dims: Vec3,
  origin: Vec3,
  cropDims: Vec3,
  outDims: Vec3,
  scale: Vec3,
  channelOffset: readonly number[],
  labelIds: readonly number[],
): Uint8Array {
  const C = channelOffset.length;
  const [nx, ny] = dims;
  const [cx, cy, cz] = cropDims;
  const [ox, oy, oz] = outDims;
  const at = (x: number, y: number, z: number) => origin[0] + x + nx * (origin[1] + y + ny * (origin[2] + z));
  // Argmax (channel index) on the crop of the model grid.
  const am = new Uint8Array(cx * cy * cz);
  for (let z = 0, q = 0; z < cz; z++) for (let y = 0; y < cy; y++) {
    const row = at(0, y, z);
    for (let x = 0; x < cx; x++, q++) {
      let best = -Infinity, arg = 0;
      for (let c = 0; c < C; c++) {
        const v = data[channelOffset[c] + row + x];
        if (v > best) { best = v; arg = c; }
      }
      am[q] = arg;
    }
  }
  const tx = axisTaps(cx, ox, scale[0]);
  const ty = axisTaps(cy, oy, scale[1]);
  const tz = axisTaps(cz, oz, scale[2]);
  const f = Math.fround;
  const out = new Uint8Array(ox * oy * oz);
  let o = 0;
  for (let k = 0; k < oz; k++) {
    const z0 = tz.lo[k], z1 = tz.hi[k], wz = tz.w[k];
    for (let j = 0; j < oy; j++) {
      const y0 = ty.lo[j], y1 = ty.hi[j], wy = ty.w[j];
      const a00 = cx * (y0 + cy * z0), a10 = cx * (y1 + cy * z0), a01 = cx * (y0 + cy * z1), a11 = cx * (y1 + cy * z1);
      const r00 = at(0, y0, z0), r10 = at(0, y1, z0), r01 = at(0, y0, z1), r11 = at(0, y1, z1);
      for (let i = 0; i < ox; i++, o++) {
        const x0 = tx.lo[i], x1 = tx.hi[i];
        const c0 = am[a00 + x0];
        if (c0 === am[a00 + x1] && c0 === am[a10 + x0] && c0 === am[a10 + x1]
          && c0 === am[a01 + x0] && c0 === am[a01 + x1] && c0 === am[a11 + x0] && c0 === am[a11 + x1]) {
          out[o] = labelIds[c0];
          continue;
        }
        const wx = tx.w[i];
        let best = -Infinity, lab = labelIds[0];
        for (let c = 0; c < C; c++) {
          const b = channelOffset[c];
          const p0 = f(f(data[b + r00 + x0] * (1 - wx) + data[b + r00 + x1] * wx) * (1 - wy) + f(data[b + r10 + x0] * (1 - wx) + data[b + r10 + x1] * wx) * wy);
          const p1 = f(f(data[b + r01 + x0] * (1 - wx) + data[b + r01 + x1] * wx) * (1 - wy) + f(data[b + r11 + x0] * (1 - wx) + data[b + r11 + x1] * wx) * wy);
          const v = f(p0 * (1 - wz) + p1 * wz);
          if (v > best) { best = v; lab = labelIds[c]; }
        }
        out[o] = lab;
      }
    }
  }
  return out;
}
