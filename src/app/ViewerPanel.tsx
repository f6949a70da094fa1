import { useEffect, useMemo, useRef } from 'react';
import { actions, store, ui, useWorkbench } from './appContext';
import { cursorReadout, render3dSource, sliceNumber } from './state/read';
import { Render3d } from './render3d';
import { Viewer } from './viewer';
import { errorText } from '../util/errorText';

/** The crosshair readout: voxel, world mm, HU and the label under the crosshair. */
function Readout() {
  // Narrow slices (a selector that builds a new object would re-render forever); the readout is derived from them.
  const cursor = useWorkbench((s) => s.cursor);
  const volume = useWorkbench((s) => s.volume);
  const labels = useWorkbench((s) => s.labels);
  const labelInfo = useWorkbench((s) => s.labelInfo);
  const r = useMemo(() => cursorReadout({ ...store.getState(), cursor, volume, labels, labelInfo }), [cursor, volume, labels, labelInfo]);
  const radiological = useWorkbench((s) => s.radiological);
  const slice = useMemo(() => sliceNumber({ cursor, volume }), [cursor, volume]);
  return (
    <div className="readout" data-testid="readout" aria-live="polite">
      {r ? (
        <>
          {slice && <span>slice <b data-testid="readout-slice">{slice.slice} / {slice.of}</b></span>}
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

/**
 * A NiiVue adapter on a canvas for as long as the component is mounted: `attach` starts it, `follow`
 * connects it to the store and returns what lets it go; a failure to start is one line.
 */
function useNiivueCanvas(attach: (canvas: HTMLCanvasElement) => Promise<() => void>, what: string) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let live = true;
    let release: (() => void) | undefined;
    attach(canvas.current!)
      .then((stop) => {
        if (live) release = stop;
        else stop();
      })
      .catch((e: unknown) => ui.failed(`${what} could not start: ${errorText(e)}`));
    return () => {
      live = false;
      release?.();
    };
    // The adapter lives as long as the canvas: `attach` is read once, at mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return canvas;
}

/** The 3-D view of a downsampled copy, beside the slices (large scans on a software renderer). */
function Render3dInset() {
  const canvas = useNiivueCanvas(async (c) => {
    const r = new Render3d();
    await r.attach(c);
    return actions.render3dAttached(r);
  }, '3-D view');
  return (
    <figure className="render3d-inset" data-testid="render3d">
      <div className="render3d-cell">
        <canvas ref={canvas} role="img" aria-label="3-D view of a downsampled copy of the scan" />
      </div>
      <figcaption>3-D view from a downsampled copy</figcaption>
    </figure>
  );
}

/** The NiiVue canvas; the viewer follows the store through `viewerSync.ts`, not through React renders. */
export function ViewerPanel() {
  const canvas = useNiivueCanvas(async (c) => {
    const v = new Viewer();
    await v.attach(c);
    return actions.viewerAttached(v);
  }, 'Viewer (WebGL2 needed)');
  const copy3d = useWorkbench((s) => render3dSource(s) === 'copy');

  return (
    <div className="viewer-wrap">
      {/* The copy's 3-D view goes beside the slices, not over them: two WebGL canvases must not overlap. */}
      <div className="viewer-row">
        {/* NiiVue follows the size of its canvas's parent: each canvas has a parent of its own. */}
        <div className="viewer-cell">
          <canvas ref={canvas} className="viewer" data-testid="viewer" role="img" aria-label="CT viewer: axial, coronal, sagittal and 3-D views; click to move the crosshair" />
        </div>
        {copy3d && <Render3dInset />}
      </div>
      <Readout />
    </div>
  );
}
