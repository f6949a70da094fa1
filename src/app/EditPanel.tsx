import { useState } from 'react';
import { actions, ui, useWorkbench } from './appContext';
import { NumberField } from './NumberField';
import { PEN_SIZES, SOFT_TISSUE_HU } from './state/read';

/** Painting limited to an HU range (the Segment Editor's "editable intensity range"). */
function HuRange() {
  const rules = useWorkbench((s) => s.editRules);
  const range = rules.huRange;
  const set = (huRange: readonly [number, number] | null) => ui.setEditRules({ ...rules, huRange });
  return (
    <div className="row edit-hu">
      <label><input type="checkbox" data-testid="edit-hu" checked={range !== null} onChange={(e) => set(e.currentTarget.checked ? SOFT_TISSUE_HU : null)} /> only where HU is in</label>
      {range && (
        <>
          <NumberField label="from" value={range[0]} testId="edit-hu-min" onCommit={(v) => set([Math.min(v, range[1]), range[1]])} />
          <NumberField label="to" value={range[1]} testId="edit-hu-max" onCommit={(v) => set([range[0], Math.max(v, range[0])])} />
        </>
      )}
    </div>
  );
}

/** Labels no stroke may overwrite or erase. */
function Locks() {
  const labels = useWorkbench((s) => s.labelInfo);
  const locked = useWorkbench((s) => s.editRules.locked);
  return (
    <details className="edit-locks" data-testid="edit-locks">
      <summary>Protected labels{locked.length > 0 ? ` (${locked.length})` : ''}</summary>
      <button type="button" data-testid="edit-lock-others" onClick={() => ui.lockAllButPen()}>Protect all but the pen's</button>
      <ul>
        {labels.filter((l) => l.id !== 0).map((l) => (
          <li key={l.id}><label><input type="checkbox" data-testid={`edit-lock-${l.name}`} checked={locked.includes(l.id)} onChange={() => ui.toggleLock(l.id)} /> {l.name}</label></li>
        ))}
      </ul>
    </details>
  );
}

/**
 * Label correction the Segment Editor's way, on NiiVue's drawing layer: paint with an organ's label or
 * erase, a brush width, fill a closed outline, paint only within an HU range, protect other labels,
 * fill between the slices drawn, undo and redo; saving replaces the result with the corrected map
 * (organ volumes recounted) and downloads it as a new file.
 */
export function EditPanel() {
  const hasLabels = useWorkbench((s) => s.labels !== null);
  const running = useWorkbench((s) => s.status === 'running');
  const editing = useWorkbench((s) => s.editing);
  const pen = useWorkbench((s) => s.editPen);
  const labels = useWorkbench((s) => s.labelInfo);
  const corrections = useWorkbench((s) => s.corrections);
  const history = useWorkbench((s) => s.editHistory);
  const fillNote = useWorkbench((s) => s.fillNote);
  const [saving, setSaving] = useState(false);
  if (!hasLabels) return <p className="muted-note" data-testid="edit-none">Segment first: the labels are corrected here.</p>;
  const save = async () => {
    setSaving(true);
    await actions.saveCorrections();
    setSaving(false);
  };
  return (
    <section data-testid="edit-panel">
      {!editing ? (
        <>
          <button type="button" data-testid="edit-start" disabled={running} onClick={() => ui.startEditing()}>Correct labels</button>
          {corrections > 0 && <p className="muted-note" data-testid="edit-saved">Corrected labels in use (saved {corrections} time{corrections === 1 ? '' : 's'}).</p>}
        </>
      ) : (
        <div className="edit-tools">
          <p className="muted-note">Drag over a slice to paint; with "fill", a closed outline is filled.</p>
          <label className="row">Pen
            <select data-testid="edit-pen" value={pen.label} onChange={(e) => ui.setEditPen({ ...pen, label: Number(e.currentTarget.value) })}>
              {labels.filter((l) => l.id !== 0).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
              <option value={0}>eraser (background)</option>
            </select>
          </label>
          <label className="row">
            Brush{' '}
            <select data-testid="edit-size" value={pen.size} onChange={(e) => ui.setEditPen({ ...pen, size: Number(e.currentTarget.value) })}>
              {PEN_SIZES.map((n) => <option key={n} value={n}>{n === 1 ? '1 voxel' : `${n} voxels`}</option>)}
            </select>
            <span className="muted-note">[ and ] change it</span>
          </label>
          <label className="row"><input type="checkbox" data-testid="edit-fill" checked={pen.fill} onChange={(e) => ui.setEditPen({ ...pen, fill: e.currentTarget.checked })} /> fill closed outlines</label>
          <HuRange />
          <Locks />
          {history.protectedVoxels > 0 && <p className="muted-note" data-testid="edit-protected">The last stroke left {history.protectedVoxels.toLocaleString('en-US')} voxels alone (outside the HU range or a protected label).</p>}
          <div className="presets">
            <button type="button" data-testid="edit-erase" onClick={() => ui.setEditPen({ ...pen, label: 0 })}>Erase</button>
            <button type="button" data-testid="edit-undo" disabled={history.undo === 0} title="Ctrl+Z" onClick={() => actions.undoEdit()}>Undo</button>
            <button type="button" data-testid="edit-redo" disabled={history.redo === 0} title="Ctrl+Y or Ctrl+Shift+Z" onClick={() => actions.redoEdit()}>Redo</button>
            <button type="button" data-testid="edit-interpolate" disabled={pen.label === 0} title="F: the pen's label, between the slices it was drawn on" onClick={() => actions.fillBetweenSlices()}>Fill between slices</button>
          </div>
          {fillNote && <p className="muted-note" data-testid="edit-fill-note" aria-live="polite">{fillNote}</p>}
          <div className="presets">
            <button type="button" data-testid="edit-save" disabled={saving} onClick={() => void save()}>Save corrected</button>
            <button type="button" data-testid="edit-cancel" onClick={() => ui.stopEditing()}>Cancel</button>
          </div>
        </div>
      )}
    </section>
  );
}
