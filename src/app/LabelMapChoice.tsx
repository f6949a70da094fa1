import { actions, ui, useWorkbench } from './appContext';

/**
 * A dropped file that looks like a label map of the scan shown: it is held, not opened over the CT,
 * and the user says what it is, the reference of this scan (scored once a result exists) or a volume.
 */
export function LabelMapChoice() {
  const pending = useWorkbench((s) => s.pendingLabelMap);
  const hasLabels = useWorkbench((s) => s.labels !== null);
  if (!pending) return null;
  return (
    <section className="label-map-choice" data-testid="label-map-choice" aria-label="A label map was dropped">
      <p>
        <b>{pending.name}</b> holds only {pending.values} distinct integer values on this scan's grid: it looks like a label map, not a CT.
      </p>
      <div className="presets">
        <button type="button" data-testid="use-as-reference" disabled={!hasLabels} onClick={() => actions.usePendingAsReference()}>
          Use as the reference{hasLabels ? '' : ' (segment first)'}
        </button>
        <button type="button" data-testid="open-as-volume" onClick={() => actions.openPendingAsVolume()}>Open it as a volume</button>
        <button type="button" data-testid="dismiss-label-map" onClick={() => ui.pendingLabelMapDismissed()}>Dismiss</button>
      </div>
    </section>
  );
}
