/**
 * Checking a result against a reference label map, by the rule `npm run evaluate` uses (and nnU-Net
 * reports): Dice and HD95 (mm) per organ, means over the organs present in the reference only; an organ
 * absent from both maps is "absent", not a perfect 1. The reference must lie on the CT's grid: same
 * dims and the same voxel-to-world affine (within a tenth of the smallest voxel), or it is refused.
 */
import type { LabelInfo } from '../infer/contract/modelCard';
import { gridOffsetMm } from '../infer/eval/affine';
import { diceScore, hd95 } from '../infer/eval/metrics';
import type { NiftiVolume } from '../infer/io/nifti';
import { labelIds } from '../infer/contract/labels';

export interface DiceRow {
  id: number;
  name: string;
  dice: number;
  /** mm; Infinity when exactly one of the maps has the organ. */
  hd95: number;
  inRef: boolean;
  inPred: boolean;
}

/** Largest corner-to-corner distance (mm) tolerated between the CT's grid and the reference's, as a fraction of the smallest voxel size. */
export const GRID_TOLERANCE = 0.1;

/** A reference's voxels as label ids; throws on values that are not integers 0..255. */
export function referenceLabels(ref: NiftiVolume, name: string): Uint8Array {
  return labelIds(ref.data, name);
}

/** Throws a one-line reason when the reference is not on the CT's grid (dims or position). */
export function checkReferenceGrid(ct: NiftiVolume, ref: NiftiVolume, name: string): void {
  if (ref.dims.some((n, a) => n !== ct.dims[a])) {
    throw new Error(`${name}: reference dims ${ref.dims.join('x')} differ from the volume's ${ct.dims.join('x')}; load the label map of this scan`);
  }
  const off = gridOffsetMm(ct.affine, ref.affine, ct.dims);
  const tol = GRID_TOLERANCE * Math.min(...ct.spacing);
  if (!(off <= tol)) {
    throw new Error(
      `${name}: the reference has the scan's dims but lies elsewhere: its voxels are up to ${off.toFixed(1)} mm from the CT's (tolerance ${tol.toFixed(2)} mm; shifted, flipped or reoriented affine); ` +
        'export it on the same grid as this CT',
    );
  }
}

/** Whether `other` lies on the CT's grid (the rule of `checkReferenceGrid`). */
export function onSameGrid(ct: NiftiVolume, other: NiftiVolume): boolean {
  try {
    checkReferenceGrid(ct, other, 'volume');
    return true;
  } catch {
    return false;
  }
}

/** Per-organ rows (background left out) for the model's labels, against a reference label map on the CT's grid. */
export function compareWithReference(pred: Uint8Array, ct: NiftiVolume, labelInfo: LabelInfo[], ref: NiftiVolume, name: string): DiceRow[] {
  checkReferenceGrid(ct, ref, name);
  return scoreAgainst(pred, referenceLabels(ref, name), ct, labelInfo);
}

/** Per-organ rows (background left out) with each organ's Dice and where it is present; HD95 is NaN, to be filled in. */
export function diceRows(pred: Uint8Array, refLabels: Uint8Array, labelInfo: LabelInfo[]): DiceRow[] {
  if (pred.length !== refLabels.length) throw new Error(`comparison: ${pred.length} predicted voxels but ${refLabels.length} in the reference`);
  const inPred = new Uint8Array(256), inRef = new Uint8Array(256);
  for (let i = 0; i < pred.length; i++) {
    inPred[pred[i]] = 1;
    inRef[refLabels[i]] = 1;
  }
  return labelInfo.filter((l) => l.id !== 0).map((l) => ({ id: l.id, name: l.name, dice: diceScore(pred, refLabels, l.id), hd95: NaN, inRef: inRef[l.id] === 1, inPred: inPred[l.id] === 1 }));
}

/** Per-organ rows for label ids already on the CT's grid (a loaded reference, or another model's result). */
export function scoreAgainst(pred: Uint8Array, refLabels: Uint8Array, ct: NiftiVolume, labelInfo: LabelInfo[]): DiceRow[] {
  return diceRows(pred, refLabels, labelInfo).map((r) => ({ ...r, hd95: hd95(pred, refLabels, r.id, ct.dims, ct.spacing) }));
}

/** Means over the organs present in the reference (NaN when none is), as `npm run evaluate` prints them. */
export function referenceMeans(rows: DiceRow[]): { dice: number; hd95: number; counted: number } {
  const counted = rows.filter((r) => r.inRef);
  const mean = (f: (r: DiceRow) => number) => (counted.length ? counted.reduce((t, r) => t + f(r), 0) / counted.length : NaN);
  return { dice: mean((r) => r.dice), hd95: mean((r) => r.hd95), counted: counted.length };
}

/** Where a result and its reference disagree, one class per kind of error, and what the reference cannot judge. */
export const DISAGREEMENT_LABELS: LabelInfo[] = [
  { id: 0, name: 'agree', color: [0, 0, 0] },
  { id: 1, name: 'false positive: predicted, not in the reference', color: [255, 90, 30] },
  { id: 2, name: 'false negative: in the reference, missed', color: [30, 160, 255] },
  { id: 3, name: 'wrong organ: both labelled, differently', color: [230, 0, 230] },
  { id: 4, name: 'not scored: an organ the reference does not label', color: [150, 150, 150] },
];

export interface Disagreement {
  /** Per voxel: 0 agree, 1 false positive, 2 false negative, 3 wrong organ, 4 not scored (ids of DISAGREEMENT_LABELS). */
  map: Uint8Array;
  counts: { falsePositive: number; falseNegative: number; wrongOrgan: number; notScored: number };
}

/**
 * Voxel-wise comparison of a label map with its reference (same grid), by the Dice table's rule: an
 * organ the reference never labels is not scored, so its voxels on the reference's background are
 * "not scored", never false positives (a reference of the liver alone says nothing about the spleen).
 */
export function disagreementMap(pred: Uint8Array, ref: Uint8Array): Disagreement {
  if (pred.length !== ref.length) throw new Error(`disagreementMap: ${pred.length} predicted voxels but ${ref.length} in the reference`);
  const inRef = new Uint8Array(256);
  for (let i = 0; i < ref.length; i++) inRef[ref[i]] = 1;
  const map = new Uint8Array(pred.length);
  const counts = { falsePositive: 0, falseNegative: 0, wrongOrgan: 0, notScored: 0 };
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i], r = ref[i];
    if (p === r) continue;
    if (r !== 0 && p === 0) { map[i] = 2; counts.falseNegative++; } else if (r !== 0) { map[i] = 3; counts.wrongOrgan++; } else if (inRef[p]) { map[i] = 1; counts.falsePositive++; } else { map[i] = 4; counts.notScored++; }
  }
  return { map, counts };
}
