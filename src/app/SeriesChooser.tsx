import { actions, useWorkbench } from './appContext';

/** Several series in one DICOM drop: one button each, with its description and slice count. */
export function SeriesChooser() {
  const series = useWorkbench((s) => s.dicomSeries);
  const loading = useWorkbench((s) => s.status === 'loading');
  if (!series) return null;
  return (
    <section className="series-chooser" data-testid="series-chooser" aria-label="DICOM series">
      <h2>{series.length} DICOM series: pick one</h2>
      <ul>
        {series.map((s) => (
          <li key={s.uid}>
            <button disabled={loading} onClick={() => void actions.chooseSeries(s.uid)} data-testid="series-option">
              <b>{s.description}</b> {s.modality}, {s.sliceCount} slice{s.sliceCount === 1 ? '' : 's'}, {s.dims[0]}×{s.dims[1]}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
