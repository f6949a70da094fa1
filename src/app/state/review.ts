/** Review slice: the result scored against a reference (Dice, disagreement map) and label correction. */
import { organVolumesMl } from '../../infer/eval/metrics';
import type { DiceRow, Disagreement } from '../reference';
import type { WorkbenchStore } from './store';
import { heatCleared } from './attention';

export type { DiceRow } from '../reference';

/** The correction pen: a label id (0 erases), whether a closed stroke is filled, and the brush width in voxels. */
export interface EditPen {
  label: number;
  fill: boolean;
  size: number;
}

/** What a stroke may change (the Segment Editor's masking): voxels in an HU range only; labels no stroke touches. */
export interface EditRules {
  huRange: readonly [number, number] | null;
  locked: readonly number[];
}

/** The HU range offered when painting is first limited: soft tissue and contrast-filled vessels. */
export const SOFT_TISSUE_HU: readonly [number, number] = [-100, 300];

/** Where a correction stands: edits that can be undone and redone; voxels the last stroke left alone because of the rules. */
export interface EditHistory { undo: number; redo: number; protectedVoxels: number }

/** Brush widths the pen offers, in voxels (odd, so the brush is centred on the voxel under the pointer). */
export const PEN_SIZES = [1, 3, 5, 9, 15] as const;

export interface ReviewState {
  referenceName: string | null;
  dice: DiceRow[] | null;
  /** Where the result and the loaded reference disagree. */
  disagreement: Disagreement | null;
  /** The viewer shows the disagreement map instead of the labels. */
  showDisagreement: boolean;
  /** Label correction: the labels are a NiiVue drawing the user paints; the pen's label and whether it fills outlines. */
  editing: boolean;
  editPen: EditPen;
  editRules: EditRules;
  editHistory: EditHistory;
  /** What the last "fill between slices" did, in words (null: not used in this correction). */
  fillNote: string | null;
  /** How many times the labels were corrected and saved since this result came. */
  corrections: number;
  /** A comparison being scored: HD95 of `done` of `total` organs computed (null: none running). */
  analysis: { done: number; total: number } | null;
}

/** No comparison shown. */
export const comparisonCleared: Pick<ReviewState, 'referenceName' | 'dice' | 'disagreement' | 'showDisagreement' | 'analysis'> = { referenceName: null, dice: null, disagreement: null, showDisagreement: false, analysis: null };

/** No comparison and no correction (the pen stays). */
export const reviewCleared: Omit<ReviewState, 'editPen' | 'editRules'> = { ...comparisonCleared, editing: false, corrections: 0, editHistory: { undo: 0, redo: 0, protectedVoxels: 0 }, fillNote: null };

export const reviewInitial: ReviewState = { ...reviewCleared, editPen: { label: 1, fill: false, size: 1 }, editRules: { huRange: null, locked: [] } };

export function setReferenceDice(s: WorkbenchStore, referenceName: string, dice: DiceRow[], disagreement: Disagreement | null = null): void {
  s.setState({ referenceName, dice, disagreement, showDisagreement: false, analysis: null });
}

/** A comparison is being scored (in the worker): the old table and map leave; `show` shows the map when it comes. */
export function referenceScoring(s: WorkbenchStore, referenceName: string): void {
  s.setState({ ...comparisonCleared, referenceName, analysis: { done: 0, total: 0 } });
}

/** The Dice of every organ (HD95 still NaN while it is computed). */
export function diceScored(s: WorkbenchStore, dice: DiceRow[]): void {
  s.setState({ dice });
}

export function hd95Progressed(s: WorkbenchStore, done: number, total: number): void {
  s.setState({ analysis: { done, total } });
}

/** The comparison is complete: the table with HD95 and the disagreement map (shown at once for a two-model comparison). */
export function referenceScored(s: WorkbenchStore, dice: DiceRow[], disagreement: Disagreement, show = false): void {
  s.setState({ dice, disagreement, analysis: null, showDisagreement: show });
}

/**
 * Comparing two models on one volume: when the second model's result (now shown) arrives, the first's
 * becomes its reference, so the Dice table and the disagreement map say where the two models differ.
 * Returns the reference to score against, or null.
 */
export function comparisonDone(s: WorkbenchStore): { name: string; labels: Uint8Array } | null {
  const st = s.getState();
  const base = st.compareBase;
  if (!base) return null;
  s.setState({ compareBase: null });
  if (!st.labels || !st.volume || base.labels.length !== st.labels.length) return null;
  referenceScoring(s, `${base.model}'s result`);
  return { name: `${base.model}'s result`, labels: base.labels };
}

