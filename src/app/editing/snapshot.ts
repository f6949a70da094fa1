/**
 * A correction in progress, as the viewer holds it: the drawing, NiiVue's undo ring (each entry is
 * NiiVue's own compressed drawing), the position in the ring, the undo/redo counts and the slices each
 * label was drawn on. Plain data: it is stored in the browser so that a reload restores every stroke.
 */
import type { EditHistory } from '../state/review';
import type { SliceKey } from './grid';

export interface EditSnapshot {
  /** The drawing on NiiVue's RAS grid (one label id per voxel). */
  drawing: Uint8Array;
  undo: Uint8Array[];
  current: number;
  history: EditHistory;
  drawnSlices: [number, SliceKey[]][];
}
