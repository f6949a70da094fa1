import { actions, ui, useWorkbench } from './appContext';
import { adapterLabel } from './backendChoice';
import { type Backend, type RunEngine, selectedCard } from './state/read';

function eta(s: number | null): string {
  if (s === null) return '';
  return s < 60 ? `${Math.ceil(s)} s left` : `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s left`;
}

function engineText(r: RunEngine): string {
  const build = r.build === 'wasm' ? 'plain WASM build' : 'WebGPU build';
  const threads = r.provider === 'wasm' ? `, ${r.threads} thread${r.threads === 1 ? '' : 's'}` : '';
  return `last run: ${r.provider} (${build}${threads}), ${r.seconds.toFixed(1)} s`;
}

/** The backend switch: WASM or WebGPU, with the adapter WebGPU would run on. */
function BackendSwitch({ disabled }: { disabled: boolean }) {
  const backend = useWorkbench((s) => s.backend);
  const adapter = useWorkbench((s) => s.adapter);
  const checked = useWorkbench((s) => s.adapterChecked);
  const lastRun = useWorkbench((s) => s.lastRun);
  return (
    <div className="backend-switch">
      <dl>
        <dt>Backend</dt>
        <dd>
          <select data-testid="backend-select" value={backend} onChange={(e) => actions.chooseBackend(e.currentTarget.value as Backend)} disabled={disabled || !checked} title={disabled ? 'Cancel the running segmentation to switch backends' : undefined}>
            <option value="wasm">WASM (CPU)</option>
            <option value="webgpu" disabled={checked && !adapter}>WebGPU</option>
          </select>
        </dd>
        <dt>GPU</dt>
        <dd data-testid="adapter">{checked ? adapterLabel(adapter) : 'checking WebGPU…'}</dd>
      </dl>
      {lastRun && <div className="progress-text" data-testid="run-engine">{engineText(lastRun)}</div>}
    </div>
  );
}

/** Test-time mirroring (default: the model card's) and largest-component post-processing. */
function InferenceSwitches({ disabled }: { disabled: boolean }) {
  const choice = useWorkbench((s) => s.inference);
  const card = useWorkbench((s) => selectedCard(s)?.card ?? null);
  const mirror = choice.mirror ?? card?.inference?.mirror ?? false;
  const lcc = card?.inference?.largestComponent ?? [];
  return (
    <div className="row inference-switches">
      <label title="Also run the scan mirrored left-right (lateral labels swapped back) and average: 2x the model runs">
        <input type="checkbox" data-testid="mirror-toggle" checked={mirror} disabled={disabled} onChange={(e) => actions.chooseInference({ mirror: e.currentTarget.checked })} />
        Mirror left-right (2× time)
      </label>
      <label title={lcc.length ? `Keep only the largest connected part of: ${lcc.join(', ')} (chosen by the model's cross-validation)` : 'This model names no organ for largest-component post-processing'}>
        <input type="checkbox" data-testid="postprocess-toggle" checked={choice.postprocess && lcc.length > 0} disabled={disabled || lcc.length === 0} onChange={(e) => actions.chooseInference({ postprocess: e.currentTarget.checked })} />
        Largest component{lcc.length ? ` (${lcc.length} organ${lcc.length === 1 ? '' : 's'})` : ''}
      </label>
    </div>
  );
}

export function RunPanel() {
  const status = useWorkbench((s) => s.status);
  const progress = useWorkbench((s) => s.progress);
  const runNote = useWorkbench((s) => s.runNote);
  const labelMap = useWorkbench((s) => s.volume?.labelMapValues ?? null);
  const anyway = useWorkbench((s) => s.segmentAnyway);
  const canRun = useWorkbench((s) => s.volume !== null && s.selectedModel !== null) && (labelMap === null || anyway);
  const hasLabels = useWorkbench((s) => s.labels !== null);
  const fromDicom = useWorkbench((s) => s.volume?.nifti.source !== undefined);
  const archiveBusy = useWorkbench((s) => s.archiveBusy !== null);
  // What storing the SEG is doing or did (the archive panel, folded, says it too).
  const storeNote = useWorkbench((s) => (s.archiveTask !== 'store' ? null : s.archiveBusy !== null ? `${s.archiveBusy}…` : s.archiveNote));
  // While the model learns from corrections its sessions are in use: a run waits for it to end.
  const adapting = useWorkbench((s) => s.adaptRun !== null);
  const busy = status === 'running' || status === 'loading' || adapting;
  const pct = progress.total > 0 ? Math.round((100 * progress.done) / progress.total) : 0;
  return (
    <section>
      <h2>Segment</h2>
      <BackendSwitch disabled={busy} />
      <InferenceSwitches disabled={busy} />
      {labelMap !== null && (
        <div className="label-map-gate" data-testid="label-map-gate" role="alert">
          <p>This volume holds only {labelMap} distinct integer values: it looks like a label map, not a CT, and the model would label it as if it were one.</p>
          <label className="check">
            <input type="checkbox" data-testid="segment-anyway" checked={anyway} onChange={(e) => ui.setSegmentAnyway(e.currentTarget.checked)} />
            <span>Segment it anyway</span>
          </label>
        </div>
      )}
      <div className="row">
        <button data-testid="run" onClick={() => actions.segment()} disabled={!canRun || busy}>Segment</button>
        <button data-testid="cancel" onClick={() => actions.cancel()} disabled={status !== 'running'}>Cancel</button>
        <button data-testid="download-segmentation" onClick={() => actions.download()} disabled={!hasLabels}>Download .nii.gz</button>
      </div>
      <div className="row exports">
        <button data-testid="download-organs" onClick={() => actions.downloadOrganTable()} disabled={!hasLabels} title="organ, voxels, mL, mean HU">Organ table .csv</button>
        <button data-testid="download-labels-itksnap" onClick={() => actions.downloadLabelTable('itksnap')} disabled={!hasLabels} title="ITK-SNAP label description file: Segmentation > Import Label Descriptions">Label names (ITK-SNAP .txt)</button>
        <button data-testid="download-labels-json" onClick={() => actions.downloadLabelTable('json')} disabled={!hasLabels}>Label names .json</button>
      </div>
      {fromDicom && (
        <div className="row exports">
          <button data-testid="download-seg" onClick={() => actions.downloadSeg()} disabled={!hasLabels} title="DICOM Segmentation referencing the series: any DICOM viewer reads it">DICOM SEG .dcm</button>
          <button data-testid="store-seg" onClick={() => void actions.storeSeg()} disabled={!hasLabels || archiveBusy} title="Store the SEG as a new series of this study in the archive (STOW-RS)">Store SEG in the archive</button>
        </div>
      )}
      {fromDicom && storeNote && <p className="muted-note" data-testid="seg-store-note" role="status">{storeNote}</p>}
      <div data-testid="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="progress">
        <div style={{ width: `${pct}%` }} />
      </div>
      <div className="progress-text">
        {progress.total > 0 ? `${progress.done} / ${progress.total} tiles ${eta(progress.etaSeconds)}` : ''}
      </div>
      {runNote && status === 'idle' && <p className="muted-note" data-testid="run-note" role="status">{runNote}</p>}
    </section>
  );
}
