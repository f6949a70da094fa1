/**
 * Robustness check: segment a labelled case and variants derived from it (variants.ts) and score each
 * against its own transformed reference. Pure: the caller supplies the segmenter (the CLI runs
 * onnxruntime-node through segmentVolume; tests pass a stand-in). Variants are made one at a time, so
 * only the original and one variant are held in memory.
 */
import type { LabelInfo } from '../contract/modelCard';
import { type CasePair, type Variant, type VariantName, type VariantOptions, makeVariant } from './variants';

export const SILVER_NOTE =
  'note: the reference labels may be silver-standard (another model\'s output, e.g. TotalSegmentator), not manual ground truth: Dice here measures agreement with them';

export interface Segmentation {
  labels: Uint8Array;
  seconds: number;
  warnings: string[];
}

export type Segmenter = (v: Variant) => Promise<Segmentation>;

export interface VariantScore {
  name: Variant['name'];
  /** Mean Dice over the organs present in this variant's reference. */
  meanDice: number;
  /** Dice by organ name; null where the organ is absent from this variant's reference. */
  dice: Record<string, number | null>;
  /** Storage variants: mean Dice of their prediction, put back on the original grid, against the original's prediction. */
  agreement: number | null;
  seconds: number;
  warnings: string[];
}

/** Per-id Dice counts in one pass: |pred = id|, |ref = id|, |both|. */
function diceCounts(pred: Uint8Array, ref: ArrayLike<number>): { p: Float64Array; r: Float64Array; both: Float64Array } {
  if (pred.length !== ref.length) throw new Error(`robustness: prediction has ${pred.length} voxels, reference ${ref.length}; they must share a grid`);
  const p = new Float64Array(256), r = new Float64Array(256), both = new Float64Array(256);
  for (let i = 0; i < pred.length; i++) {
    const a = pred[i], b = ref[i];
    p[a]++;
    r[b]++;
    if (a === b) both[a]++;
  }
  return { p, r, both };
}

/** Dice by organ (null where absent from `ref`) and the mean over the organs present. */
export function scoreLabels(pred: Uint8Array, ref: ArrayLike<number>, labels: readonly LabelInfo[]): { dice: Record<string, number | null>; mean: number } {
  const { p, r, both } = diceCounts(pred, ref);
  const dice: Record<string, number | null> = {};
  const present: number[] = [];
  for (const l of labels) {
    if (l.id === 0) continue;
    dice[l.name] = r[l.id] > 0 ? (2 * both[l.id]) / (p[l.id] + r[l.id]) : null;
    if (r[l.id] > 0) present.push(dice[l.name] as number);
  }
  return { dice, mean: present.length ? present.reduce((s, x) => s + x, 0) / present.length : NaN };
}

/** Mean Dice over the organs in either map (two predictions compared with each other). */
function agreementOf(a: Uint8Array, b: Uint8Array, labels: readonly LabelInfo[]): number {
  const { p, r, both } = diceCounts(a, b);
  const ds = labels.filter((l) => l.id !== 0 && p[l.id] + r[l.id] > 0).map((l) => (2 * both[l.id]) / (p[l.id] + r[l.id]));
  return ds.length ? ds.reduce((s, x) => s + x, 0) / ds.length : 1;
}

/** Segments the original and each named variant; scores each against its own reference. */
export async function runRobustness(
  original: CasePair,
  names: readonly VariantName[],
  segment: Segmenter,
  labels: readonly LabelInfo[],
  opts: VariantOptions & { onScore?: (s: VariantScore) => void } = {},
): Promise<VariantScore[]> {
  const scores: VariantScore[] = [];
  const base: Variant = { name: 'original', ...original };
  const first = await segment(base);
  const record = (v: Variant, s: Segmentation, agreement: number | null) => {
    const { dice, mean } = scoreLabels(s.labels, v.ref.data, labels);
    const score: VariantScore = { name: v.name, meanDice: mean, dice, agreement, seconds: s.seconds, warnings: s.warnings };
    scores.push(score);
    opts.onScore?.(score);
  };
  record(base, first, null);
  for (const name of names) {
    const v = makeVariant(original, name, opts);
    const s = await segment(v);
    record(v, s, v.toOriginal ? agreementOf(v.toOriginal(s.labels), first.labels, labels) : null);
  }
  return scores;
}

const num = (x: number | null, d = 3) => (x === null ? '-' : Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/**
 * The table: variant, mean Dice, Dice per organ (organs present in the original reference), agreement
 * with the original prediction (storage variants), seconds; then the silver-standard note and each
 * variant's warnings.
 */
export function formatRobustness(scores: readonly VariantScore[], organs: readonly string[]): string {
  const rows = [['variant', 'mean Dice', ...organs, 'vs original', 'seconds']];
  for (const s of scores) {
    rows.push([s.name, num(s.meanDice), ...organs.map((o) => num(s.dice[o] ?? null)), num(s.agreement), s.seconds.toFixed(2)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  lines.push(SILVER_NOTE);
  for (const s of scores) for (const w of s.warnings) lines.push(`${s.name}: warning: ${w}`);
  return lines.join('\n');
}

/** Organ names (card order) present in a label map. */
export function organsPresent(ref: ArrayLike<number>, labels: readonly LabelInfo[]): string[] {
  const seen = new Uint8Array(256);
  for (let i = 0; i < ref.length; i++) seen[ref[i]] = 1;
  return labels.filter((l) => l.id !== 0 && seen[l.id]).map((l) => l.name);
}
