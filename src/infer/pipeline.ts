/**
 * Backend-agnostic inference: `preprocess` (preprocess/preprocess.ts) brings a CT to the model's grid,
 * `segmentVolume` runs the sliding window through a caller-supplied `runTile` (onnxruntime lives in
 * runtime/backend.ts, not here), stitches the tiles and `postprocess` puts the labels back on the
 * input's grid.
 */
import type { ModelCard } from './contract/modelCard';
import type { NiftiVolume } from './io/nifti';
import { organVolumesMl } from './eval/metrics';
import { bodyCutOff, checkAfterRun, geometryWarnings, mergeWarnings } from './preprocess/applicability';
import { type Preprocessed, postprocess, preprocess } from './preprocess/preprocess';
import { LogitAccumulator, slidingWindowTiles } from './runtime/slidingWindow';
import { type RunTile, tileAt } from './runtime/tileRunner';
import { mirrorTile } from './runtime/mirror';
import { keepLargestComponents } from './postprocess/components';

export type { RunTile };

export interface SegmentOptions {
  /** Tile step as a fraction of the patch (default 0.5). */
  step?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Test-time augmentation: also run each tile mirrored left-right (2x the model runs) and average,
   * the mirror's lateral channels swapped back through the card's partners (kidney_left <->
   * kidney_right). Default: the card's `inference.mirror`.
   */
  mirror?: boolean;
  /** Keep only the largest connected component of the organs the card's `inference.largestComponent` names (default true). */
  postprocess?: boolean;
}

export interface SegmentResult {
  labels: Uint8Array;
  /** mL per label id. */
  volumesMl: Record<number, number>;
  seconds: number;
  /** Time spent outside `runTile` (pre/post-processing, stitching). */
  outsideRunSeconds: number;
  /** Seconds per stage: where the time went. */
  stages: StageSeconds;
  tiles: number;
  warnings: string[];
  /** The volume on the model's grid that the tiles came from (attention maps reuse it). */
  preprocessed: Preprocessed;
}

export interface StageSeconds {
  /** Reorientation, resampling to the model grid, normalisation, padding. */
  preprocess: number;
  /** Cutting tiles and their volume-token indices (and mirroring them). */
  tiles: number;
  /** Inside `runTile` (the model). */
  model: number;
  /** Gaussian-weighted accumulation of the tiles' logits and the final division. */
  stitch: number;
  /** Resampling back to the input grid with the argmax, and the largest-component step. */
  postprocess: number;
  /** Applicability checks and organ volumes. */
  checks: number;
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
  const stages: StageSeconds = { preprocess: 0, tiles: 0, model: 0, stitch: 0, postprocess: 0, checks: 0 };
  let mark = t0;
  /** Adds the time since the last lap to `stage`. */
  const lap = (stage: keyof StageSeconds): void => {
    const now = performance.now();
    stages[stage] += (now - mark) / 1000;
    mark = now;
  };
  const pre = preprocess(volume, card);
  lap('preprocess');
  const patch = card.patchSize;
  const C = card.labels.length;
  const m = patch[0] * patch[1] * patch[2];
  const tiles = slidingWindowTiles(pre.dims, patch, opts.step ?? 0.5);
  const acc = new LogitAccumulator(C, pre.dims, patch);
  const mirror = opts.mirror ?? card.inference?.mirror ?? false;
  const partners = card.labels.map((l) => card.labels.findIndex((m) => m.id === (l.mirror ?? l.id)));
  const timed = async (tile: Float32Array, vt: BigInt64Array | undefined): Promise<Float32Array> => {
    lap('tiles');
    const out = await runTile(tile, vt);
    inRun += performance.now() - mark;
    lap('model');
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
    const logits = await timed(tile, vt);
    if (mirror) {
      const mt = mirrorTile(card, tile, origin, pre.props.anchorVoxel);
      const back = mirrorTile(card, await timed(mt.image, mt.vt), origin, pre.props.anchorVoxel, partners).image;
      for (let k = 0; k < logits.length; k++) logits[k] = 0.5 * (logits[k] + back[k]);
    }
    lap('tiles');
    acc.add(logits, origin);
    lap('stitch');
    opts.onProgress?.(i + 1, tiles.length);
  }
  if (opts.signal?.aborted) throw abortError(tiles.length, tiles.length);
  const labelIds = card.labels.map((l) => l.id);
  const finished = acc.finish();
  lap('stitch');
  const labels = postprocess(finished, pre.props, labelIds);
  const lcc = opts.postprocess === false ? [] : card.labels.filter((l) => card.inference?.largestComponent.includes(l.name)).map((l) => l.id);
  if (lcc.length) keepLargestComponents(labels, volume.dims, lcc);
  lap('postprocess');
  const volumesMl = organVolumesMl(labels, volume.spacing, labelIds);
  // Applicability checks (preprocess/applicability.ts): geometry before, organ volumes after the run.
  const cut = bodyCutOff(volume);
  const warnings = mergeWarnings(volume.warnings, pre.warnings, geometryWarnings(volume, card, cut, pre.props.orientation), checkAfterRun(volume, labels, volumesMl, card, cut));
  lap('checks');
  const seconds = (performance.now() - t0) / 1000;
  return { labels, volumesMl, seconds, outsideRunSeconds: seconds - inRun / 1000, stages, tiles: tiles.length, warnings, preprocessed: pre };
}
