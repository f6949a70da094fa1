/**
 * `npm run evaluate -- --pred seg.nii.gz --ref ref.nii.gz [--labels 1,2,3]`: per-label Dice and
 * HD95 (mm) of a predicted label map against a reference on the same grid, and their means over
 * the labels present in the reference. Exit code 2 with one line on bad input.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type NiftiVolume, readNifti } from '../io/nifti';
import { type SegmentationScores, evaluateSegmentation } from '../eval/metrics';
import { CASE_LABELS } from '../contract/labels';
import { type FlagSpecs, parseArgs, usage } from '../../util/args';

const FLAGS: FlagSpecs = {
  pred: { description: 'predicted label map (.nii / .nii.gz)', required: true },
  ref: { description: 'reference label map on the same grid', required: true },
  labels: { description: 'comma-separated label ids (default: every nonzero id in either map)' },
  help: { description: 'print this help', boolean: true },
};

export class EvaluateInputError extends Error {}

function toLabels(v: NiftiVolume, file: string): Uint8Array {
  const out = new Uint8Array(v.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = v.data[i];
    if (!Number.isInteger(x) || x < 0 || x > 255) {
      throw new EvaluateInputError(`${file}: voxel ${i} is ${x}, expected integer label ids 0..255; pass a label map, not an image`);
    }
    out[i] = x;
  }
  return out;
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

export function formatScores(scores: SegmentationScores): string {
  const rows = [['id', 'label', 'Dice', 'HD95 mm', 'in ref']];
  const num = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : Number.isNaN(x) ? '-' : 'inf');
  for (const s of scores.perLabel) rows.push([String(s.id), s.name, num(s.dice, 4), num(s.hd95, 2), s.presentInRef ? 'yes' : 'no']);
  rows.push(['', 'mean', num(scores.meanDice, 4), num(scores.meanHd95, 2), '']);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function evaluateFiles(argv: string[]): string {
  const args = parseArgs(argv, FLAGS);
  if (args.help) return usage('npm run evaluate --', FLAGS);
  const load = (path: string) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new EvaluateInputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return readNifti(bytes, basename(path));
  };
  const predVol = load(args.pred as string);
  const refVol = load(args.ref as string);
  if (predVol.dims.join() !== refVol.dims.join()) {
    throw new EvaluateInputError(
      `grids differ: --pred is ${predVol.dims.join('x')}, --ref is ${refVol.dims.join('x')}; resample the prediction to the reference grid`,
    );
  }
  const pred = toLabels(predVol, basename(args.pred as string));
  const ref = toLabels(refVol, basename(args.ref as string));
  const ids = parseLabelIds(args.labels, pred, ref);
  const names = new Map(CASE_LABELS.map((l) => [l.id, l.name]));
  const labels = ids.map((id) => ({ id, name: names.get(id) ?? `label_${id}` }));
  const scores = evaluateSegmentation(pred, ref, refVol.dims, refVol.spacing, labels);
  const note = `reference: ${basename(args.ref as string)} (${refVol.dims.join('x')}, ${refVol.spacing.map((s) => s.toFixed(2)).join('x')} mm)`;
  return `${note}\n${formatScores(scores)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    console.log(evaluateFiles(process.argv.slice(2)));
  } catch (e) {
    console.error(`evaluate: ${(e as Error).message}`);
    process.exit(2);
  }
}
