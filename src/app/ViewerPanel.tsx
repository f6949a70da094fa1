import { useEffect, useRef } from 'react';
import type { CtWindowName } from './ctWindow';
import { actions, store } from './appContext';
import { failed } from './store';
import { Viewer } from './viewer';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The NiiVue canvas, kept in sync with the store by subscription rather than React renders. */
export function ViewerPanel({ window, onViewer }: { window: CtWindowName; onViewer: (v: Viewer | null) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const viewer = useRef<Viewer | null>(null);
  const windowRef = useRef(window);

  useEffect(() => {
    const v = new Viewer();
    let live = true;
    const guard = (p: Promise<void>) => p.catch((e: unknown) => failed(store, `Viewer: ${errorText(e)}`));
    v.onVoxel = (voxel) => actions.attention(voxel);
    const sync = async (attached: Promise<void>) => {
      await attached;
      if (!live) return;
      viewer.current = v;
      onViewer(v);
      let prev = store.getState();
      if (prev.volume) await v.showVolume(prev.volume.nifti, prev.volume.name, windowRef.current);
      return store.subscribe((st) => {
        const old = prev;
        prev = st;
        if (st.volume !== old.volume && st.volume) void guard(v.showVolume(st.volume.nifti, st.volume.name, windowRef.current));
        if (st.labels !== old.labels) {
          if (st.labels && st.volume) void guard(v.showLabels(st.labels, st.volume.nifti, st.labelInfo, st.legend));
          else v.clearLabels();
        } else if (st.legend !== old.legend) v.updateLegend(st.legend);
        if (st.heatMap !== old.heatMap) {
          if (st.heatMap && st.volume) void guard(v.showHeat(st.heatMap, st.volume.nifti));
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

  useEffect(() => {
    windowRef.current = window;
    viewer.current?.setWindow(window);
  }, [window]);

  return <canvas ref={canvas} className="viewer" data-testid="viewer" />;
}