/** Shows the disagreement map (false positives, false negatives, wrong organ) in place of the labels, or the labels again. */
export function setShowDisagreement(s: WorkbenchStore, on: boolean): void {
  const show = on && s.getState().disagreement !== null;
  // The disagreement map replaces the labels and takes any heat map down (the two would share colours).
  s.setState(show ? { showDisagreement: true, attentionMode: false, ...heatCleared } : { showDisagreement: false });
}

/** Starts correcting the labels (a result is needed); the disagreement view and any heat map give way to the labels. */
export function startEditing(s: WorkbenchStore): void {
  const st = s.getState();
  if (!st.labels || st.status === 'running') return;
  const first = st.labelInfo.find((l) => l.id !== 0)?.id ?? 1;
  s.setState({ editing: true, panelTab: 'edit', fillNote: null, showDisagreement: false, attentionMode: false, heatMap: null, heatOf: null, editPen: { ...st.editPen, label: st.labelInfo.some((l) => l.id === st.editPen.label) ? st.editPen.label : first } });
}

export function setEditPen(s: WorkbenchStore, pen: EditPen): void {
  s.setState({ editPen: pen });
}

export function setEditRules(s: WorkbenchStore, rules: EditRules): void {
  s.setState({ editRules: rules });
}

/** Protects (or frees) one label from strokes. */
export function toggleLock(s: WorkbenchStore, id: number): void {
  const r = s.getState().editRules;
  s.setState({ editRules: { ...r, locked: r.locked.includes(id) ? r.locked.filter((x) => x !== id) : [...r.locked, id].sort((a, b) => a - b) } });
}

/** Protects every label but the pen's (and background), so a stroke changes only background and the pen's label. */
export function lockAllButPen(s: WorkbenchStore): void {
  const st = s.getState();
  s.setState({ editRules: { ...st.editRules, locked: st.labelInfo.map((l) => l.id).filter((id) => id !== 0 && id !== st.editPen.label) } });
}

export function editHistoryChanged(s: WorkbenchStore, h: EditHistory): void {
  s.setState({ editHistory: h });
}

/** Words for a "fill between slices": what was filled, or why nothing was (slice indices stay out: the readout numbers slices its own way). */
export function filledBetween(s: WorkbenchStore, label: string, out: { changed: number; slices: number[] }): void {
  const between = out.slices.slice(1).reduce((n, z, k) => n + Math.max(0, z - out.slices[k] - 1), 0);
  const fillNote = out.slices.length < 2
    ? `Draw ${label} on two slices (or more) of one orientation first; the slices between them are filled.`
    : out.changed === 0
      ? `Nothing to fill: the ${out.slices.length} slices ${label} was drawn on are adjacent, or the slices between already agree.`
      : `Filled ${label} on the ${between} slices between the ${out.slices.length} drawn: ${out.changed.toLocaleString('en-US')} voxels changed.`;
  s.setState({ fillNote });
}

/** The next wider (step 1) or narrower (step -1) brush, within PEN_SIZES. */
export function stepPenSize(s: WorkbenchStore, step: 1 | -1): void {
  const pen = s.getState().editPen;
  const i = PEN_SIZES.findIndex((v) => v >= pen.size);
  const at = Math.min(PEN_SIZES.length - 1, Math.max(0, (i < 0 ? PEN_SIZES.length - 1 : i) + step));
  s.setState({ editPen: { ...pen, size: PEN_SIZES[at] } });
}

export function stopEditing(s: WorkbenchStore): void {
  s.setState({ editing: false });
}

/**
 * The corrected label map replaces the result: organ volumes are recounted; a reference comparison is
 * dropped (it described the old labels).
 */
export function labelsCorrected(s: WorkbenchStore, labels: Uint8Array): void {
  const st = s.getState();
  if (!st.volume || !st.labels || labels.length !== st.labels.length) throw new Error(`corrected labels: ${labels.length} voxels, the volume has ${st.labels?.length ?? 0}`);
  const ids = st.labelInfo.filter((l) => l.id !== 0).map((l) => l.id);
  s.setState({ labels, volumesMl: organVolumesMl(labels, st.volume.spacing, ids), editing: false, corrections: st.corrections + 1, ...comparisonCleared });
}
