/**
 * nnU-Net's raw dataset layout for the trainer, beside the project's own naming (data.ts):
 *
 *   <Dataset folder>/dataset.json          labels, channels, numTraining, file ending
 *   <Dataset folder>/imagesTr/<case>_0000.nii.gz
 *   <Dataset folder>/labelsTr/<case>.nii.gz
 *   <Dataset folder>/splits_final.json     optional: [{"train": [case ids], "val": [case ids]}, ...]
 *
 * dataset.json may be nnU-Net v2 (`"labels": {"background": 0, "spleen": 1}`, "channel_names",
 * "numTraining", "file_ending") or v1 (`"labels": {"0": "background"}`, "modality", and a "training"
 * list of {"image", "label"} paths). The label table (names, colours, mirror partners) comes from it
 * (infer/contract/datasetLabels.ts); without a dataset.json the built-in CASE_LABELS apply. Only
 * single-channel CT datasets are taken. Errors are one line naming the file and what is wrong.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ArgsError } from '../util/args';
import { CASE_LABELS } from '../infer/contract/labels';
import { DatasetLabelsError, labelsFromDataset } from '../infer/contract/datasetLabels';
import type { LabelInfo } from '../infer/contract/modelCard';
import { type CasePair, DataError, findCases } from './data';

export interface NnunetDataset {
  /** Path of dataset.json. */
  file: string;
  dir: string;
  version: 1 | 2;
  labels: LabelInfo[];
  /** ".nii.gz" or ".nii". */
  fileEnding: string;
  /** Every training case (imagesTr + labelsTr), sorted by case id. */
  cases: CasePair[];
}

/** One fold of a splits file: case ids to train on and to validate on. */
export interface Fold {
  train: string[];
  val: string[];
}

export const DATASET_JSON = 'dataset.json';
export const SPLITS_JSON = 'splits_final.json';

