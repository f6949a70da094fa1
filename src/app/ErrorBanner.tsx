import { ui, useWorkbench } from './appContext';

export function ErrorBanner() {
  const error = useWorkbench((s) => s.error);
  const inputWarnings = useWorkbench((s) => s.warnings);
  const checks = useWorkbench((s) => s.volumeChecks);
  const resultWarnings = useWorkbench((s) => s.resultWarnings);
  // Reading warnings, then the checks made when the volume opened (before any run), then what the run found.
  const warnings = [...inputWarnings, ...checks, ...resultWarnings];
  return (
    <>
      {error && (
        <div className="banner error" role="alert">
          <span data-testid="error">{error}</span>
          <button onClick={() => ui.dismissError()} aria-label="Dismiss">×</button>
        </div>
      )}
      {warnings.length > 0 && (
        <div className="banner warn" data-testid="warnings">
          {warnings.map((w, i) => <div key={i}>{w}</div>)}
        </div>
      )}
    </>
  );
}
