/**
 * Training data: image/label pairs by naming convention, brought to the model grid by the very
 * `preprocess` that inference uses (so training and inference see identical inputs), kept in HU.
 *
 * Convention: `<case>_ct.nii[.gz]` with its label map `<case>_seg<anything>.nii[.gz]` in the same
 * folder (e.g. caseA_ct.nii.gz + caseA_seg9.nii.gz). `--data` takes folders or CT files.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ModelCard, Normalisation } from '../infer/contract/modelCard';
import { NIFTI_NAME, type NiftiVolume, readNifti } from '../infer/io/nifti';
import { BODY_HU, foregroundStats } from '../infer/preprocess/normalise';
import { bodyFootprint } from './augment/acquisition';
import { preprocess } from '../infer/preprocess/preprocess';
import { addLabelOffsets, contrastOffsets } from './augment/intensity';
import type { Vec3 } from '../infer/io/niftiHeader';

export interface CasePair {
  name: string;
  image: string;
  label: string;
  /** `<case>_labels.json` beside the CT, when present: `{ "annotates": ["liver", ...] }`. */
  labelsCard?: string;
}

export interface TrainCase {
  name: string;
  /** CT in HU at the model spacing, canonical RAS order, unpadded (crops read past the borders as air). */
  hu: Float32Array;
  labels: Uint8Array;
  dims: Vec3;
  /** Body anchor of the volume-token grid, voxel coordinates of this grid. */
  anchorVoxel: Vec3;
  /** In-plane body footprint [y][x] (any slice above the anchor's HU threshold), for the anchor of a cut field of view. */
  footprint: Uint8Array;
  /** Flat voxel indices per label id (empty for absent labels), for class-balanced oversampling. */
  classVoxels: Int32Array[];
  /** Median HU per label id (NaN where absent): the contrast-phase simulation moves these. */
  medianHu: Float64Array;
  /** Per label id, 1 where the case annotates that label (background counts as annotated). */
  annotated: Uint8Array;
}

const CT_RE = /^(.+)_ct\.nii(\.gz)?$/;

export class DataError extends Error {
  override name = 'DataError';
}

function pairFor(ct: string): CasePair {
  const m = CT_RE.exec(basename(ct));
  if (!m) throw new DataError(`${ct}: not a training image; expected <case>_ct.nii or <case>_ct.nii.gz`);
  const dir = dirname(ct);
  const label = readdirSync(dir).filter((f) => f.startsWith(`${m[1]}_seg`) && NIFTI_NAME.test(f)).sort()[0];
  if (!label) throw new DataError(`${ct}: no label map ${m[1]}_seg*.nii[.gz] beside it; every CT needs its label map`);
  const card = join(dir, `${m[1]}_labels.json`);
  return { name: m[1], image: ct, label: join(dir, label), ...(existsSync(card) ? { labelsCard: card } : {}) };
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
  /** Names of the labels this case annotates; undefined: all of them. */
  annotates?: string[];
}

export function readCase(pair: CasePair): RawCase {
  const image = readNifti(new Uint8Array(readFileSync(pair.image)), pair.image);
  const label = readNifti(new Uint8Array(readFileSync(pair.label)), pair.label);
  if (image.dims.some((d, i) => d !== label.dims[i])) throw new DataError(`${pair.label}: label grid ${label.dims.join('x')} differs from the CT's ${image.dims.join('x')}`);
  if (pair.labelsCard) {
    let annotates: unknown;
    try {
      annotates = (JSON.parse(readFileSync(pair.labelsCard, 'utf8')) as { annotates?: unknown }).annotates;
    } catch (e) {
      throw new DataError(`${pair.labelsCard}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(annotates) || !annotates.every((x) => typeof x === 'string')) throw new DataError(`${pair.labelsCard}: expected {"annotates": ["liver", ...]} listing the label names this case annotates`);
    return { pair, image, label, annotates };
  }
  return { pair, image, label };
}

function checkLabels(v: NiftiVolume, classes: number, file: string): void {
  for (let i = 0; i < v.data.length; i++) {
    const l = v.data[i];
    if (!(l >= 0 && l < classes && Number.isInteger(l))) throw new DataError(`${file}: label ${l} at voxel ${i} is outside 0..${classes - 1} or not an integer`);
  }
}

/** Median of the HU values of each label (NaN for labels with no voxel), from an integer-HU histogram per label. */
export function labelMedians(hu: Float32Array, labels: Uint8Array, classes: number): Float64Array {
  const groups: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) if (labels[i] < classes) groups[labels[i]].push(hu[i]);
  return Float64Array.from(groups, (g) => {
    if (!g.length) return NaN;
    g.sort((a, b) => a - b);
    return g[Math.floor(g.length / 2)];
  });
}

/**
 * Brings a case to the model grid exactly as inference will (canonical orientation, model spacing),
 * keeping HU: normalisation and augmentation happen per crop.
 */
export function prepareCase(raw: RawCase, card: ModelCard): TrainCase {
  const classes = card.labels.length;
  checkLabels(raw.label, classes, raw.pair.label);
  const pre = preprocess(raw.image, card, { labels: raw.label.data, keepHu: true, pad: false });
  const labels = pre.labels as Uint8Array;
  const hu = pre.hu as Float32Array;
  const lists: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0) lists[labels[i]].push(i);
  const names = card.labels.map((l) => l.name);
  const unknown = raw.annotates?.filter((n) => !names.includes(n)) ?? [];
  if (unknown.length) throw new DataError(`${raw.pair.labelsCard}: unknown label(s) ${unknown.join(', ')}; the model's labels are ${names.join(', ')}`);
  const annotated = Uint8Array.from(card.labels, (l) => (l.id === 0 || !raw.annotates || raw.annotates.includes(l.name) ? 1 : 0));
  for (let id = 1; id < classes; id++) {
    if (!annotated[id] && lists[id].length) throw new DataError(`${raw.pair.label}: holds label ${names[id]} although ${raw.pair.labelsCard} does not list it as annotated`);
  }
  return {
    name: raw.pair.name, hu, labels, dims: pre.dims, anchorVoxel: pre.props.anchorVoxel,
    footprint: bodyFootprint(hu, pre.dims, card.volumeTokens?.huThreshold ?? BODY_HU),
    classVoxels: lists.map((l) => Int32Array.from(l)), medianHu: labelMedians(hu, labels, classes), annotated,
  };
}

/**
 * CT normalisation (nnU-Net: foreground 0.5/99.5 percentiles, mean, std) over the training cases as
 * they are and as the contrast-phase simulation shows them (each case once at a portal-venous phase),
 * so the clip does not saturate enhanced organs that a non-contrast training case never shows.
 */
export function normalisationOf(cases: readonly TrainCase[], labelNames: readonly string[]): Normalisation {
  const images: Float32Array[] = [];
  const labels: Uint8Array[] = [];
  for (const c of cases) {
    images.push(c.hu);
    labels.push(c.labels);
    const enhanced = Float32Array.from(c.hu);
    addLabelOffsets(enhanced, c.labels, contrastOffsets(labelNames, c.medianHu, () => 0.6));
    images.push(enhanced);
    labels.push(c.labels);
  }
  return foregroundStats(images, labels);
}
