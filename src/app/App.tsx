import { useEffect, useState } from 'react';
import { actions, store, useWorkbench } from './appContext';
import { HelpOverlay } from './HelpOverlay';
import { handleKey, typingInField } from './shortcuts';
import { AdaptPanel } from './AdaptPanel';
import { ArchivePanel } from './ArchivePanel';
import { SessionNote } from './SessionNote';
import { DropZone } from './DropZone';
import { ErrorBanner } from './ErrorBanner';
import { Legend } from './Legend';
import { ModelPicker } from './ModelPicker';
import { ResultTabs } from './ResultTabs';
import { RunPanel } from './RunPanel';
import { ViewerPanel } from './ViewerPanel';
import { VolumePanel } from './VolumePanel';

export function App() {
  const status = useWorkbench((s) => s.status);
  // Which provider runs and why (no WebGPU, a software adapter): a badge in the header, not a banner over the viewer.
  const notice = useWorkbench((s) => s.backendNotice);
  const backend = useWorkbench((s) => s.backend);
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !typingInField(e.target)) setHelp((h) => !h);
      else if (e.key === 'Escape') setHelp(false);
      if (handleKey(e, store, actions)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="app">
      <header>
        <h1>FINE CT workbench</h1>
        <span className="badge" title="execution provider">backend: <b data-testid="backend">{backend}</b></span>
        <span className={`badge status-${status}`}>status: <b data-testid="status">{status}</b></span>
        {notice && <span className="badge notice" data-testid="backend-notice" title={notice}>{notice}</span>}
        <button type="button" className="help-button" data-testid="help-button" aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" onClick={() => setHelp(true)}>?</button>
      </header>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
      <main>
        <aside>
          {/* Errors and warnings head the side panel: they never push the viewer down. */}
          <ErrorBanner />
          <SessionNote />
          {/* The reading order: open, model, segment and its progress, the results, analysis or correction (tabs), then the display settings. */}
          <DropZone />
          <ArchivePanel />
          <ModelPicker />
          <RunPanel />
          <Legend />
          <ResultTabs />
          <AdaptPanel />
          <VolumePanel />
        </aside>
        <ViewerPanel />
      </main>
    </div>
  );
}
