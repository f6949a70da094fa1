/**
 * Backend-agnostic inference: `preprocess` (preprocess/preprocess.ts) brings a CT to the model's grid,
 * `segmentVolume` runs the sliding window through a caller-supplied `runTile` (onnxruntime lives in
 * runtime/backend.ts, not here), stitches the tiles and `postprocess` puts the labels back on the
 * input's grid.
 */
import type { ModelCard } from './contract/modelCard';
import type { NiftiVolume } from './io/nifti';
import { organVolumesMl } from './eval/metrics';
import { checkAfterRun, geometryWarnings, mergeWarnings } from './contract/applicability';
import { postprocess, preprocess } from './preprocess/preprocess';
import { LogitAccumulator, slidingWindowTiles } from './runtime/slidingWindow';
import { type RunTile, tileAt } from './runtime/tileRunner';
import { flipChannels } from './runtime/mirror';

export type { RunTile };

export interface SegmentOptions {
  /** Tile step as a fraction of the patch (default 0.5). */
  step?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Test-time augmentation: average the 8 axis flips (8x the model runs). Only for models trained with
   * mirroring: the bundled models are not (their labels are lateralised, kidney_left / kidney_right).
   */
  mirror?: boolean;
}

export interface SegmentResult {
  labels: Uint8Array;
  /** mL per label id. */
  volumesMl: Record<number, number>;
  seconds: number;
  /** Time spent outside `runTile` (pre/post-processing, stitching). */
  outsideRunSeconds: number;
  tiles: number;
  warnings: string[];
}

function abortError(done: number, total: number): DOMException {
  return new DOMException(`Segmentation aborted after ${done} of ${total} tiles`, 'AbortError');
}

export async function segmentVolume(
  volume: NiftiVolume,
  card: ModelCard,
  runTile: RunTile,
  opts: SegmentOptions = {},
): Promise<SegmentResult> {
  const t0 = performance.now();
  let inRun = 0;
  const pre = preprocess(volume, card);
  const patch = card.patchSize;
  const C = card.labels.length;
  const m = patch[0] * patch[1] * patch[2];
  const tiles = slidingWindowTiles(pre.dims, patch, opts.step ?? 0.5);
  const acc = new LogitAccumulator(C, pre.dims, patch);
  const flips = opts.mirror ? [0, 1, 2, 3, 4, 5, 6, 7] : [0];
  const timed = async (tile: Float32Array, vt: BigInt64Array | undefined): Promise<Float32Array> => {
    const s = performance.now();
    const out = await runTile(tile, vt);
    inRun += performance.now() - s;
    if (!(out instanceof Float32Array) || out.length !== C * m) {
      throw new Error(
        `runTile returned ${out?.length} values, expected float32 logits of ${C} labels x ${patch.join('x')}; check io.logits in the model card`,
      );
    }
    return out;
  };
  for (let i = 0; i < tiles.length; i++) {
    if (opts.signal?.aborted) throw abortError(i, tiles.length);
    const origin = tiles[i];
    const { image: tile, vt } = tileAt(card, pre.image, pre.dims, origin, pre.props.anchorVoxel);
    let logits: Float32Array;
    if (flips.length === 1) {
      logits = await timed(tile, vt);
    } else {
      logits = new Float32Array(C * m);
      for (const mask of flips) {
        const out = await timed(flipChannels(tile, 1, patch, mask), vt);
        const back = flipChannels(out, C, patch, mask);
        for (let k = 0; k < logits.length; k++) logits[k] += back[k] / flips.length;
      }
    }
    acc.add(logits, origin);
    opts.onProgress?.(i + 1, tiles.length);
  }
  if (opts.signal?.aborted) throw abortError(tiles.length, tiles.length);
  const labelIds = card.labels.map((l) => l.id);
  const labels = postprocess(acc.finish(), pre.props, labelIds);
  const seconds = (performance.now() - t0) / 1000;
  const volumesMl = organVolumesMl(labels, volume.spacing, labelIds);
  return {
    labels,
    volumesMl,
    seconds,
    outsideRunSeconds: seconds - inRun / 1000,
    tiles: tiles.length,
    // Applicability checks (contract/applicability.ts): geometry before, organ volumes after the run.
    warnings: mergeWarnings(volume.warnings, pre.warnings, geometryWarnings(volume, card), checkAfterRun(volume, labels, volumesMl, card)),
  };
}
