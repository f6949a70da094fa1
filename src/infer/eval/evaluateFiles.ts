/**
 * The evaluation behind `npm run evaluate` (cli/evaluate.ts is its command line), callable from the
 * trainer's cross-validation.
 *
 * `npm run evaluate -- --pred seg.nii.gz --ref ref.nii.gz [--labels 1,2,3 | dataset.json]`: per-label
 * Dice and HD95 (mm) of a predicted label map against a reference on the same grid, and their means over
 * the labels present in the reference.
 *
 * Folder mode, as nnU-Net's evaluation: `--pred <folder> --ref <folder> [--out summary.json]` scores every
 * prediction against the reference of the same case name (`<case>.nii.gz` in both) and writes a summary
 * like nnU-Net's summary.json ("metric_per_case", "mean" per label, "foreground_mean"). As there, a label
 * absent from both prediction and reference of a case is left out of that case (null), not counted as 1.
 * Exit code 2 with one line on bad input.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { NIFTI_NAME, type NiftiVolume, niftiStem, readNifti } from '../io/nifti';
import { type SegmentationScores, diceScore, evaluateSegmentation, hd95 } from './metrics';
import { CASE_LABELS } from '../contract/labels';
import { labelsFromDataset } from '../contract/datasetLabels';
import { type FlagSpecs, parseArgs, usage } from '../../util/args';
import { labelIds } from '../contract/labels';

const FLAGS: FlagSpecs = {
  pred: { description: 'predicted label map (.nii / .nii.gz), or a folder of them (folder mode)', required: true },
  ref: { description: 'reference label map on the same grid, or a folder of <case>.nii[.gz] matched by case name', required: true },
  labels: { description: 'comma-separated label ids, or a dataset.json whose labels give the ids and names (default: every nonzero id in either map; in folder mode those of the dataset.json beside the --ref folder when there is one)' },
  out: { description: 'folder mode: the summary JSON to write (default <pred folder>/summary.json)' },
  silver: { description: 'the reference labels are another model\'s output (e.g. TotalSegmentator): say the scores are against silver-standard labels', boolean: true },
  help: { description: 'print this help', boolean: true },
};

const SILVER_NOTE = 'reference labels: silver standard (another model\'s output, not manual ground truth); every score here is against them';

export class EvaluateInputError extends Error {}

function toLabels(v: NiftiVolume, file: string): Uint8Array {
  return labelIds(v.data, file, (m) => new EvaluateInputError(m));
}

function parseLabelIds(text: string | undefined, pred: Uint8Array, ref: Uint8Array): number[] {
  if (text === undefined) {
    const seen = new Uint8Array(256);
    for (let i = 0; i < ref.length; i++) { seen[ref[i]] = 1; seen[pred[i]] = 1; }
    return [...seen.keys()].filter((id) => id > 0 && seen[id]);
  }
  return text.split(',').map((s) => {
    const id = Number(s.trim());
    if (!Number.isInteger(id) || id < 1 || id > 255) {
      throw new EvaluateInputError(`--labels: "${s}" is not a label id; expected comma-separated integers 1..255`);
    }
    return id;
  });
}

/** Rows as aligned columns: the second (label names) left-aligned, the rest right-aligned. */
function alignRows(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

const num = (x: number | null, d: number) => (x === null || Number.isNaN(x) ? '-' : Number.isFinite(x) ? x.toFixed(d) : 'inf');

export function formatScores(scores: SegmentationScores): string {
  const rows = [['id', 'label', 'Dice', 'HD95 mm', 'in ref']];
  for (const s of scores.perLabel) rows.push([String(s.id), s.name, num(s.dice, 4), num(s.hd95, 2), s.presentInRef ? 'yes' : 'no']);
  rows.push(['', 'mean', num(scores.meanDice, 4), num(scores.meanHd95, 2), '']);
  return alignRows(rows);
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EvaluateInputError(code ? `cannot read ${path}: ${code}` : `${path}: not valid JSON (${(e as Error).message})`);
  }
}

interface LabelTable {
  /** Foreground ids to score; undefined: those found in the maps. */
  ids?: number[];
  names: Map<number, string>;
  source: string;
}

/**
 * `--labels`: a dataset.json (its foreground ids and names), or ids with names from `datasetJson` (in
 * folder mode the dataset.json beside the reference folder, which otherwise acts as `--labels`) or the
 * built-in table.
 */
