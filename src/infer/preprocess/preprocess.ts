/**
 * `preprocess` brings a CT to the model's grid: canonical RAS voxel order, the model spacing, the
 * model's intensity scale, padded to at least one patch. It returns the properties `postprocess`
 * needs to put a label map back on the input's grid, in the input's voxel order. The trainer calls
 * the same function (with the label map) so training and inference see identical inputs.
 */
import type { ModelCard } from '../contract/modelCard';
import type { NiftiVolume } from '../io/nifti';
import type { Vec3 } from '../io/niftiHeader';
import { type Padding, PreprocessError, modelGridProblem, padToPatch } from './grid';

export { PreprocessError } from './grid';
import { ctWarnings } from './ctCheck';
import { AIR_HU, BODY_HU, bodyAnchor, normaliseCT } from './normalise';
import { type Orientation, fromCanonical, orientationOf, toCanonical, toCanonicalTriple } from './orientation';
import { resampleArgmax, resampleLabelsNearest, resampleLinear, resampledDims } from './resample';

export interface PreprocessProps {
  /** Dims of the input as stored. */
  inputDims: Vec3;
  /** How the input's voxel order maps to canonical RAS. */
  orientation: Orientation;
  /** Input dims and spacing in canonical order (original resolution). */
  canonicalDims: Vec3;
  canonicalSpacing: Vec3;
  /** Grid at the model spacing, before padding. */
  resampledDims: Vec3;
  /** Canonical input voxels per model voxel (model spacing / input spacing): the forward resampling scale. */
  forwardScale: Vec3;
  /** Model voxels per canonical input voxel (input spacing / model spacing), 1 when not resampled. */
  scaleBack: Vec3;
  padding: Padding;
  paddedDims: Vec3;
  /** Body anchor of the volume-token grid, voxel coordinates of the padded grid. */
  anchorVoxel: Vec3;
}

export interface Preprocessed {
  /** Normalised CT at the model spacing, canonical order, padded to at least the patch, x-fastest. */
  image: Float32Array;
  dims: Vec3;
  props: PreprocessProps;
  warnings: string[];
  /** The label map on the same grid (background in the padding), when one was given. */
  labels?: Uint8Array;
  /** HU on the same grid before normalisation (padding -1024), when asked for. */
  hu?: Float32Array;
}

export interface PreprocessOptions {
  /** A label map on the input's grid (training): returned on the model grid, nearest neighbour. */
  labels?: ArrayLike<number>;
  /** Also return the HU volume on the model grid (the trainer's intensity augmentation works in HU). */
  keepHu?: boolean;
  /** Pad to the patch (default true). The trainer samples crops past the borders itself. */
  pad?: boolean;
}

const SAME_SPACING = 1e-3;

function toUint8Labels(labels: ArrayLike<number>): Uint8Array {
  if (labels instanceof Uint8Array) return labels;
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < out.length; i++) {
    const l = Math.round(labels[i]);
    if (!(l >= 0 && l <= 255)) throw new Error(`preprocess: label ${labels[i]} at voxel ${i} is not an integer in 0..255`);
    out[i] = l;
  }
  return out;
}

function padLabels(labels: Uint8Array, dims: Vec3, padding: Padding, out: Vec3): Uint8Array {
  if (dims.every((d, a) => d === out[a])) return labels;
  const res = new Uint8Array(out[0] * out[1] * out[2]);
  const [rx, ry, rz] = dims;
  const [bx, by, bz] = padding.before;
  for (let z = 0; z < rz; z++) for (let y = 0; y < ry; y++) {
    res.set(labels.subarray((z * ry + y) * rx, (z * ry + y + 1) * rx), ((z + bz) * out[1] + y + by) * out[0] + bx);
  }
  return res;
}

export function preprocess(volume: NiftiVolume, card: ModelCard, opts: PreprocessOptions = {}): Preprocessed {
  const warnings = ctWarnings(volume.data);
  if (opts.labels && opts.labels.length !== volume.data.length) {
    throw new Error(`preprocess: the label map has ${opts.labels.length} voxels, the CT ${volume.data.length}; they must share a grid`);
  }
  // The geometry checks (applicability.ts, obliquity included) take this orientation from `props`.
  const orientation = orientationOf(volume.affine);
  const cDims = toCanonicalTriple(volume.dims, orientation);
  const cSpacing = toCanonicalTriple(volume.spacing, orientation);
  const canonical = toCanonical(volume.data, volume.dims, orientation);
  const same = cSpacing.every((s, a) => Math.abs(s - card.spacing[a]) <= SAME_SPACING * card.spacing[a]);
  const rDims = same ? cDims : resampledDims(cDims, cSpacing, card.spacing);
  const problem = modelGridProblem(cDims, rDims, cSpacing, card.spacing);
  if (problem) throw new PreprocessError(problem);
  const forward = (same ? [1, 1, 1] : card.spacing.map((t, a) => t / cSpacing[a])) as Vec3;
  const hu = same ? canonical : resampleLinear(canonical, cDims, rDims, forward);
  let labels: Uint8Array | undefined;
  if (opts.labels) {
    const l = toCanonical(toUint8Labels(opts.labels), volume.dims, orientation);
    labels = same ? l : resampleLabelsNearest(l, cDims, rDims, forward);
  }
  const anchor = bodyAnchor(hu, rDims, card.volumeTokens?.huThreshold ?? BODY_HU);
  const normalised = normaliseCT(hu, card.normalisation);
  // Outside the scan is air: pad with the normalised lower clip value.
  const air = (card.normalisation.clip[0] - card.normalisation.mean) / card.normalisation.std;
  const padded = opts.pad === false
    ? { data: normalised, dims: rDims, padding: { before: [0, 0, 0] as Vec3, after: [0, 0, 0] as Vec3 } }
    : padToPatch(normalised, rDims, card.patchSize, air);
  return {
    image: padded.data,
    dims: padded.dims,
    props: {
      inputDims: volume.dims,
      orientation,
      canonicalDims: cDims,
      canonicalSpacing: cSpacing,
      resampledDims: rDims,
      forwardScale: forward,
      scaleBack: same ? [1, 1, 1] : (cSpacing.map((s, a) => s / card.spacing[a]) as Vec3),
      padding: padded.padding,
      paddedDims: padded.dims,
      anchorVoxel: anchor.map((x, a) => x + padded.padding.before[a]) as Vec3,
    },
    warnings,
    labels: labels && padLabels(labels, rDims, padded.padding, padded.dims),
    hu: opts.keepHu ? (opts.pad === false ? hu : padToPatch(hu, rDims, card.patchSize, AIR_HU).data) : undefined,
  };
}

/**
 * Logits on the padded model grid ([C][...paddedDims]) to labels on the input's grid, in the input's
 * voxel order: the argmax of the logits resampled back trilinearly (`resampleArgmax`: only organ
 * borders blend every channel; no channel is held at the original resolution). Channel c becomes
 * label `labelIds[c]`.
 */
export function postprocess(logits: Float32Array, props: PreprocessProps, labelIds: number[]): Uint8Array {
  const C = labelIds.length;
  const pN = props.paddedDims[0] * props.paddedDims[1] * props.paddedDims[2];
  if (logits.length !== C * pN) {
    throw new Error(`postprocess: ${logits.length} logits arrived, expected ${C} labels x ${props.paddedDims.join('x')}`);
  }
  const offsets = labelIds.map((_, c) => c * pN);
  const labels = resampleArgmax(logits, props.paddedDims, props.padding.before, props.resampledDims, props.canonicalDims, props.scaleBack, offsets, labelIds);
  return fromCanonical(labels, props.inputDims, props.orientation);
}
