/** Attention slice: attention mode, the level, the clicked voxel and the heat map that answers it. */
import { type AttentionLevel, attentionLevelsOf } from '../../infer/attention/attentionMap';
import type { Vec3 } from '../../infer/io/nifti';
import { selectedCard } from './catalogue';
import type { WorkbenchState, WorkbenchStore } from './store';

export interface AttentionState {
  attentionMode: boolean;
  attentionLevel: AttentionLevel;
  attentionVoxel: Vec3 | null;
  heatMap: Float32Array | null;
  /** Level and voxel the current heat map was computed for. */
  heatOf: { level: AttentionLevel; voxel: Vec3 } | null;
  /** The latest attention request; a reply for any other level or voxel is stale and dropped. */
  attentionPending: { level: AttentionLevel; voxel: Vec3 } | null;
}

export const attentionInitial: AttentionState = {
  attentionMode: false, attentionLevel: 'window', attentionVoxel: null, heatMap: null, heatOf: null, attentionPending: null,
};

/** No heat map shown or pending (the mode and level stay). */
export const heatCleared: Pick<AttentionState, 'heatMap' | 'heatOf' | 'attentionPending' | 'attentionVoxel'> = { heatMap: null, heatOf: null, attentionPending: null, attentionVoxel: null };

/** The attention level in force: the chosen one when the selected model offers it, else the model's first. */
export function effectiveAttentionLevel(state: WorkbenchState): AttentionLevel {
  const levels = attentionLevelsOf(selectedCard(state)?.card.attention);
  return levels.length === 0 || levels.includes(state.attentionLevel) ? state.attentionLevel : levels[0];
}

export function setAttentionMode(s: WorkbenchStore, on: boolean): void {
  // The heat map and the disagreement map are never shown together: both speak in blues and oranges.
  s.setState(on ? { attentionMode: true, showDisagreement: false } : { attentionMode: false, ...heatCleared });
}

/** A new level: the map of another level is taken down, so the map shown is always the highlighted level's. */
export function setAttentionLevel(s: WorkbenchStore, level: AttentionLevel): void {
  const st = s.getState();
  s.setState(st.heatOf && st.heatOf.level !== level ? { attentionLevel: level, heatMap: null, heatOf: null } : { attentionLevel: level });
}

/** A map was asked for (every click, the same voxel again included, and every level change). */
export function attentionRequested(s: WorkbenchStore, voxel: Vec3, level: AttentionLevel = effectiveAttentionLevel(s.getState())): void {
  s.setState({ attentionVoxel: voxel, attentionPending: { level, voxel } });
}

const sameVoxel = (a: Vec3, b: Vec3) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

/** A map arrived: shown if it answers the latest request, dropped if a newer click or level superseded it. */
export function attentionReady(s: WorkbenchStore, heatMap: Float32Array, level: AttentionLevel, voxel: Vec3): void {
  const p = s.getState().attentionPending;
  if (p && (p.level !== level || !sameVoxel(p.voxel, voxel))) return;
  if (effectiveAttentionLevel(s.getState()) !== level) return;
  s.setState({ heatMap, heatOf: { level, voxel }, attentionPending: null });
}