function labelTable(text: string | undefined, datasetJson?: string): LabelTable {
  const fromJson = (path: string): LabelTable => {
    const labels = labelsFromDataset(readJsonFile(path), path);
    return { ids: labels.filter((l) => l.id > 0).map((l) => l.id), names: new Map(labels.map((l) => [l.id, l.name])), source: path };
  };
  if (text?.endsWith('.json')) return fromJson(text);
  if (text === undefined && datasetJson) return fromJson(datasetJson);
  const names = datasetJson ? fromJson(datasetJson) : { names: new Map(CASE_LABELS.map((l) => [l.id, l.name])), source: 'the built-in 9-organ table (--labels dataset.json for another label set)' };
  return { ids: text === undefined ? undefined : parseLabelIds(text, new Uint8Array(0), new Uint8Array(0)), names: names.names, source: names.source };
}

function load(path: string): NiftiVolume {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new EvaluateInputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return readNifti(bytes, basename(path));
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** Label maps of a folder by case name (file name without .nii / .nii.gz). */
function casesIn(dir: string, flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).filter((x) => NIFTI_NAME.test(x)).sort()) {
    const name = niftiStem(f);
    if (out.has(name)) throw new EvaluateInputError(`--${flag} ${dir}: case ${name} has two files (${basename(out.get(name) as string)} and ${f})`);
    out.set(name, join(dir, f));
  }
  if (!out.size) throw new EvaluateInputError(`--${flag} ${dir}: no .nii or .nii.gz files in this folder`);
  return out;
}

/** One label of one case, as in nnU-Net's summary.json plus HD95: null where the label is in neither map. */
export interface CaseLabelMetrics {
  DSC: number | null;
  /** mm; null when the label is missing from either map (absent from both, or infinite). */
  HD95: number | null;
  n_pred: number;
  n_ref: number;
}

export interface FolderSummary {
  metric_per_case: { case: string; prediction_file: string; reference_file: string; metrics: Record<string, CaseLabelMetrics> }[];
  /** Per label id: mean Dice over the cases where the label is in either map, mean HD95 over those where it is in both. */
  mean: Record<string, { name: string; DSC: number | null; HD95: number | null; n_cases: number; n_hd95_inf: number }>;
  /** Mean over the labels of the per-label means (labels with a mean). */
  foreground_mean: { DSC: number | null; HD95: number | null };
  labels: Record<string, string>;
  reference: string;
}

