import type { AttentionLevel } from '../infer/attention/attentionMap';
import { type DiceRow, setAttentionLevel, setAttentionMode } from './store';
import { referenceMeans } from './reference';
import { actions, store, useWorkbench } from './appContext';

const LEVELS: AttentionLevel[] = ['window', 'global', 'volume'];

const mm = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : Number.isNaN(x) ? '–' : '∞');

/** Dice and HD95 per organ as `npm run evaluate` scores them: means over the organs in the reference. */
function ReferenceTable({ rows, name }: { rows: DiceRow[]; name: string }) {
  const means = referenceMeans(rows);
  return (
    <table data-testid="dice-table" className="legend">
      <caption>Against {name}</caption>
      <thead><tr><th>Organ</th><th className="num">Dice</th><th className="num" title="95th-percentile Hausdorff distance between the surfaces">HD95 mm</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-label={r.name} className={r.inRef ? '' : 'muted'}>
            <td>{r.name}</td>
            {r.inRef ? (
              <><td className="num">{r.dice.toFixed(3)}</td><td className="num">{mm(r.hd95)}</td></>
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
          <td className="num"><b data-testid="hd95-mean">{mm(means.hd95)}</b></td>
        </tr>
        {!Number.isFinite(means.hd95) && means.counted > 0 && (
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

/** Attention-map controls and the reference Dice table. */
export function AnalysisPanel() {
  const hasLabels = useWorkbench((s) => s.labels !== null);
  const mode = useWorkbench((s) => s.attentionMode);
  const level = useWorkbench((s) => s.attentionLevel);
  const voxel = useWorkbench((s) => s.attentionVoxel);
  const dice = useWorkbench((s) => s.dice);
  const refName = useWorkbench((s) => s.referenceName);
  return (
    <section>
      <h2>Analysis</h2>
      <label className="row">
        <input type="checkbox" data-testid="attention-mode" checked={mode} disabled={!hasLabels} onChange={(e) => setAttentionMode(store, e.currentTarget.checked)} />
        Attention mode: click a voxel
      </label>
      <div className="presets" role="radiogroup" aria-label="attention level">
        {LEVELS.map((l) => (
          <button key={l} className={l === level ? 'on' : ''} data-testid={`attention-level-${l}`} onClick={() => setAttentionLevel(store, l)}>{l}</button>
        ))}
      </div>
      {voxel && <p data-testid="attention-voxel">Voxel {voxel.join(', ')}</p>}
      <label className="file">
        Reference label map
        <input type="file" data-testid="reference-input" accept=".nii,.gz,.nii.gz" disabled={!hasLabels} onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (f) void actions.loadReference(f);
        }} />
      </label>
      {dice && <ReferenceTable rows={dice} name={refName ?? ''} />}
    </section>
  );
}
