/**
 * The Segment Editor's masking for a stroke: what a brush, eraser or fill may change. A stroke is
 * painted by NiiVue; this compares the drawing after it with the drawing before and puts back every
 * voxel the rules protect.
 */
import { type Axis, type Dims, type SliceKey } from './grid';

export interface StrokeRules {
  /** Only voxels whose CT value lies in [lo, hi] (HU) change; null: any value. */
  huRange: readonly [number, number] | null;
  /** Labels no stroke may overwrite or erase. */
  locked: ReadonlySet<number>;
}

export const noRules: StrokeRules = { huRange: null, locked: new Set() };

/** Whether a voxel holding `current`, with CT value `hu`, may change. */
export function mayChange(rules: StrokeRules, current: number, hu: number): boolean {
  if (rules.locked.has(current)) return false;
  return !rules.huRange || (hu >= rules.huRange[0] && hu <= rules.huRange[1]);
}

export interface StrokeOutcome {
  /** Voxels the stroke changed and kept, and voxels put back by the rules. */
  kept: number;
  reverted: number;
  /** The slice the kept changes lie in (a stroke paints one slice), or null if none or several. */
  slice: SliceKey | null;
}

/**
 * Applies `rules` to a stroke: `after` (the drawing as painted) is changed in place back to `before`
 * wherever the rules protect the voxel; `huAt(i)` is the CT value under voxel i of the grid.
 */
export function applyStrokeRules(before: Uint8Array, after: Uint8Array, dims: Dims, rules: StrokeRules, huAt: (i: number) => number): StrokeOutcome {
  if (before.length !== after.length) throw new Error(`stroke: ${after.length} voxels after, ${before.length} before`);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  let kept = 0;
  let reverted = 0;
  const plane = dims[0] * dims[1];
  for (let i = 0; i < after.length; i++) {
    if (after[i] === before[i]) continue;
    if (!mayChange(rules, before[i], huAt(i))) {
      after[i] = before[i];
      reverted++;
      continue;
    }
    kept++;
    const z = Math.floor(i / plane);
    const y = Math.floor((i - z * plane) / dims[0]);
    const c = [i - z * plane - y * dims[0], y, z];
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], c[a]);
      hi[a] = Math.max(hi[a], c[a]);
    }
  }
  // The stroke's plane: the axis it does not extend along (axial first when a stroke is one voxel).
  const flat = ([2, 1, 0] as Axis[]).find((a) => kept > 0 && lo[a] === hi[a]);
  return { kept, reverted, slice: flat === undefined ? null : { axis: flat, index: lo[flat] } };
}
