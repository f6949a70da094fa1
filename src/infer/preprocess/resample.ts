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
