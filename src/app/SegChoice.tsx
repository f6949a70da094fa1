import { actions, ui, useWorkbench } from './appContext';

/** DICOM SEG files that came with a drop: the user says whether each is the reference or the labels to correct. */
export function SegChoice() {
  const segs = useWorkbench((s) => s.pendingSegs);
  const hasLabels = useWorkbench((s) => s.labels !== null);
  if (!segs || segs.length === 0) return null;
  return (
    <section className="label-map-choice" data-testid="seg-choice" aria-label="A DICOM SEG was dropped">
      {segs.map((seg) => (
        <div key={seg.name}>
          <p><b>{seg.name}</b> is a DICOM segmentation: read it onto the series shown.</p>
          <div className="presets">
            <button type="button" data-testid="seg-as-reference" disabled={!hasLabels} onClick={() => actions.loadSeg(seg.bytes, seg.name, 'reference')}>
              Use as the reference{hasLabels ? '' : ' (segment first)'}
            </button>
            <button type="button" data-testid="seg-as-labels" onClick={() => actions.loadSeg(seg.bytes, seg.name, 'labels')}>Start correcting from it</button>
          </div>
        </div>
      ))}
      <button type="button" data-testid="dismiss-seg" onClick={() => ui.pendingSegsDismissed()}>Dismiss</button>
    </section>
  );
}
