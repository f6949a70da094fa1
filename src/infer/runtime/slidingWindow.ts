/**
 * Sliding-window inference maths (nnU-Net v2 conventions): tile origins, padding up to the patch,
 * Gaussian importance weights and the weighted logit accumulator.
 *
 * Worked example, one axis, size 160, patch 64, step 0.5: target step 32 voxels,
 * n = ceil((160 - 64) / 32) + 1 = 4 tiles, actual step (160 - 64) / 3 = 32, origins 0, 32, 64, 96.
 * Size 100, patch 64: n = ceil(36 / 32) + 1 = 3, step 18, origins 0, 18, 36.
 * Size 64 or less: one tile at 0 (the volume is padded to the patch first).
 */
import type { Vec3 } from '../io/niftiHeader';

/** Tile origins along one axis. */
export function axisTileOrigins(size: number, patch: number, step = 0.5): number[] {
  if (!(step > 0 && step <= 1)) throw new Error(`slidingWindowTiles: step must be in (0, 1], got ${step}`);
  if (size <= patch) return [0];
  const n = Math.ceil((size - patch) / (patch * step)) + 1;
  const actual = (size - patch) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.round(i * actual));
}

/** All tile origins (x, y, z), x fastest. */
export function slidingWindowTiles(dims: Vec3, patch: Vec3, step = 0.5): Vec3[] {
  const [xs, ys, zs] = [0, 1, 2].map((a) => axisTileOrigins(dims[a], patch[a], step));
  const tiles: Vec3[] = [];
  for (const z of zs) for (const y of ys) for (const x of xs) tiles.push([x, y, z]);
  return tiles;
}

/** Copies a box of `size` at `origin` out of a volume (one channel starting at `offset`). */
export function cropBox(data: ArrayLike<number>, dims: Vec3, origin: Vec3, size: Vec3, out?: Float32Array, offset = 0): Float32Array {
  const [nx, ny] = dims;
  for (let a = 0; a < 3; a++) {
    if (origin[a] < 0 || origin[a] + size[a] > dims[a]) {
      throw new Error(`cropBox: box ${origin.join(',')} + ${size.join('x')} leaves the volume ${dims.join('x')} on axis ${a}`);
    }
  }
  const dst = out ?? new Float32Array(size[0] * size[1] * size[2]);
  let o = 0;
  for (let z = 0; z < size[2]; z++) {
    for (let y = 0; y < size[1]; y++) {
      const row = offset + origin[0] + nx * (origin[1] + y + ny * (origin[2] + z));
      for (let x = 0; x < size[0]; x++) dst[o++] = data[row + x];
    }
  }
  return dst;
}

/**
 * Separable Gaussian centred at floor(p / 2) with sigma = p * sigmaScale, normalised to max 1;
 * values below the smallest nonzero weight are raised to it so no voxel gets weight 0.
 */
export function gaussianImportance(patch: Vec3, sigmaScale = 1 / 8): Float32Array {
  const axes = patch.map((p) => {
    const c = Math.floor(p / 2);
    const s = p * sigmaScale;
    return Float64Array.from({ length: p }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * s * s)));
  });
  const out = new Float32Array(patch[0] * patch[1] * patch[2]);
  let o = 0;
  let minNonZero = Infinity;
  for (let z = 0; z < patch[2]; z++) {
    for (let y = 0; y < patch[1]; y++) {
      const wyz = axes[1][y] * axes[2][z];
      for (let x = 0; x < patch[0]; x++) {
        const v = axes[0][x] * wyz;
        out[o++] = v;
        if (v > 0 && v < minNonZero) minNonZero = v;
      }
    }
  }
  for (let i = 0; i < out.length; i++) if (out[i] < minNonZero) out[i] = minNonZero;
  return out;
}

/** Sum of Gaussian-weighted tile logits, divided by the summed weights on `finish`. */
export class LogitAccumulator {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;
  private readonly n: number;
  private readonly importance: Float32Array;

  constructor(
    readonly channels: number,
    readonly dims: Vec3,
    readonly patch: Vec3,
    importance: Float32Array = gaussianImportance(patch),
  ) {
    this.n = dims[0] * dims[1] * dims[2];
    this.sum = new Float32Array(channels * this.n);
    this.weight = new Float32Array(this.n);
    this.importance = importance;
  }

  /** Adds one tile's logits, channel-major [C][pz][py][px], whose first voxel is at `origin`. */
  add(tileLogits: Float32Array, origin: Vec3): void {
    const [px, py, pz] = this.patch;
    const m = px * py * pz;
    if (tileLogits.length !== this.channels * m) {
      throw new Error(
        `LogitAccumulator.add: tile logits have ${tileLogits.length} values, expected ${this.channels} channels x ${px}x${py}x${pz}`,
      );
    }
    const [nx, ny] = this.dims;
    for (let a = 0; a < 3; a++) {
      if (origin[a] < 0 || origin[a] + this.patch[a] > this.dims[a]) {
        throw new Error(`LogitAccumulator.add: tile at ${origin.join(',')} leaves the volume ${this.dims.join('x')}`);
      }
    }
    // Channel-outer, row-contiguous: every inner loop walks both arrays with stride 1.
    const w = this.importance;
    for (let c = -1; c < this.channels; c++) {
      const dst = c < 0 ? this.weight : this.sum;
      const dOff = c < 0 ? 0 : c * this.n;
      const sOff = c * m;
      let t = 0;
      for (let z = 0; z < pz; z++) {
        for (let y = 0; y < py; y++, t += px) {
          const row = dOff + origin[0] + nx * (origin[1] + y + ny * (origin[2] + z));
          if (c < 0) for (let x = 0; x < px; x++) dst[row + x] += w[t + x];
          else for (let x = 0; x < px; x++) dst[row + x] += w[t + x] * tileLogits[sOff + t + x];
        }
      }
    }
  }

  /** The weighted mean logits [C][nz][ny][nx]; voxels no tile touched stay 0. Call once: it reuses its buffers. */
  finish(): Float32Array {
    const inv = this.weight;
    for (let v = 0; v < this.n; v++) inv[v] = inv[v] > 0 ? 1 / inv[v] : 0;
    for (let c = 0; c < this.channels; c++) {
      const o = c * this.n;
      for (let v = 0; v < this.n; v++) this.sum[o + v] *= inv[v];
    }
    return this.sum;
  }
}
