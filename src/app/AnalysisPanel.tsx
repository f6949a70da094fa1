import type { AttentionLevel } from '../infer/attention/attentionMap';
import { setAttentionLevel, setAttentionMode } from './store';
import { actions, store, useWorkbench } from './appContext';

const LEVELS: AttentionLevel[] = ['window', 'global', 'volume'];

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
      {dice && (
        <table data-testid="dice-table" className="legend">
          <caption>Dice vs {refName}</caption>
          <tbody>
            {dice.map((r) => <tr key={r.id}><td>{r.name}</td><td className="num">{r.dice.toFixed(3)}</td></tr>)}
            <tr><td><b>mean</b></td><td className="num"><b>{(dice.reduce((a, r) => a + r.dice, 0) / Math.max(1, dice.length)).toFixed(3)}</b></td></tr>
          </tbody>
        </table>
      )}
    </section>
  );
}
