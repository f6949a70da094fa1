import { AnalysisPanel } from './AnalysisPanel';
import { ui, useWorkbench } from './appContext';
import { EditPanel } from './EditPanel';
import type { PanelTab } from './state/read';

const TABS: { id: PanelTab; name: string }[] = [{ id: 'analysis', name: 'Analysis' }, { id: 'edit', name: 'Correct labels' }];

/** Analysis (attention, reference scoring) and label correction, as two tabs under the results. */
export function ResultTabs() {
  const tab = useWorkbench((s) => s.panelTab);
  return (
    <section className="result-tabs">
      <div role="tablist" aria-label="analysis or correction" className="tabs">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" id={`tab-${t.id}`} aria-controls={`panel-${t.id}`} aria-selected={tab === t.id} className={tab === t.id ? 'on' : ''} data-testid={`tab-${t.id}`} onClick={() => ui.setPanelTab(t.id)}>{t.name}</button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'analysis' ? <AnalysisPanel /> : <EditPanel />}
      </div>
    </section>
  );
}
