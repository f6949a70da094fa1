/**
 * Training data: image/label pairs by naming convention, brought to the model grid by the very
 * `preprocess` that inference uses (so training and inference see identical inputs).
 *
 * Convention: `<case>_ct.nii[.gz]` with its label map `<case>_seg<anything>.nii[.gz]` in the same
 * folder (e.g. caseA_ct.nii.gz + caseA_seg9.nii.gz). `--data` takes folders or CT files.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ModelCard, Normalisation } from '../infer/contract/modelCard';
import { type NiftiVolume, readNifti } from '../infer/io/nifti';
import { foregroundStats } from '../infer/preprocess/normalise';
import { preprocess } from '../infer/pipeline';
import { resampleLabelsNearest } from '../infer/preprocess/resample';
import type { Vec3 } from '../infer/io/niftiHeader';

export interface CasePair {
  name: string;
  image: string;
  label: string;
}

export interface TrainCase {
  name: string;
  /** Normalised CT on the padded model grid. */
  image: Float32Array;
  labels: Uint8Array;
  dims: Vec3;
  anchorVoxel: Vec3;
  /** Flat indices of foreground voxels, for foreground oversampling. */
  foreground: Int32Array;
}

const CT_RE = /^(.+)_ct\.nii(\.gz)?$/;

export class DataError extends Error {
  override name = 'DataError';
}

function pairFor(ct: string): CasePair {
  const m = CT_RE.exec(basename(ct));
  if (!m) throw new DataError(`${ct}: not a training image; expected <case>_ct.nii or <case>_ct.nii.gz`);
  const dir = dirname(ct);
  const label = readdirSync(dir).filter((f) => f.startsWith(`${m[1]}_seg`) && /\.nii(\.gz)?$/.test(f)).sort()[0];
  if (!label) throw new DataError(`${ct}: no label map ${m[1]}_seg*.nii[.gz] beside it; every CT needs its label map`);
  return { name: m[1], image: ct, label: join(dir, label) };
}

/** Finds the image/label pairs in the given folders and CT files. */
export function findCases(paths: readonly string[]): CasePair[] {
  const pairs: CasePair[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new DataError(`${p}: no such file or folder`);
    if (statSync(p).isDirectory()) {
      const cts = readdirSync(p).filter((f) => CT_RE.test(f)).sort();
      if (!cts.length) throw new DataError(`${p}: no <case>_ct.nii[.gz] files in this folder`);
      pairs.push(...cts.map((f) => pairFor(join(p, f))));
    } else pairs.push(pairFor(p));
  }
  return pairs;
}

export interface RawCase {
  pair: CasePair;
  image: NiftiVolume;
  label: NiftiVolume;
}

export function readCase(pair: CasePair): RawCase {
  const image = readNifti(new Uint8Array(readFileSync(pair.image)), pair.image);
  const label = readNifti(new Uint8Array(readFileSync(pair.label)), pair.label);
  if (image.dims.some((d, i) => d !== label.dims[i])) throw new DataError(`${pair.label}: label grid ${label.dims.join('x')} differs from the CT's ${image.dims.join('x')}`);
  return { pair, image, label };
}

function toLabels(v: NiftiVolume, classes: number, file: string): Uint8Array {
  const out = new Uint8Array(v.data.length);
  for (let i = 0; i < out.length; i++) {
    const l = Math.round(v.data[i]);
    if (l < 0 || l >= classes) throw new DataError(`${file}: label ${l} at voxel ${i} is outside 0..${classes - 1}`);
    out[i] = l;
  }
  return out;
}

/** CT normalisation from the training foreground (nnU-Net: 0.5/99.5 percentiles, mean, std). */
export function normalisationOf(cases: readonly RawCase[]): Normalisation {
  return foregroundStats(cases.map((c) => c.image.data), cases.map((c) => c.label.data));
}

/** Preprocesses a case exactly as inference will, and brings its labels to the same padded grid. */
export function prepareCase(raw: RawCase, card: ModelCard): TrainCase {
  const pre = preprocess(raw.image, card);
  const { props } = pre;
  const labels0 = toLabels(raw.label, card.labels.length, raw.pair.label);
  // The exact spacing ratio `preprocess` resampled the image with (not dims / dims, which rounding skews).
  const scale = card.spacing.map((t, a) => t / raw.image.spacing[a]) as Vec3;
  const r = props.resampledDims.every((d, a) => d === props.originalDims[a]) ? labels0 : resampleLabelsNearest(labels0, props.originalDims, props.resampledDims, scale);
  const [px, py] = pre.dims;
  const [rx, ry, rz] = props.resampledDims;
  const [bx, by, bz] = props.padding.before;
  const labels = new Uint8Array(pre.dims[0] * pre.dims[1] * pre.dims[2]);
  for (let z = 0; z < rz; z++) for (let y = 0; y < ry; y++) {
    labels.set(r.subarray((z * ry + y) * rx, (z * ry + y + 1) * rx), ((z + bz) * py + y + by) * px + bx);
  }
  const fg: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0) fg.push(i);
  return { name: raw.pair.name, image: pre.image, labels, dims: pre.dims, anchorVoxel: props.anchorVoxel, foreground: Int32Array.from(fg) };
}
