import { selectedCard, trainedOn } from './state/read';
import type { ModelCard } from '../infer/contract/modelCard';

/** What a model is for, in the picker: "trained on synthetic phantoms" or "trained on CT". */
export function modelPurpose(card: ModelCard): string {
  return trainedOn(card) === 'synthetic' ? 'trained on synthetic phantoms' : 'trained on CT';
}
import { actions, ui, useWorkbench } from './appContext';
import { isUserModel } from './userModels';

export function ModelPicker() {
  const models = useWorkbench((s) => s.models);
  const selected = useWorkbench((s) => s.selectedModel);
  const entry = useWorkbench(selectedCard);
  const running = useWorkbench((s) => s.status === 'running' || s.adaptRun !== null);
  const mismatch = useWorkbench((s) => {
    const c = selectedCard(s)?.card;
    if (!c || !s.volume) return null;
    if (s.volume.source === 'sample' && trainedOn(c) === 'ct') return `${c.name} was trained on real CT; the sample is a synthetic phantom, so expect poor labels (its own model is ${s.sampleModel ?? 'one trained on phantoms'}).`;
    if (s.volume.source === 'user' && trainedOn(c) === 'synthetic') return `${c.name} was trained on synthetic phantoms only; on a real CT expect poor labels.`;
    return null;
  });
  const card = entry?.card;
  const resultModel = useWorkbench((s) => s.resultModel);
  const canCompare = useWorkbench((s) => s.labels !== null && s.resultModel !== null && s.selectedModel !== s.resultModel && s.status !== 'running');
  return (
    <section>
      <h2>Model</h2>
      <select data-testid="model-select" value={selected ?? ''} onChange={(e) => ui.selectModel(e.currentTarget.value)} disabled={models.length === 0 || running} title={running ? 'Cancel the running segmentation (or stop teaching the model) to switch models' : undefined}>
        {models.length === 0 && <option value="">no models in models/</option>}
        {models.map((m) => (
          <option key={m.card.name} value={m.card.name}>{m.card.name}: {m.card.adapted ? `yours, adapted from ${m.card.adapted.base.name}` : `${m.card.variant}, ${modelPurpose(m.card)}`}</option>
        ))}
      </select>
      {mismatch && <p className="result-caution" data-testid="model-mismatch">{mismatch}</p>}
      {canCompare && (
        <button type="button" data-testid="compare-models" onClick={() => actions.compareModels()} title="Run this model too and show where its labels differ from the result shown">
          Compare with {resultModel}'s result
        </button>
      )}
      {card && (
        <details className="card" data-testid="model-card">
          <summary>{card.variant} ({card.preset}), {modelPurpose(card)}; validation Dice {card.training.meanDice.toFixed(2)}: the model card</summary>
          <p>{card.description}</p>
          <dl>
            <dt>Network</dt><dd data-testid="model-network">{card.variant} ({card.preset}, {(card.parameters / 1e6).toFixed(2)} M params)</dd>
            <dt>Spacing</dt><dd>{card.spacing.join(' × ')} mm</dd>
            <dt>Patch</dt><dd>{card.patchSize.join(' × ')}</dd>
            <dt>Labels</dt><dd>{card.labels.filter((l) => l.id !== 0).map((l) => l.name).join(', ')}</dd>
            <dt>Trained</dt>
            <dd>{card.training.steps} steps on {card.training.data.join(', ') || 'unnamed data'} ({Math.round(card.training.seconds / 60)} min)</dd>
            <dt>Validation</dt><dd>{card.training.validation}</dd>
            <dt>Mean Dice</dt><dd>{card.training.meanDice.toFixed(3)}</dd>
            {card.adapted && (
              <>
                <dt>Adapted</dt>
                <dd data-testid="model-adapted">
                  from {card.adapted.base.name} (sha256 {card.adapted.base.sha256.slice(0, 12)}…), {card.adapted.steps} steps, lr {card.adapted.settings.lr}, anchor {card.adapted.settings.anchor},{' '}
                  {card.adapted.scans.length} corrected scan{card.adapted.scans.length === 1 ? '' : 's'} ({card.adapted.where}, {card.adapted.created.slice(0, 10)})
                  {card.adapted.heldOut && `; held-out mean Dice ${card.adapted.heldOut.before.toFixed(3)} before, ${card.adapted.heldOut.after.toFixed(3)} after`}
                </dd>
              </>
            )}
          </dl>
          {isUserModel(entry.url) && (
            <p>
              <button type="button" data-testid="model-download" onClick={() => void actions.adapt.download(card.name)}>Download .onnx + card</button>
              <button type="button" data-testid="model-remove" onClick={() => void actions.adapt.remove(card.name)}>Remove from this browser</button>
            </p>
          )}
        </details>
      )}
    </section>
  );
}
