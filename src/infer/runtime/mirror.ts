/**
 * Axis flips for mirroring test-time augmentation. `mask` bit 0 flips x, bit 1 y, bit 2 z; a flip
 * is its own inverse, so the same call maps logits of a flipped tile back.
 */
import type { ModelCard } from '../contract/modelCard';
import type { Vec3 } from '../io/niftiHeader';
import { volumeTokenIndices } from './volumeTokens';

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

/**
 * The left-right mirror of a tile (`channels` 1: the image) or of its logits (`partners` given: channel
 * c of the result is channel partners[c] of the mirrored logits, so kidney_left's channel returns to
 * kidney_right's place). The mirrored tile shows the patient mirrored about the body anchor: its
 * volume tokens are those of the mirrored position, origin x' = 2 * anchor - origin - (patch - 1), as
 * the trainer's mirrored crops gather them.
 */
export function mirrorTile(card: ModelCard, data: Float32Array, origin: Vec3, anchor: Vec3, partners?: number[]): { image: Float32Array; vt?: BigInt64Array } {
  const patch = card.patchSize;
  if (!partners) {
    const mo: Vec3 = [2 * anchor[0] - origin[0] - (patch[0] - 1), origin[1], origin[2]];
    return {
      image: flipChannels(data, 1, patch, 1),
      vt: card.volumeTokens ? volumeTokenIndices(card.volumeTokens, mo, patch, card.spacing, anchor) : undefined,
    };
  }
  const flipped = flipChannels(data, partners.length, patch, 1);
  const n = patch[0] * patch[1] * patch[2];
  const out = new Float32Array(flipped.length);
  partners.forEach((p, c) => out.set(flipped.subarray(p * n, (p + 1) * n), c * n));
  return { image: out };
}
