/**
 * Backend-agnostic inference: `preprocess` brings a CT to the model's grid and intensity scale and
 * returns the properties `postprocess` needs to undo it; `segmentVolume` runs the sliding window
 * through a caller-supplied `runTile` (onnxruntime lives in backend.ts, not here).
 */
import type { ModelCard } from './contract/modelCard';
import type { NiftiVolume } from './io/nifti';
import type { Vec3 } from './io/niftiHeader';
import { organVolumesMl } from './eval/metrics';
import { checkAfterRun, geometryWarnings, mergeWarnings } from './contract/applicability';
import { bodyAnchor, normaliseCT } from './preprocess/normalise';
import { resampleLinear, resampledDims } from './preprocess/resample';
import { LogitAccumulator, type Padding, cropBox, padToPatch, slidingWindowTiles } from './runtime/slidingWindow';
import { volumeTokenIndices } from './runtime/volumeTokens';
import { ctWarnings } from './preprocess/ctCheck';
import { flipChannels } from './runtime/mirror';

export interface PreprocessProps {
  originalDims: Vec3;
  originalSpacing: Vec3;
  /** Grid at the model spacing, before padding. */
  resampledDims: Vec3;
  /** Resampled-grid voxels per original voxel (original spacing / model spacing), 1 when not resampled. */
  scaleBack: Vec3;
  padding: Padding;
  paddedDims: Vec3;
  /** Body anchor of the volume-token grid, voxel coordinates of the padded grid. */
  anchorVoxel: Vec3;
}

export interface Preprocessed {
  /** Normalised CT at the model spacing, padded to at least the patch, x-fastest. */
  image: Float32Array;
  dims: Vec3;
  props: PreprocessProps;
  warnings: string[];
}

const SAME_SPACING = 1e-3;

export function preprocess(volume: NiftiVolume, card: ModelCard): Preprocessed {
  const warnings = ctWarnings(volume.data);
  const same = volume.spacing.every((s, a) => Math.abs(s - card.spacing[a]) <= SAME_SPACING * card.spacing[a]);
  const rDims = same ? volume.dims : resampledDims(volume.dims, volume.spacing, card.spacing);
  const forward = card.spacing.map((t, a) => t / volume.spacing[a]) as Vec3;
  const hu = same ? volume.data : resampleLinear(volume.data, volume.dims, rDims, forward);
  const anchor = bodyAnchor(hu, rDims, card.volumeTokens?.huThreshold ?? -500);
  const normalised = normaliseCT(hu, card.normalisation);
  // Outside the scan is air: pad with the normalised lower clip value.
  const air = (card.normalisation.clip[0] - card.normalisation.mean) / card.normalisation.std;
  const padded = padToPatch(normalised, rDims, card.patchSize, air);
  return {
    image: padded.data,
    dims: padded.dims,
    props: {
      originalDims: volume.dims,
      originalSpacing: volume.spacing,
      resampledDims: rDims,
      scaleBack: same ? [1, 1, 1] : (volume.spacing.map((s, a) => s / card.spacing[a]) as Vec3),
      padding: padded.padding,
      paddedDims: padded.dims,
      anchorVoxel: anchor.map((x, a) => x + padded.padding.before[a]) as Vec3,
    },
    warnings,
  };
}

/**
 * Logits on the padded model grid ([C][...paddedDims]) to labels on the original grid: crop the
 * padding and resample back channel by channel, keeping a running maximum, so only one channel is
 * ever held at the original resolution. Channel c becomes label `labelIds[c]`.
 */
export function postprocess(logits: Float32Array, props: PreprocessProps, labelIds: number[]): Uint8Array {
  const C = labelIds.length;
  const pN = props.paddedDims[0] * props.paddedDims[1] * props.paddedDims[2];
  if (logits.length !== C * pN) {
    throw new Error(`postprocess: ${logits.length} logits arrived, expected ${C} labels x ${props.paddedDims.join('x')}`);
  }
  const r = props.resampledDims;
  const o = props.originalDims;
  const oN = o[0] * o[1] * o[2];
  const cropped = new Float32Array(r[0] * r[1] * r[2]);
  const channel = new Float32Array(oN);
  const best = new Float32Array(oN).fill(-Infinity);
  const labels = new Uint8Array(oN);
  for (let c = 0; c < C; c++) {
    cropBox(logits, props.paddedDims, props.padding.before, r, cropped, c * pN);
    resampleLinear(cropped, r, o, props.scaleBack, channel);
    const id = labelIds[c];
    for (let v = 0; v < oN; v++) {
      if (channel[v] > best[v]) { best[v] = channel[v]; labels[v] = id; }
    }
  }
  return labels;
}

export type RunTile = (image: Float32Array, vtIndex: BigInt64Array | undefined) => Promise<Float32Array>;

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
    const tile = cropBox(pre.image, pre.dims, origin, patch);
    const vt = card.volumeTokens
      ? volumeTokenIndices(card.volumeTokens, origin, patch, card.spacing, pre.props.anchorVoxel)
      : undefined;
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
