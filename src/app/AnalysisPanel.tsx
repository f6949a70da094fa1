import { attentionLevelsOf } from '../infer/attention/attentionMap';
import { type DiceRow, effectiveAttentionLevel, selectedCard } from './state/read';
import { DISAGREEMENT_LABELS } from './reference';
import { HEAT_MEANING, HEAT_SCALE, levelMeaning } from './attentionText';
import { referenceMeans } from './reference';
import { actions, ui, useWorkbench } from './appContext';

const mm = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : Number.isNaN(x) ? '–' : '∞');

/** Dice and HD95 per organ as `npm run evaluate` scores them: means over the organs in the reference. */
function ReferenceTable({ rows, name, pending }: { rows: DiceRow[]; name: string; pending: boolean }) {
  const means = referenceMeans(rows);
  // While HD95 is computed (in the worker) its cells wait; Dice is final.
  const hd = (x: number) => (pending && Number.isNaN(x) ? '…' : mm(x));
  return (
    <table data-testid="dice-table" className="legend">
      <caption>Against {name}</caption>
      <thead><tr><th>Organ</th><th className="num">Dice</th><th className="num" title="95th-percentile Hausdorff distance between the surfaces">HD95 mm</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-label={r.name} className={r.inRef ? '' : 'muted'}>
            <td>{r.name}</td>
            {r.inRef ? (
              <><td className="num">{r.dice.toFixed(3)}</td><td className="num">{hd(r.hd95)}</td></>
            ) : (
              <td colSpan={2} className="num" title="not in the reference: left out of the means">{r.inPred ? 'not in reference (predicted)' : 'absent'}</td>
            )}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td><b>mean</b> <small>({means.counted} organ{means.counted === 1 ? '' : 's'} in the reference)</small></td>
          <td className="num"><b data-testid="dice-mean">{Number.isNaN(means.dice) ? '–' : means.dice.toFixed(3)}</b></td>
          <td className="num"><b data-testid="hd95-mean">{hd(means.hd95)}</b></td>
        </tr>
        {!pending && !Number.isFinite(means.hd95) && means.counted > 0 && (
          <tr>
            <td colSpan={3} className="muted-note" data-testid="hd95-note">
              HD95 is ∞ for an organ in the reference that the model missed ({rows.filter((r) => r.inRef && !r.inPred).map((r) => r.name).join(', ')}), so the mean is ∞ (as npm run evaluate reports it).
            </td>
          </tr>
        )}
      </tfoot>
    </table>
  );
}

/** The heat overlay's colour bar (NiiVue's "cool": blue to cyan, away from the organs' warm colours) with its meaning and scale. */
function HeatBar() {
  return (
    <figure className="heat-bar" data-testid="heat-bar">
      <div className="heat-gradient" role="img" aria-label="colour bar: blue = some attention, cyan = the most" />
      <div className="heat-ends"><span>{HEAT_SCALE.low}</span><span>{HEAT_SCALE.high}</span></div>
      <figcaption data-testid="heat-meaning">{HEAT_MEANING}</figcaption>
    </figure>
  );
}

const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;

/** Shows where the result and the reference disagree, in place of the labels, with a key and voxel counts. */
function DisagreementToggle() {
  const on = useWorkbench((s) => s.showDisagreement);
  const d = useWorkbench((s) => s.disagreement);
  const ref = useWorkbench((s) => s.referenceName);
  if (!d) return null;
  const n = [0, d.counts.falsePositive, d.counts.falseNegative, d.counts.wrongOrgan, d.counts.notScored];
  return (
    <div data-testid="disagreement">
      <label className="row">
        <input type="checkbox" data-testid="disagreement-toggle" checked={on} onChange={(e) => ui.setShowDisagreement(e.currentTarget.checked)} />
        Show where result and reference disagree
      </label>
      <p className="muted-note" data-testid="disagreement-reference">Reference: {ref}</p>
      {on && (
        <ul className="legend" data-testid="disagreement-key">
          {DISAGREEMENT_LABELS.slice(1).map((l) => (
            <li key={l.id} data-kind={l.id}><span className="swatch" style={{ background: rgb(l.color) }} /> {l.name}: <b>{n[l.id].toLocaleString('en-US')}</b> voxels</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Attention-map controls and the reference Dice table. */
export function AnalysisPanel() {
  const hasLabels = useWorkbench((s) => s.labels !== null);
  const mode = useWorkbench((s) => s.attentionMode);
  const level = useWorkbench(effectiveAttentionLevel);
  const voxel = useWorkbench((s) => s.attentionVoxel);
  const heatOf = useWorkbench((s) => s.heatOf);
  const pending = useWorkbench((s) => s.attentionPending);
  const card = useWorkbench((s) => selectedCard(s)?.card ?? null);
  const dice = useWorkbench((s) => s.dice);
  const levels = attentionLevelsOf(card?.attention);
  const refName = useWorkbench((s) => s.referenceName);
  const disagreement = useWorkbench((s) => s.disagreement);
  const analysis = useWorkbench((s) => s.analysis);
  return (
    <section data-testid="analysis-panel">
      <label className="row">
        <input type="checkbox" data-testid="attention-mode" checked={mode} disabled={!hasLabels} onChange={(e) => ui.setAttentionMode(e.currentTarget.checked)} />
        Attention mode: click a voxel
      </label>
      <div className="presets" role="radiogroup" aria-label="attention level">
        {levels.length === 0 && <span className="muted-note" data-testid="attention-none">{card ? `${card.name} (${card.variant}) has no attention to show` : 'no model'}</span>}
        {levels.map((l) => (
          <button key={l} className={l === level ? 'on' : ''} role="radio" aria-checked={l === level} data-testid={`attention-level-${l}`} onClick={() => actions.attentionLevel(l)}>{l}</button>
        ))}
      </div>
      <p className="muted-note" data-testid="attention-meaning">{levelMeaning(level, card)}</p>
      {voxel && <p data-testid="attention-voxel">Voxel {voxel.join(', ')}</p>}
      {mode && pending && <p className="muted-note" data-testid="attention-pending">Computing the {pending.level} map…</p>}
      {heatOf && <p data-testid="attention-shown">Showing: <b>{heatOf.level}</b> level at voxel {heatOf.voxel.join(', ')}</p>}
      {heatOf && <HeatBar />}
      <label className="file">
        Reference label map
        <input type="file" data-testid="reference-input" accept=".nii,.gz,.nii.gz" disabled={!hasLabels} onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (f) void actions.loadReference(f);
        }} />
      </label>
      {analysis && (
        <p className="muted-note" data-testid="analysis-progress" aria-live="polite">
          {!dice ? `Scoring against ${refName ?? 'the reference'}: Dice…` : `HD95 and the disagreement map: ${analysis.done} of ${analysis.total || dice.length} organs…`}
        </p>
      )}
      {dice && <ReferenceTable rows={dice} name={refName ?? ''} pending={analysis !== null} />}
      {disagreement && <DisagreementToggle />}
    </section>
  );
}
