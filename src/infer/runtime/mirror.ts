/**
 * Axis flips for mirroring test-time augmentation. `mask` bit 0 flips x, bit 1 y, bit 2 z; a flip
 * is its own inverse, so the same call maps logits of a flipped tile back.
 */
import type { Vec3 } from '../io/niftiHeader';

/** Flips channel-major data [C][nz][ny][nx]; returns a new array (a copy when mask is 0). */
export function flipChannels(data: Float32Array, channels: number, dims: Vec3, mask: number): Float32Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  if (data.length !== channels * n) {
    throw new Error(`flipChannels: ${data.length} values arrived, expected ${channels} channels x ${dims.join('x')}`);
  }
  const out = new Float32Array(data.length);
  const fx = (mask & 1) !== 0;
  const fy = (mask & 2) !== 0;
  const fz = (mask & 4) !== 0;
  for (let c = 0; c < channels; c++) {
    const base = c * n;
    let o = base;
    for (let z = 0; z < nz; z++) {
      const sz = fz ? nz - 1 - z : z;
      for (let y = 0; y < ny; y++) {
        const row = base + nx * ((fy ? ny - 1 - y : y) + ny * sz);
        if (fx) for (let x = 0; x < nx; x++) out[o++] = data[row + nx - 1 - x];
        else for (let x = 0; x < nx; x++) out[o++] = data[row + x];
      }
    }
  }
  return out;
}
