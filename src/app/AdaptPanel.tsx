import { useState } from 'react';
import { actions, ui, useWorkbench } from './appContext';
import { NumberField } from './NumberField';
import { selectedCard } from './state/read';

const seconds = (s: number) => (s >= 90 ? `${Math.round(s / 60)} min` : `${Math.max(1, Math.round(s))} s`);
const dice = (d: number) => (Number.isFinite(d) ? d.toFixed(3) : 'n/a');

/**
 * "Teach the model": after a saved correction, the model that made the labels learns from it in the
 * worker; the outcome shows the held-out Dice of both models, to keep or discard. Nothing leaves the page.
 */
export function AdaptPanel() {
  const card = useWorkbench((s) => selectedCard(s)?.card);
  const ready = useWorkbench((s) => s.labels !== null && s.modelLabels !== null && s.corrections > 0 && !s.editing && s.status !== 'running' && s.resultModel === s.selectedModel);
  const run = useWorkbench((s) => s.adaptRun);
  const out = useWorkbench((s) => s.adaptOutcome);
  const note = useWorkbench((s) => s.adaptNote);
  const steps = useWorkbench((s) => s.adaptSteps);
  // The name typed for this outcome (a new outcome starts from its own name).
  const [typed, setTyped] = useState<{ for: string; name: string } | null>(null);
  const name = out && typed?.for === out.files.card.name ? typed.name : null;
  const setName = (v: string) => out && setTyped({ for: out.files.card.name, name: v });
  if (!card?.adaptation && !run && !out && !note) return null;
  return (
    <section data-testid="adapt-panel">
      <h2>Teach the model</h2>
      {card?.adaptation && !run && !out && (
        <>
          <p className="hint">After correcting the labels, teach {card.name} your corrections. It learns in this page: the scan and the labels never leave it.</p>
          <NumberField label="Steps" unit="steps" testId="adapt-steps" value={steps ?? card.adaptation.optimizer.steps} onCommit={(v) => ui.setAdaptSteps(Math.max(1, Math.min(2000, Math.round(v))))} />
          <button type="button" data-testid="adapt-start" disabled={!ready} title={ready ? undefined : 'Segment, correct and save the correction first'} onClick={() => void actions.adapt.teach()}>Teach the model</button>
        </>
      )}
      {run && (
        <div data-testid="adapt-progress">
          <progress max={run.steps} value={run.step} />
          <span>
            {run.phase === 'preparing' ? 'Preparing the corrected scan' : run.phase === 'scoring' ? 'Scoring both models on the held-out slices' : `Step ${run.step} of ${run.steps}`}
            {run.loss !== null && run.phase === 'training' ? `, loss ${run.loss.toFixed(3)}` : ''}
            {run.etaSeconds !== null && run.phase === 'training' ? `, about ${seconds(run.etaSeconds)} left` : ''}
            {run.resumedAt > 0 ? ` (resumed at step ${run.resumedAt})` : ''}
          </span>
          <button type="button" data-testid="adapt-cancel" onClick={() => actions.adapt.cancel()}>Stop</button>
        </div>
      )}
      {out && (
        <div data-testid="adapt-outcome">
          <p>
            {out.scan}, the part not learnt from (slices {out.heldOutSlices[0] + 1}-{out.heldOutSlices[1]} of the model's {out.files.card.spacing[2]} mm grid, toward the head): mean Dice{' '}
            <b data-testid="adapt-before">{dice(out.before.mean)}</b> before, <b data-testid="adapt-after">{dice(out.after.mean)}</b> after ({seconds(out.seconds)}).
          </p>
          <table className="dice-table">
            <thead><tr><th>organ</th><th>before</th><th>after</th></tr></thead>
            <tbody>
              {out.after.organs.map((o) => (
                <tr key={o.id}><td>{o.name}</td><td>{dice(out.before.organs.find((b) => b.id === o.id)?.dice ?? NaN)}</td><td>{dice(o.dice)}</td></tr>
              ))}
            </tbody>
          </table>
          {!(out.after.mean > out.before.mean) && (
            <p className="result-caution" data-testid="adapt-worse">The adapted model is not better on the slices it did not learn from: discarding it is the safer choice.</p>
          )}
          <label className="num-field name-field">
            Name
            <input type="text" data-testid="adapt-name" value={name ?? out.files.card.name} maxLength={64} onChange={(e) => setName(e.currentTarget.value)} />
          </label>
          <button type="button" data-testid="adapt-keep" onClick={() => void actions.adapt.keep(name ?? undefined)}>Keep</button>
          <button type="button" data-testid="adapt-discard" onClick={() => actions.adapt.discard()}>Discard</button>
        </div>
      )}
      {note && <p className="hint" data-testid="adapt-note">{note}</p>}
    </section>
  );
}
