import { useState } from 'react';
import { actions, useWorkbench } from './appContext';

/**
 * Studies from the hospital's archive (DICOMweb): list the studies, open one to see its series, open a
 * CT series. The address is a path on this page's origin that the server proxies to the archive.
 */
export function ArchivePanel() {
  const root = useWorkbench((s) => s.archiveRoot);
  const studies = useWorkbench((s) => s.archiveStudies);
  const series = useWorkbench((s) => s.archiveSeries);
  const busy = useWorkbench((s) => s.archiveBusy);
  const note = useWorkbench((s) => s.archiveNote);
  const retrieving = useWorkbench((s) => s.archiveBusy !== null && s.archiveTask === 'retrieve');
  const [draft, setDraft] = useState<string | null>(null);
  // A SEG of the study shown can be read onto it.
  const openStudy = useWorkbench((s) => s.volume?.nifti.source?.studyInstanceUid ?? null);
  const hasLabels = useWorkbench((s) => s.labels !== null);
  const archive = actions.archive;
  return (
    <details className="archive card" data-testid="archive">
      <summary>Studies from the archive (DICOMweb)</summary>
      <div className="row">
        <label className="archive-root">
          Address{' '}
          <input
            data-testid="archive-root" value={draft ?? root} spellCheck={false}
            onChange={(e) => setDraft(e.currentTarget.value)}
            onBlur={() => { if (draft !== null) archive.setRoot(draft); setDraft(null); }}
            onKeyDown={(e) => { if (e.key === 'Enter') e.currentTarget.blur(); }}
          />
        </label>
        <button type="button" data-testid="archive-list" disabled={busy !== null} onClick={() => void archive.listStudies()}>List studies</button>
      </div>
      {busy && (
        <p className="muted-note" data-testid="archive-busy">
          {busy}… {retrieving && <button type="button" onClick={() => archive.stopRetrieval()}>Stop</button>}
        </p>
      )}
      {note && <p className="muted-note" data-testid="archive-note">{note}</p>}
      {studies && studies.length > 0 && (
        <table className="archive-list" data-testid="archive-studies">
          <thead><tr><th>Patient</th><th>Date</th><th>Study</th><th>Mod.</th><th className="num">Img.</th></tr></thead>
          <tbody>
            {studies.map((st) => (
              <tr key={st.studyUid} data-uid={st.studyUid} className={series?.studyUid === st.studyUid ? 'chosen' : undefined}>
                <td><button type="button" className="link" data-testid="archive-study" disabled={busy !== null} onClick={() => void archive.openStudy(st.studyUid)} title={st.patientId}>{st.patientName || st.patientId || '(no name)'}</button></td>
                <td>{st.date}</td>
                <td>{st.description || '(no description)'}</td>
                <td>{st.modalities.join(', ')}</td>
                <td className="num">{st.instanceCount ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {series && (
        <ul className="archive-series" data-testid="archive-series">
          {series.rows.map((r) => r.modality === 'SEG' ? (
            <li key={r.seriesUid} className="archive-seg" data-testid="archive-seg">
              <span><b>{r.description || '(no description)'}</b> SEG</span>
              {openStudy === series.studyUid ? (
                <span className="presets">
                  <button type="button" data-testid="archive-seg-reference" disabled={busy !== null || !hasLabels} title={hasLabels ? 'Score the result shown against this SEG' : 'Segment first'} onClick={() => void archive.openSeg(series.studyUid, r, 'reference')}>As reference</button>
                  <button type="button" data-testid="archive-seg-labels" disabled={busy !== null} onClick={() => void archive.openSeg(series.studyUid, r, 'labels')}>Start from it</button>
                </span>
              ) : <span className="muted-note"> (open this study's CT to use it)</span>}
            </li>
          ) : (
            <li key={r.seriesUid}>
              <button type="button" data-testid="archive-series-open" data-uid={r.seriesUid} data-modality={r.modality} disabled={busy !== null} onClick={() => void archive.openSeries(series.studyUid, r)}>
                <b>{r.description || '(no description)'}</b> {r.modality}{r.instanceCount !== null ? `, ${r.instanceCount} image${r.instanceCount === 1 ? '' : 's'}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