const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function evaluateFolders(args: Record<string, string | undefined>): string {
  const predDir = args.pred as string, refDir = args.ref as string;
  if (!isDir(refDir)) throw new EvaluateInputError(`--pred ${predDir} is a folder, so --ref must be one too; ${refDir} is not a folder`);
  const besideRef = join(refDir, '..', 'dataset.json');
  const table = labelTable(args.labels, args.labels?.endsWith('.json') || !existsSync(besideRef) ? undefined : besideRef);
  const preds = casesIn(predDir, 'pred'), refs = casesIn(refDir, 'ref');
  const perCase: FolderSummary['metric_per_case'] = [];
  const seen = new Set<number>(table.ids);
  for (const [name, predFile] of preds) {
    const refFile = refs.get(name);
    if (!refFile) throw new EvaluateInputError(`--pred ${predFile}: no reference ${name}.nii[.gz] in ${refDir}; files are matched by case name`);
    const predVol = load(predFile), refVol = load(refFile);
    if (predVol.dims.join() !== refVol.dims.join()) {
      throw new EvaluateInputError(`case ${name}: grids differ: prediction ${predVol.dims.join('x')}, reference ${refVol.dims.join('x')}; resample the prediction to the reference grid`);
    }
    const pred = toLabels(predVol, basename(predFile)), ref = toLabels(refVol, basename(refFile));
    const nPred = new Float64Array(256), nRef = new Float64Array(256);
    for (let i = 0; i < pred.length; i++) { nPred[pred[i]]++; nRef[ref[i]]++; }
    const ids = table.ids ?? [...nPred.keys()].filter((id) => id > 0 && (nPred[id] || nRef[id]));
    const metrics: Record<string, CaseLabelMetrics> = {};
    for (const id of ids) {
      seen.add(id);
      const inEither = nPred[id] + nRef[id] > 0, inBoth = nPred[id] > 0 && nRef[id] > 0;
      metrics[id] = {
        DSC: inEither ? diceScore(pred, ref, id) : null,
        HD95: inBoth ? hd95(pred, ref, id, refVol.dims, refVol.spacing) : null,
        n_pred: nPred[id], n_ref: nRef[id],
      };
    }
    perCase.push({ case: name, prediction_file: predFile, reference_file: refFile, metrics });
  }
  const ids = [...seen].sort((a, b) => a - b);
  const nameOf = (id: number) => table.names.get(id) ?? `label_${id}`;
  for (const c of perCase) for (const id of ids) c.metrics[id] ??= { DSC: null, HD95: null, n_pred: 0, n_ref: 0 };
  const mean: FolderSummary['mean'] = {};
  for (const id of ids) {
    const ms = perCase.map((c) => c.metrics[id]);
    const dsc = ms.flatMap((m) => (m.DSC === null ? [] : [m.DSC]));
    const hd = ms.flatMap((m) => (m.HD95 === null ? [] : [m.HD95]));
    mean[id] = { name: nameOf(id), DSC: meanOf(dsc), HD95: meanOf(hd), n_cases: dsc.length, n_hd95_inf: ms.filter((m) => (m.n_pred > 0) !== (m.n_ref > 0)).length };
  }
  const labelMeans = Object.values(mean);
  const foreground = {
    DSC: meanOf(labelMeans.flatMap((m) => (m.DSC === null ? [] : [m.DSC]))),
    HD95: meanOf(labelMeans.flatMap((m) => (m.HD95 === null ? [] : [m.HD95]))),
  };
  const silver = args.silver === 'true';
  const summary: FolderSummary = {
    metric_per_case: perCase, mean, foreground_mean: foreground,
    labels: Object.fromEntries(ids.map((id) => [String(id), nameOf(id)])),
    reference: silver ? SILVER_NOTE : 'reference labels as given in --ref',
  };
  const out = args.out ?? join(predDir, 'summary.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  const rows = [['id', 'label', 'Dice', 'HD95 mm', 'cases', 'HD95 inf']];
  for (const id of ids) rows.push([String(id), mean[id].name, num(mean[id].DSC, 4), num(mean[id].HD95, 2), String(mean[id].n_cases), String(mean[id].n_hd95_inf)]);
  rows.push(['', 'foreground mean', num(foreground.DSC, 4), num(foreground.HD95, 2), '', '']);
  const unscored = [...refs.keys()].filter((k) => !preds.has(k)).length;
  return [
    `${perCase.length} case(s) scored: ${predDir} against ${refDir}${unscored ? `; ${unscored} reference case(s) without a prediction were not scored` : ''}`,
    `label names: ${table.source}`,
    alignRows(rows),
    'a label in neither map of a case is left out of that case (nnU-Net\'s convention); HD95 is averaged over the cases holding the label in both maps ("HD95 inf": cases where only one does)',
    ...(silver ? [SILVER_NOTE] : []),
    `summary: ${out}`,
  ].join('\n');
}

export function evaluateFiles(argv: string[]): string {
  const args = parseArgs(argv, FLAGS);
  if (args.help) return usage('npm run evaluate --', FLAGS);
  if (isDir(args.pred as string)) return evaluateFolders(args);
  if (args.out) throw new EvaluateInputError(`--out is for folder mode (--pred and --ref folders); ${args.pred} is a file`);
  const predVol = load(args.pred as string);
  const refVol = load(args.ref as string);
  if (predVol.dims.join() !== refVol.dims.join()) {
    throw new EvaluateInputError(
      `grids differ: --pred is ${predVol.dims.join('x')}, --ref is ${refVol.dims.join('x')}; resample the prediction to the reference grid`,
    );
  }
  const pred = toLabels(predVol, basename(args.pred as string));
  const ref = toLabels(refVol, basename(args.ref as string));
  const table = labelTable(args.labels);
  const ids = table.ids ?? parseLabelIds(undefined, pred, ref);
  const labels = ids.map((id) => ({ id, name: table.names.get(id) ?? `label_${id}` }));
  const scores = evaluateSegmentation(pred, ref, refVol.dims, refVol.spacing, labels);
  const note = `reference: ${basename(args.ref as string)} (${refVol.dims.join('x')}, ${refVol.spacing.map((s) => s.toFixed(2)).join('x')} mm)`;
  return [note, formatScores(scores), ...(args.silver === 'true' ? [SILVER_NOTE] : [])].join('\n');
}

