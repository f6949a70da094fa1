import { useState } from 'react';
import { actions, ui, useWorkbench } from './appContext';
import { PEN_SIZES } from './state/read';


/**
 * Label correction with NiiVue's drawing tools: paint with an organ's label, erase, fill a closed
 * outline, undo; saving replaces the result with the corrected map (organ volumes recounted) and
 * downloads it as a new file.
 */
export function EditPanel() {
  const hasLabels = useWorkbench((s) => s.labels !== null);
  const running = useWorkbench((s) => s.status === 'running');
  const editing = useWorkbench((s) => s.editing);
  const pen = useWorkbench((s) => s.editPen);
  const labels = useWorkbench((s) => s.labelInfo);
  const corrections = useWorkbench((s) => s.corrections);
  const [saving, setSaving] = useState(false);
  if (!hasLabels) return null;
  const save = async () => {
    setSaving(true);
    await actions.saveCorrections();
    setSaving(false);
  };
  return (
    <section data-testid="edit-panel">
      <h2>Correct labels</h2>
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
            <span className="muted-note">[ and ] change it; Ctrl+Z undoes a stroke</span>
          </label>
          <label className="row"><input type="checkbox" data-testid="edit-fill" checked={pen.fill} onChange={(e) => ui.setEditPen({ ...pen, fill: e.currentTarget.checked })} /> fill closed outlines</label>
          <div className="presets">
            <button type="button" data-testid="edit-erase" onClick={() => ui.setEditPen({ ...pen, label: 0 })}>Erase</button>
            <button type="button" data-testid="edit-undo" onClick={() => actions.undoEdit()}>Undo</button>
            <button type="button" data-testid="edit-save" disabled={saving} onClick={() => void save()}>Save corrected</button>
            <button type="button" data-testid="edit-cancel" onClick={() => ui.stopEditing()}>Cancel</button>
          </div>
        </div>
      )}
    </section>
  );
}
