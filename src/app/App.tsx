import { useCallback } from 'react';
import { AnalysisPanel } from './AnalysisPanel';
import { useWorkbench } from './appContext';
import { DropZone } from './DropZone';
import { ErrorBanner } from './ErrorBanner';
import { Legend } from './Legend';
import { ModelPicker } from './ModelPicker';
import { RunPanel } from './RunPanel';
import { ViewerPanel } from './ViewerPanel';
import type { Viewer } from './viewer';
import { VolumePanel } from './VolumePanel';

export function App({ onViewer }: { onViewer: (v: Viewer | null) => void }) {
  const status = useWorkbench((s) => s.status);
  const backend = useWorkbench((s) => s.backend);
  const viewerChanged = useCallback((v: Viewer | null) => onViewer(v), [onViewer]);
  return (
    <div className="app">
      <header>
        <h1>FINE CT workbench</h1>
        <span className="badge" title="execution provider">backend: <b data-testid="backend">{backend}</b></span>
        <span className={`badge status-${status}`}>status: <b data-testid="status">{status}</b></span>
      </header>
      <ErrorBanner />
      <main>
        <aside>
          <DropZone />
          <VolumePanel />
          <ModelPicker />
          <RunPanel />
          <Legend />
          <AnalysisPanel />
        </aside>
        <ViewerPanel onViewer={viewerChanged} />
      </main>
    </div>
  );
}