/** Whether `path` is a folder holding a dataset.json. */
export function isDatasetFolder(path: string): boolean {
  return existsSync(join(path, DATASET_JSON)) && statSync(path).isDirectory();
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new DataError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The single CT channel of `channel_names` (v2) or `modality` (v1), or a one-line refusal. */
function checkChannels(channels: unknown, field: string, file: string): void {
  if (!isObject(channels) || !Object.keys(channels).length) throw new DataError(`${file}: "${field}" must be an object naming the input channels, e.g. {"0": "CT"}`);
  const names = Object.values(channels).map(String);
  if (names.length > 1) throw new DataError(`${file}: ${names.length} input channels (${names.join(', ')}); only single-channel CT datasets are supported`);
  if (!/\bct\b/i.test(names[0])) throw new DataError(`${file}: the input channel is "${names[0]}", not CT; the trainer takes CT in Hounsfield units only`);
}

/** A case from v1's "training" list: the image as listed or as converted by nnU-Net (`<case>_0000`). */
function v1Case(entry: unknown, i: number, dir: string, ending: string, file: string): CasePair {
  if (!isObject(entry) || typeof entry.image !== 'string' || typeof entry.label !== 'string') {
    throw new DataError(`${file}: "training"[${i}] must be {"image": "./imagesTr/<case>${ending}", "label": "./labelsTr/<case>${ending}"}`);
  }
  const listed = resolve(dir, entry.image);
  const name = basename(listed).slice(0, -ending.length);
  if (!basename(listed).endsWith(ending)) throw new DataError(`${file}: "training"[${i}] image ${entry.image} does not end in ${ending}`);
  const converted = join(dir, 'imagesTr', `${name}_0000${ending}`);
  const image = existsSync(listed) ? listed : converted;
  if (!existsSync(image)) throw new DataError(`${file}: case ${name}: no image ${entry.image} nor imagesTr/${name}_0000${ending}`);
  const label = resolve(dir, entry.label);
  if (!existsSync(label)) throw new DataError(`${file}: case ${name}: its label file ${entry.label} is missing`);
  return { name, image, label };
}

/** v2: cases from imagesTr/<case>_0000<ending>, each with labelsTr/<case><ending>. */
function scanCases(dir: string, ending: string, file: string): CasePair[] {
  const imagesDir = join(dir, 'imagesTr'), labelsDir = join(dir, 'labelsTr');
  for (const d of [imagesDir, labelsDir]) if (!existsSync(d)) throw new DataError(`${file}: no ${basename(d)} folder beside it`);
  const names: string[] = [];
  for (const f of readdirSync(imagesDir).filter((x) => x.endsWith(ending)).sort()) {
    const m = /^(.+)_(\d{4})$/.exec(f.slice(0, -ending.length));
    if (!m) throw new DataError(`${join(imagesDir, f)}: expected <case>_0000${ending} (nnU-Net numbers each image channel _XXXX)`);
    if (m[2] !== '0000') throw new DataError(`${join(imagesDir, f)}: channel ${Number(m[2])} of case ${m[1]}; only single-channel CT datasets are supported`);
    names.push(m[1]);
  }
  if (!names.length) throw new DataError(`${imagesDir}: no <case>_0000${ending} images`);
  const known = new Set(names);
  for (const f of readdirSync(labelsDir).filter((x) => x.endsWith(ending))) {
    if (!known.has(f.slice(0, -ending.length))) throw new DataError(`${join(labelsDir, f)}: a label file without its image imagesTr/${f.slice(0, -ending.length)}_0000${ending}`);
  }
  return names.map((name) => {
    const label = join(labelsDir, `${name}${ending}`);
    if (!existsSync(label)) throw new DataError(`${label}: missing; case ${name} (imagesTr/${name}_0000${ending}) has no label file`);
    return { name, image: join(imagesDir, `${name}_0000${ending}`), label };
  });
}

/** Reads an nnU-Net raw dataset folder: its dataset.json, label table and training cases. */
export function readDataset(dir: string): NnunetDataset {
  const file = join(dir, DATASET_JSON);
  const json = readJson(file);
  if (!isObject(json)) throw new DataError(`${file}: expected a JSON object`);
  const version = !('channel_names' in json) && !('file_ending' in json) && ('modality' in json || 'training' in json) ? 1 : 2;
  const required = version === 2 ? ['labels', 'channel_names', 'numTraining', 'file_ending'] : ['labels', 'modality', 'training'];
  const missing = required.filter((k) => !(k in json));
  if (missing.length) throw new DataError(`${file}: missing ${missing.map((k) => `"${k}"`).join(', ')}; an nnU-Net ${version === 2 ? 'v2' : 'v1'} dataset.json has ${required.slice(0, -1).join(', ')} and ${required[required.length - 1]}`);
  let labels: LabelInfo[];
  try {
    labels = labelsFromDataset(json, file);
  } catch (e) {
    if (e instanceof DatasetLabelsError) throw new DataError(e.message);
    throw e;
  }
  checkChannels(version === 2 ? json.channel_names : json.modality, version === 2 ? 'channel_names' : 'modality', file);
  const ending = version === 2 ? json.file_ending : '.nii.gz';
  if (ending !== '.nii.gz' && ending !== '.nii') throw new DataError(`${file}: "file_ending" is ${JSON.stringify(ending)}; only NIfTI (".nii.gz" or ".nii") is read`);
  let cases: CasePair[];
  if (version === 1) {
    if (!Array.isArray(json.training) || !json.training.length) throw new DataError(`${file}: "training" must be a non-empty list of {"image", "label"}`);
    cases = json.training.map((t, i) => v1Case(t, i, dir, ending, file));
  } else {
    cases = scanCases(dir, ending, file);
  }
  if ('numTraining' in json) {
    const n = json.numTraining;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new DataError(`${file}: "numTraining" must be a positive integer, got ${JSON.stringify(n)}`);
    if (n !== cases.length) throw new DataError(`${file}: "numTraining" is ${n} but ${version === 2 ? 'imagesTr holds' : '"training" lists'} ${cases.length} case(s)`);
  }
  const dup = cases.find((c, i) => cases.findIndex((d) => d.name === c.name) !== i);
  if (dup) throw new DataError(`${file}: case ${dup.name} is listed twice`);
  return { file, dir, version, labels, fileEnding: ending, cases: [...cases].sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Reads an nnU-Net splits file: a list of folds `{"train": [case ids], "val": [case ids]}`. */
export function readSplits(file: string): Fold[] {
  const json = readJson(file);
  const shape = `expected a list of folds [{"train": ["case", ...], "val": ["case", ...]}, ...]`;
  if (!Array.isArray(json) || !json.length) throw new DataError(`${file}: ${shape}`);
  return json.map((f, k) => {
    const ids = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
    if (!isObject(f) || !ids(f.train) || !ids(f.val)) throw new DataError(`${file}: fold ${k} is not {"train": [case ids], "val": [case ids]} with both lists non-empty; ${shape}`);
    const train = f.train as string[], val = f.val as string[];
    const both = val.find((id) => train.includes(id));
    if (both) throw new DataError(`${file}: fold ${k} lists case ${both} in both "train" and "val"`);
    return { train, val };
  });
}

export interface TrainingData {
  train: CasePair[];
  /** Validation cases; undefined: validate on the training data. */
  val?: CasePair[];
  labels: LabelInfo[];
  /** Where the labels came from: the dataset.json, or the built-in table. */
  labelSource: string;
  /** What the validation split is, for the card; undefined with `val` undefined. */
  validation?: string;
}

const sameLabels = (a: readonly LabelInfo[], b: readonly LabelInfo[]) => a.length === b.length && a.every((l, i) => l.id === b[i].id && l.name === b[i].name);

/** Cases and label table of `--data`/`--val` paths: one nnU-Net dataset folder, or folders and CT files in the project's naming. */
function casesOf(paths: readonly string[], flag: string): { pairs: CasePair[]; labels: LabelInfo[]; source: string; folder?: string } {
  const ds = paths.filter((p) => existsSync(p) && isDatasetFolder(p));
  if (ds.length && paths.length > 1) throw new ArgsError(`--${flag}: ${ds[0]} is an nnU-Net dataset folder (it has ${DATASET_JSON}); give it alone`);
  if (ds.length) {
    const d = readDataset(ds[0]);
    return { pairs: d.cases, labels: d.labels, source: d.file, folder: ds[0] };
  }
  const folder = paths.length === 1 && existsSync(paths[0]) && statSync(paths[0]).isDirectory() ? paths[0] : undefined;
  return { pairs: findCases(paths), labels: CASE_LABELS, source: 'the built-in 9-organ table', ...(folder ? { folder } : {}) };
}

/**
 * The training and validation cases and the label table from the trainer's flags: `--data` (and
 * `--val`), or `--fold k` of a splits file (`--splits`, else splits_final.json in the `--data`
 * folder), which picks both from the `--data` cases.
 */
export function trainingData(opts: { data: string[]; val?: string[]; splits?: string; fold?: number }): TrainingData {
  if (opts.fold !== undefined && opts.val) throw new ArgsError('--fold and --val both choose the validation cases; give one of them');
  if (opts.splits && opts.fold === undefined) throw new ArgsError('--splits needs --fold <k>, the fold to train');
  const data = casesOf(opts.data, 'data');
  const base = { labels: data.labels, labelSource: data.source };
  if (opts.fold !== undefined) {
    const splits = opts.splits ?? (data.folder && existsSync(join(data.folder, SPLITS_JSON)) ? join(data.folder, SPLITS_JSON) : undefined);
    if (!splits) throw new ArgsError(`--fold ${opts.fold} needs a splits file: ${SPLITS_JSON} in the --data folder, or --splits <file>`);
    const folds = readSplits(splits);
    const fold = folds[opts.fold];
    if (!fold) throw new DataError(`${splits}: holds ${folds.length} fold(s) (0..${folds.length - 1}); there is no fold ${opts.fold}`);
    const byName = new Map(data.pairs.map((p) => [p.name, p]));
    const pick = (ids: string[], part: string) => ids.map((id) => {
      const p = byName.get(id);
      if (!p) throw new DataError(`${splits}: fold ${opts.fold} "${part}" names case ${id}, which is not among the ${data.pairs.length} case(s) of --data (${data.pairs.slice(0, 3).map((q) => q.name).join(', ')}${data.pairs.length > 3 ? ', ...' : ''})`);
      return p;
    });
    const val = pick(fold.val, 'val');
    return { ...base, train: pick(fold.train, 'train'), val, validation: `fold ${opts.fold} of ${splits}: held-out cases ${val.map((p) => p.name).join(', ')}` };
  }
  if (!opts.val) return { ...base, train: data.pairs };
  const val = casesOf(opts.val, 'val');
  if (!sameLabels(val.labels, data.labels)) throw new DataError(`--val: its labels (${val.source}) differ from the training data's (${data.source}); validation cases must use the same label ids and names`);
  return { ...base, train: data.pairs, val: val.pairs, validation: `held-out cases: ${val.pairs.map((p) => p.name).join(', ')}` };
}
