/**
 * Keeps the viewer in step with the store: the one subscriber that turns state changes into viewer
 * calls. Each change makes the fewest calls that show it (a legend change recolours the label layer, a
 * window change re-renders the CT once, nothing else redraws the CT).
 */
import type { Viewer } from './viewer';
import { DISAGREEMENT_LABELS } from './reference';
import { type WorkbenchState, type WorkbenchStore, rendererFound, show3dView } from './state';
import { errorText } from '../util/errorText';

/** What the sync asks of a viewer (the Node tests give it a recording fake). */
export type ViewerSurface = Pick<
  Viewer,
  'showVolume' | 'setWindow' | 'setView3d' | 'setLayout' | 'setRadiological' | 'showLabels' | 'clearLabels' | 'updateLegend' | 'startEditing' | 'stopEditing' | 'setPen' | 'setEditRules' | 'showHeat' | 'clearHeat' | 'softwareRenderer'
>;

const strokeRules = (r: WorkbenchState['editRules']) => ({ huRange: r.huRange, locked: new Set(r.locked) });

/** The disagreement map's classes drawn strongly, the not-scored class faintly. */
const DISAGREEMENT_VIEW = { 1: { visible: true, opacity: 0.8 }, 2: { visible: true, opacity: 0.8 }, 3: { visible: true, opacity: 0.8 }, 4: { visible: true, opacity: 0.35 } };

function showLabelLayer(v: ViewerSurface, st: WorkbenchState): void {
  const shown = st.showDisagreement && st.disagreement;
  if (shown) v.showLabels(shown.map, DISAGREEMENT_LABELS, DISAGREEMENT_VIEW);
  else if (st.labels) v.showLabels(st.labels, st.labelInfo, st.legend);
  else v.clearLabels();
}

/** One state change, as viewer calls. */
function apply(v: ViewerSurface, st: WorkbenchState, old: WorkbenchState, onError: (message: string) => void): void {
  if (st.volume !== old.volume && st.volume) v.showVolume(st.volume.nifti, st.volume.name, st.ctWindow, show3dView(st)).catch((e: unknown) => onError(`Viewer: ${errorText(e)}`));
  else {
    if (st.ctWindow !== old.ctWindow) v.setWindow(st.ctWindow);
    if (st.view3d !== old.view3d || st.softwareGl !== old.softwareGl) v.setView3d(show3dView(st));
  }
  if (st.radiological !== old.radiological) v.setRadiological(st.radiological);
  if (st.layout !== old.layout) v.setLayout(st.layout);
  if (st.editing !== old.editing) {
    if (st.editing && st.labels) v.startEditing(st.labels, st.labelInfo, st.editPen, strokeRules(st.editRules));
    else if (!st.editing) {
      v.stopEditing();
      showLabelLayer(v, st);
    }
  } else if (st.editing) {
    // The drawing layer shows the labels while they are corrected.
    if (st.editPen !== old.editPen) v.setPen(st.editPen);
    if (st.editRules !== old.editRules) v.setEditRules(strokeRules(st.editRules));
  } else if (st.labels !== old.labels || st.showDisagreement !== old.showDisagreement || (st.showDisagreement && st.disagreement !== old.disagreement)) {
    showLabelLayer(v, st);
  } else if (st.legend !== old.legend && !(st.showDisagreement && st.disagreement)) v.updateLegend(st.legend);
  if (st.heatMap !== old.heatMap) {
    if (st.heatMap) v.showHeat(st.heatMap);
    else v.clearHeat();
  }
}

/**
 * Shows what the store holds now on a viewer that has just attached, then follows every change until
 * the returned function is called. Viewer failures go to `onError` as one line.
 */
export async function syncViewer(s: WorkbenchStore, v: ViewerSurface, onError: (message: string) => void): Promise<() => void> {
  rendererFound(s, v.softwareRenderer());
  let prev = s.getState();
  v.setRadiological(prev.radiological);
  v.setLayout(prev.layout);
  if (prev.volume) await v.showVolume(prev.volume.nifti, prev.volume.name, prev.ctWindow, show3dView(prev));
  if (prev.labels) showLabelLayer(v, prev);
  return s.subscribe((st) => {
    const old = prev;
    prev = st;
    try {
      apply(v, st, old, onError);
    } catch (e) {
      onError(`Viewer: ${errorText(e)}`);
    }
  });
}
