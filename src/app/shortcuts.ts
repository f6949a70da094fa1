/**
 * Keyboard shortcuts: one table, read by the key handler and by the `?` help overlay, so what the help
 * lists is what the keys do. Keys typed into a text field, a number field or a select are left alone.
 */
import type { Actions } from './actions';
import { CT_WINDOWS } from './ctWindow';
import { type WorkbenchStore, nextLayout, setAttentionMode, setCtWindow, setLayout, setRadiological, setShowDisagreement, stepPenSize } from './state';

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
  { key: 'l', what: 'Next layout: automatic, 2 x 2, 1 x 3, axial, coronal, sagittal', run: (s) => setLayout(s, nextLayout(s.getState().layout)) },
  { key: 'a', what: 'Attention mode on / off (then click a voxel)', run: (s) => { if (s.getState().labels) setAttentionMode(s, !s.getState().attentionMode); } },
  { key: 'd', what: 'Show where result and reference disagree / the labels again', run: (s) => setShowDisagreement(s, !s.getState().showDisagreement) },
  { key: '[', what: 'While correcting labels: a narrower brush', run: (s) => { if (s.getState().editing) stepPenSize(s, -1); } },
  { key: ']', what: 'While correcting labels: a wider brush', run: (s) => { if (s.getState().editing) stepPenSize(s, 1); } },
  { key: 'Ctrl+z', what: 'While correcting labels: undo the last stroke', run: (s, a) => { if (s.getState().editing) a.undoEdit(); } },
  { key: 'Ctrl+y', what: 'While correcting labels: redo (also Ctrl+Shift+Z)', run: (s, a) => { if (s.getState().editing) a.redoEdit(); } },
  { key: 'Ctrl+Shift+z', what: 'While correcting labels: redo', run: (s, a) => { if (s.getState().editing) a.redoEdit(); } },
  { key: 'f', what: "While correcting labels: fill the pen's label between the slices it was drawn on", run: (s, a) => { if (s.getState().editing) a.fillBetweenSlices(); } },
  { key: '?', what: 'Show or hide this help', run: () => {} },
];

/** True when the key belongs to a form control (typing a number, choosing an option). */
export function typingInField(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; type?: string; isContentEditable?: boolean } | null;
  if (!el?.tagName) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'range', 'file'].includes(el.type ?? '');
}

/**
 * Runs the shortcut for a key; returns whether one matched. Ctrl (or Cmd) chords match `Ctrl+<key>`
 * (or `Ctrl+Shift+<key>`) entries; every other chord is left to the browser.
 */
export function handleKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey?: boolean; target: EventTarget | null }, s: WorkbenchStore, a: Actions): boolean {
  if (e.altKey || typingInField(e.target)) return false;
  const name = e.ctrlKey || e.metaKey ? `Ctrl+${e.shiftKey ? 'Shift+' : ''}${e.key.toLowerCase()}` : e.key;
  const sc = SHORTCUTS.find((x) => x.key === name);
  if (!sc) return false;
  sc.run(s, a);
  return true;
}
