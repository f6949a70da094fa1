import { useEffect, useMemo, useRef } from 'react';
import { actions, store, useWorkbench } from './appContext';
import { cursorMoved, cursorReadout, failed, rendererFound, show3dView } from './store';
import { Viewer } from './viewer';
import { DISAGREEMENT_LABELS } from './reference';
import { errorText } from '../util/errorText';

const DISAGREEMENT_VIEW = { 1: { visible: true, opacity: 0.8 }, 2: { visible: true, opacity: 0.8 }, 3: { visible: true, opacity: 0.8 }, 4: { visible: true, opacity: 0.35 } };


/** The NiiVue canvas, kept in sync with the store by subscription rather than React renders. */
/** The crosshair readout: voxel, world mm, HU and the label under the crosshair. */
function Readout() {
  // Narrow slices (a selector that builds a new object would re-render forever); the readout is derived from them.
  const cursor = useWorkbench((s) => s.cursor);
  const volume = useWorkbench((s) => s.volume);
  const labels = useWorkbench((s) => s.labels);
  const labelInfo = useWorkbench((s) => s.labelInfo);
  const r = useMemo(() => cursorReadout({ ...store.getState(), cursor, volume, labels, labelInfo }), [cursor, volume, labels, labelInfo]);
  const radiological = useWorkbench((s) => s.radiological);
  return (
    <div className="readout" data-testid="readout" aria-live="polite">
      {r ? (
        <>
          <span>voxel <b data-testid="readout-voxel">{r.vox.join(', ')}</b></span>
          <span>mm <b data-testid="readout-mm">{r.mm.map((v) => v.toFixed(1)).join(', ')}</b></span>
          <span>HU <b data-testid="readout-hu">{r.hu === null ? '–' : Math.round(r.hu)}</b></span>
          {r.label !== null && <span>label <b data-testid="readout-label">{r.label}</b></span>}
        </>
      ) : (
        <span>Click the image to read voxel, mm, HU and label.</span>
      )}
      <span className="convention" data-testid="convention">{radiological ? 'radiological: patient left on screen right' : 'neurological: patient left on screen left'}</span>
    </div>
  );
}

export function ViewerPanel({ onViewer }: { onViewer: (v: Viewer | null) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const viewer = useRef<Viewer | null>(null);

  useEffect(() => {
    const v = new Viewer();
    let live = true;
    const guard = (p: Promise<void>) => p.catch((e: unknown) => failed(store, `Viewer: ${errorText(e)}`));
    const guardSync = (f: () => void) => {
      try {
        f();
      } catch (e) {
        failed(store, `Viewer: ${errorText(e)}`);
      }
    };
    v.onVoxel = (voxel) => actions.attention(voxel);
    v.onLocation = (at) => cursorMoved(store, at);
    const sync = async (attached: Promise<void>) => {
      await attached;
      if (!live) return;
      viewer.current = v;
      onViewer(v);
      rendererFound(store, v.softwareRenderer());
      let prev = store.getState();
      v.setRadiological(prev.radiological);
      if (prev.volume) await v.showVolume(prev.volume.nifti, prev.volume.name, prev.ctWindow, show3dView(prev));
      return store.subscribe((st) => {
        const old = prev;
        prev = st;
        if (st.volume !== old.volume && st.volume) void guard(v.showVolume(st.volume.nifti, st.volume.name, st.ctWindow, show3dView(st)));
        else {
          if (st.ctWindow !== old.ctWindow) v.setWindow(st.ctWindow);
          if (st.view3d !== old.view3d || st.softwareGl !== old.softwareGl) v.setView3d(show3dView(st));
        }
        if (st.radiological !== old.radiological) v.setRadiological(st.radiological);
        const shown = st.showDisagreement && st.disagreement;
        const showLabelMap = () => {
          if (shown) v.showLabels(shown.map, DISAGREEMENT_LABELS, DISAGREEMENT_VIEW);
          else if (st.labels) v.showLabels(st.labels, st.labelInfo, st.legend);
          else v.clearLabels();
        };
        if (st.editing !== old.editing) {
          if (st.editing && st.labels) guardSync(() => v.startEditing(st.labels!, st.labelInfo, st.editPen));
          else if (!st.editing) {
            v.stopEditing();
            guardSync(showLabelMap);
          }
        } else if (st.editing) {
          // The drawing layer shows the labels while they are corrected.
          if (st.editPen !== old.editPen) v.setPen(st.editPen);
        } else if (st.labels !== old.labels || st.showDisagreement !== old.showDisagreement || st.disagreement !== old.disagreement) {
          guardSync(showLabelMap);
        } else if (st.legend !== old.legend && !shown) v.updateLegend(st.legend);
        if (st.heatMap !== old.heatMap) {
          if (st.heatMap) v.showHeat(st.heatMap);
          else v.clearHeat();
        }
      });
    };
    let unsubscribe: (() => void) | undefined;
    sync(v.attach(canvas.current!)).then((u) => { unsubscribe = u; }, (e: unknown) => failed(store, `Viewer could not start (WebGL2 needed): ${errorText(e)}`));
    return () => {
      live = false;
      unsubscribe?.();
      viewer.current = null;
      onViewer(null);
    };
  }, [onViewer]);

  return (
    <div className="viewer-wrap">
      <canvas ref={canvas} className="viewer" data-testid="viewer" role="img" aria-label="CT viewer: axial, coronal, sagittal and 3-D views; click to move the crosshair" />
      <Readout />
    </div>
  );
}
