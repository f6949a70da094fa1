/**
 * Before and after, on slices the adaptation did not learn from: the model's labels on the held-out
 * slices of the model grid (a sliding window over them and half a patch of context), and the Dice of
 * each organ against the corrected labels there.
 */
import type { ModelCard } from '../contract/modelCard';
import { diceScore } from '../eval/metrics';
import type { Vec3 } from '../io/niftiHeader';
import { LogitAccumulator, slidingWindowTiles } from '../runtime/slidingWindow';
import { type RunTile, tileAt } from '../runtime/tileRunner';
import type { AdaptScan } from './crops';

export interface HeldOutScore {
  /** Mean over the organs present in the corrected labels or the prediction. */
  mean: number;
  organs: { id: number; name: string; dice: number }[];
}

/** Argmax labels of slices [z, nz) of the scan (tiles start up to half a patch below z for context). */
export async function labelSlices(s: AdaptScan, z: number, card: ModelCard, runTile: RunTile, signal?: AbortSignal, between?: () => Promise<void>): Promise<Uint8Array> {
  const [nx, ny, nz] = s.dims;
  const pz = card.patchSize[2];
  const z0 = Math.max(0, Math.min(z - Math.floor(pz / 2), nz - pz));
  const dims: Vec3 = [nx, ny, nz - z0];
  const image = s.image.subarray(z0 * nx * ny);
  const anchor: Vec3 = [s.anchorVoxel[0], s.anchorVoxel[1], s.anchorVoxel[2] - z0];
  const C = card.labels.length;
  const acc = new LogitAccumulator(C, dims, card.patchSize);
  for (const origin of slidingWindowTiles(dims, card.patchSize)) {
    if (origin[2] + pz <= z - z0) continue;
    if (signal?.aborted) throw new DOMException('Held-out scoring stopped', 'AbortError');
    const t = tileAt(card, image, dims, origin, anchor);
    acc.add(await runTile(t.image, t.vt), origin);
    await between?.();
  }
  const logits = acc.finish();
  const plane = nx * ny, skip = (z - z0) * plane, n = (nz - z) * plane, m = dims[2] * plane;
  const out = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    let best = 0, bv = logits[skip + v];
    for (let c = 1; c < C; c++) if (logits[c * m + skip + v] > bv) [best, bv] = [c, logits[c * m + skip + v]];
    out[v] = card.labels[best].id;
  }
  return out;
}

export function heldOutScore(pred: Uint8Array, s: AdaptScan, z: number, card: ModelCard): HeldOutScore {
  const ref = s.labels.subarray(z * s.dims[0] * s.dims[1]);
  const present = new Set<number>([...new Set(ref), ...new Set(pred)]);
  const organs = card.labels.filter((l) => l.id !== 0 && present.has(l.id)).map((l) => ({ id: l.id, name: l.name, dice: diceScore(pred, ref, l.id) }));
  return { mean: organs.length ? organs.reduce((a, o) => a + o.dice, 0) / organs.length : NaN, organs };
}
