/**
 * Keeps the viewer in step with the store: the one subscriber that turns state changes into viewer
 * calls. Each change makes the fewest calls that show it (a legend change recolours the label layer, a
 * window change re-renders the CT once, nothing else redraws the CT).
 */
import type { Viewer } from './viewer';
import { DISAGREEMENT_LABELS } from './reference';
import { type WorkbenchState, type WorkbenchStore, render3dSource, rendererFound } from './state';
import type { Render3d } from './render3d';
import { renderCopy, renderCopyLabels } from './render3dCopy';
import { labelColormap } from './ctWindow';
import type { NiftiVolume } from '../infer/io/nifti';
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
  if (st.volume !== old.volume && st.volume) v.showVolume(st.volume.nifti, st.volume.name, st.ctWindow, render3dSource(st) === 'volume').catch((e: unknown) => onError(`Viewer: ${errorText(e)}`));
  else {
    if (st.ctWindow !== old.ctWindow) v.setWindow(st.ctWindow);
    if (st.view3d !== old.view3d || st.softwareGl !== old.softwareGl) v.setView3d(render3dSource(st) === 'volume');
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
  if (prev.volume) await v.showVolume(prev.volume.nifti, prev.volume.name, prev.ctWindow, render3dSource(prev) === 'volume');
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

/** What the sync asks of the 3-D copy's view. */
export type Render3dSurface = Pick<Render3d, 'show' | 'setWindow' | 'showLabels'>;

/**
 * Keeps the 3-D view of a downsampled copy (`render3dSource` = 'copy') in step with the store: a new
 * scan makes a new copy, a window change recolours it, the labels and the legend follow on its grid.
 */
export function syncRender3d(s: WorkbenchStore, r: Render3dSurface, onError: (message: string) => void): () => void {
  let copy: { of: WorkbenchState['volume']; volume: NiftiVolume } | null = null;
  let labelsCopy: { of: Uint8Array; labels: Uint8Array } | null = null;
  const showLabels = (st: WorkbenchState) => {
    if (!copy || !st.volume) return;
    if (!st.labels) return r.showLabels(null, null);
    if (labelsCopy?.of !== st.labels) labelsCopy = { of: st.labels, labels: renderCopyLabels(st.labels, st.volume.nifti, copy.volume) };
    r.showLabels(labelsCopy.labels, labelColormap(st.labelInfo, st.legend));
  };
  const showScan = (st: WorkbenchState) => {
    if (!st.volume) return;
    const c = { of: st.volume, volume: renderCopy(st.volume.nifti) };
    copy = c;
    labelsCopy = null;
    r.show(c.volume, st.ctWindow)
      .then(() => {
        if (copy !== c) return;
        const now = s.getState();
        if (now.ctWindow !== st.ctWindow) r.setWindow(now.ctWindow);
        showLabels(now);
      })
      .catch((e: unknown) => onError(`3-D view: ${errorText(e)}`));
  };
  showScan(s.getState());
  return s.subscribe((st, old) => {
    try {
      if (st.volume !== old.volume) return showScan(st);
      if (st.ctWindow !== old.ctWindow) r.setWindow(st.ctWindow);
      if (st.labels !== old.labels || st.legend !== old.legend || st.labelInfo !== old.labelInfo) showLabels(st);
    } catch (e) {
      onError(`3-D view: ${errorText(e)}`);
    }
  });
}
