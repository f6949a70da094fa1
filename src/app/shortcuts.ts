/**
 * Keyboard shortcuts: one table, read by the key handler and by the `?` help overlay, so what the help
 * lists is what the keys do. Keys typed into a text field, a number field or a select are left alone.
 */
import type { Actions } from './actions';
import { CT_WINDOWS } from './ctWindow';
import { type WorkbenchStore, setAttentionMode, setCtWindow, setRadiological, setShowDisagreement } from './state';

export interface Shortcut {
  key: string;
  what: string;
  run(s: WorkbenchStore, a: Actions): void;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: 's', what: 'Segment the volume with the selected model', run: (s, a) => { if (s.getState().status !== 'running') a.segment(); } },
  { key: 'Escape', what: 'Cancel a running segmentation; close this help', run: (s, a) => { if (s.getState().status === 'running') a.cancel(); } },
  { key: 'r', what: 'Switch radiological / neurological convention', run: (s) => setRadiological(s, !s.getState().radiological) },
  { key: '1', what: `Abdomen window (W ${CT_WINDOWS.abdomen.width} / L ${CT_WINDOWS.abdomen.level})`, run: (s) => setCtWindow(s, { ...CT_WINDOWS.abdomen }) },
  { key: '2', what: `Bone window (W ${CT_WINDOWS.bone.width} / L ${CT_WINDOWS.bone.level})`, run: (s) => setCtWindow(s, { ...CT_WINDOWS.bone }) },
  { key: '3', what: `Lung window (W ${CT_WINDOWS.lung.width} / L ${CT_WINDOWS.lung.level})`, run: (s) => setCtWindow(s, { ...CT_WINDOWS.lung }) },
  { key: 'a', what: 'Attention mode on / off (then click a voxel)', run: (s) => { if (s.getState().labels) setAttentionMode(s, !s.getState().attentionMode); } },
  { key: 'd', what: 'Show where result and reference disagree / the labels again', run: (s) => setShowDisagreement(s, !s.getState().showDisagreement) },
  { key: '?', what: 'Show or hide this help', run: () => {} },
];

/** True when the key belongs to a form control (typing a number, choosing an option). */
export function typingInField(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; type?: string; isContentEditable?: boolean } | null;
  if (!el?.tagName) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'range', 'file'].includes(el.type ?? '');
}

/** Runs the shortcut for a key; returns whether one matched. Modifier chords are left to the browser. */
export function handleKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: EventTarget | null }, s: WorkbenchStore, a: Actions): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || typingInField(e.target)) return false;
  const sc = SHORTCUTS.find((x) => x.key === e.key);
  if (!sc) return false;
  sc.run(s, a);
  return true;
}
