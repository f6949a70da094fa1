/**
 * Scoring a result against a reference, in the order a reader wants it: the Dice of every organ at once
 * (one pass over the voxels per organ), then HD95 organ by organ (the slow part: surface distances),
 * reported as each finishes, then the disagreement map. The worker runs it; the page stays responsive.
 */
import type { LabelInfo } from '../infer/contract/modelCard';
import { hd95 } from '../infer/eval/metrics';
import type { Vec3 } from '../infer/io/nifti';
import { type DiceRow, type Disagreement, diceRows, disagreementMap } from './reference';

export interface AnalysisReport {
  /** Every organ's Dice; HD95 is NaN until computed. */
  dice(rows: DiceRow[]): void;
  /** HD95 of `done` of `total` organs computed. */
  progress(done: number, total: number): void;
}

/** `pause` lets other work run between organs (the worker's message loop). */
export async function analyse(
  pred: Uint8Array,
  ref: Uint8Array,
  grid: { dims: Vec3; spacing: Vec3 },
  labelInfo: LabelInfo[],
  report: AnalysisReport,
  pause: () => Promise<void> = () => Promise.resolve(),
): Promise<{ rows: DiceRow[]; disagreement: Disagreement }> {
  const rows = diceRows(pred, ref, labelInfo);
  report.dice(rows.map((r) => ({ ...r })));
  for (const [k, r] of rows.entries()) {
    await pause();
    r.hd95 = hd95(pred, ref, r.id, grid.dims, grid.spacing);
    report.progress(k + 1, rows.length);
  }
  await pause();
  return { rows, disagreement: disagreementMap(pred, ref) };
}
