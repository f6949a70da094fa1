import { NumberField } from './NumberField';
import { ui, useWorkbench } from './appContext';
import { CT_WINDOWS, type CtWindowName, presetOf } from './ctWindow';
import { SOFTWARE_3D_MAX_VOXELS, VIEW_LAYOUTS, type ViewLayout, render3dSource, show3dView } from './state/read';

const LAYOUT_NAMES: Record<ViewLayout, string> = {
  auto: 'automatic', '2x2': '2 x 2 (slices and 3-D)', '1x3': '1 x 3 (slices in a row)', axial: 'axial only', coronal: 'coronal only', sagittal: 'sagittal only',
};

const fmt = (v: number[], d: number) => v.map((x) => x.toFixed(d)).join(' × ');


export function VolumePanel() {
  const volume = useWorkbench((s) => s.volume);
  const win = useWorkbench((s) => s.ctWindow);
  const radiological = useWorkbench((s) => s.radiological);
  const layout = useWorkbench((s) => s.layout);
  const view3d = useWorkbench((s) => s.view3d);
  const softwareGl = useWorkbench((s) => s.softwareGl);
  const shown3d = show3dView({ view3d, softwareGl, volume });
  const autoOff = view3d === null && !shown3d;
  const copy3d = render3dSource({ view3d, softwareGl, volume }) === 'copy';
  const preset = presetOf(win);
  return (
    <section>
      <h2>Volume</h2>
      {volume ? (
        <dl>
          <dt>File</dt><dd data-testid="volume-name">{volume.name}</dd>
          {volume.kind && <><dt>What</dt><dd data-testid="volume-kind" className="volume-kind">{volume.kind}{volume.source === 'sample' ? ' (bundled sample, not a patient scan)' : ''}</dd></>}
          <dt>Dims</dt><dd data-testid="dims">{volume.dims.join(' × ')}</dd>
          <dt>Spacing</dt><dd data-testid="spacing">{fmt(volume.spacing, 2)} mm</dd>
        </dl>
      ) : (
        <p>No volume loaded.</p>
      )}
      <div className="presets" role="group" aria-label="CT window">
        {(Object.keys(CT_WINDOWS) as CtWindowName[]).map((w) => (
          <button key={w} className={w === preset ? 'on' : ''} aria-pressed={w === preset} onClick={() => ui.setCtWindow(CT_WINDOWS[w])} data-testid={`window-${w}`}>
            {w} W{CT_WINDOWS[w].width}/L{CT_WINDOWS[w].level}
          </button>
        ))}
      </div>
      <div className="row window-fields">
        <NumberField label="W" value={win.width} testId="window-width" onCommit={(width) => ui.setCtWindow({ ...win, width })} />
        <NumberField label="L" value={win.level} testId="window-level" onCommit={(level) => ui.setCtWindow({ ...win, level })} />
        <span className="muted-note">{preset ?? 'custom'}</span>
      </div>
      <label className="row">
        Layout{' '}
        <select data-testid="layout" value={layout} onChange={(e) => ui.setLayout(e.currentTarget.value as ViewLayout)}>
          {VIEW_LAYOUTS.map((l) => <option key={l} value={l}>{LAYOUT_NAMES[l]}</option>)}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" data-testid="radiological" checked={radiological} onChange={(e) => ui.setRadiological(e.currentTarget.checked)} />
        <span>Radiological convention (patient left on screen right)</span>
      </label>
      <label className="check">
        <input type="checkbox" data-testid="view3d" checked={shown3d} onChange={(e) => ui.setView3d(e.currentTarget.checked)} />
        <span>3-D view{autoOff ? ` (off: over ${SOFTWARE_3D_MAX_VOXELS / 1e6} M voxels on a software renderer, where it takes the cores the segmentation needs; on, it is drawn from a downsampled copy)` : copy3d ? ' (from a downsampled copy: a software renderer and a large scan)' : ''}</span>
      </label>
    </section>
  );
}
