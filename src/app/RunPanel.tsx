import { actions, useWorkbench } from './appContext';

function eta(s: number | null): string {
  if (s === null) return '';
  return s < 60 ? `${Math.ceil(s)} s left` : `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s left`;
}

export function RunPanel() {
  const status = useWorkbench((s) => s.status);
  const progress = useWorkbench((s) => s.progress);
  const canRun = useWorkbench((s) => s.volume !== null && s.selectedModel !== null);
  const hasLabels = useWorkbench((s) => s.labels !== null);
  const busy = status === 'running' || status === 'loading';
  const pct = progress.total > 0 ? Math.round((100 * progress.done) / progress.total) : 0;
  return (
    <section>
      <h2>Segment</h2>
      <div className="row">
        <button data-testid="run" onClick={() => actions.segment()} disabled={!canRun || busy}>Segment</button>
        <button data-testid="cancel" onClick={() => actions.cancel()} disabled={status !== 'running'}>Cancel</button>
        <button data-testid="download-segmentation" onClick={() => actions.download()} disabled={!hasLabels}>Download .nii.gz</button>
      </div>
      <div data-testid="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="progress">
        <div style={{ width: `${pct}%` }} />
      </div>
      <div className="progress-text">
        {progress.total > 0 ? `${progress.done} / ${progress.total} tiles ${eta(progress.etaSeconds)}` : ''}
      </div>
    </section>
  );
}
