/**
 * Session slice: the work saved in the browser (IndexedDB) as it changes, and, after a reload or a
 * crashed tab, the offer to restore it.
 */
import type { LabelInfo } from '../../infer/contract/modelCard';
import type { LabelView } from '../ctWindow';
import type { WorkbenchStore } from './store';

/** What a stored session holds, as the restore offer names it. */
export interface RestoreOffer {
  /** ISO time of the last save. */
  savedAt: string;
  volumeName: string;
  model: string | null;
  corrections: number;
  /** A correction was in progress: this many undoable edits. */
  edits: number | null;
}

export interface SessionState {
  restoreOffer: RestoreOffer | null;
  /** When the open work was last saved in the browser (ISO), or why it could not be. */
  sessionSaved: { at: string | null; error: string | null };
}

export const sessionInitial: SessionState = { restoreOffer: null, sessionSaved: { at: null, error: null } };

export function restoreOffered(s: WorkbenchStore, offer: RestoreOffer): void {
  s.setState({ restoreOffer: offer });
}

export function restoreDismissed(s: WorkbenchStore): void {
  s.setState({ restoreOffer: null });
}

export function sessionSaved(s: WorkbenchStore, at: string | null, error: string | null = null): void {
  s.setState({ sessionSaved: { at, error } });
}

/** A stored result, shown again as it was (on the volume just restored). */
export interface RestoredResult {
  labels: Uint8Array;
  labelInfo: LabelInfo[];
  volumesMl: Record<number, number>;
  legend: Record<number, LabelView>;
  resultModel: string | null;
  resultWarnings: string[];
  corrections: number;
  modelLabels: Uint8Array | null;
}

export function resultRestored(s: WorkbenchStore, r: RestoredResult): void {
  s.setState({ ...r, status: 'done', restoreOffer: null });
}
