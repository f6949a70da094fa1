/**
 * Archive slice: the hospital's archive over DICOMweb: its address (a path on this origin that the
 * server proxies), the study list, the series of the study opened in it, and what it is doing now.
 */
import type { SeriesRow, StudyRow } from '../archive/dicomweb';
import type { WorkbenchStore } from './store';

/** The development server and the deployable build proxy /pacs/ to the archive (README: nginx). */
export const DEFAULT_ARCHIVE_ROOT = '/pacs/dicom-web';

/** What the archive is asked to do: list studies or series, retrieve a series (or a SEG), store a result. */
export type ArchiveTask = 'list' | 'retrieve' | 'seg' | 'store';

export interface ArchiveState {
  /** The DICOMweb root the study list reads and results are stored to. */
  archiveRoot: string;
  /** The studies the archive listed (null: not asked yet). */
  archiveStudies: StudyRow[] | null;
  /** The series of the study opened in the list. */
  archiveSeries: { studyUid: string; rows: SeriesRow[] } | null;
  /** What the archive is doing now ("Retrieving 12 of 89 images"); null when idle. */
  archiveBusy: string | null;
  /** The last thing done with the archive ("Stored the SEG in study ..."). */
  archiveNote: string | null;
  /** The task `archiveBusy` or `archiveNote` is about (a retrieval can be stopped; storing is shown beside the result). */
  archiveTask: ArchiveTask | null;
}

export const archiveInitial: ArchiveState = { archiveRoot: DEFAULT_ARCHIVE_ROOT, archiveStudies: null, archiveSeries: null, archiveBusy: null, archiveNote: null, archiveTask: null };

export function setArchiveRoot(s: WorkbenchStore, root: string): void {
  const archiveRoot = root.trim() || DEFAULT_ARCHIVE_ROOT;
  if (archiveRoot !== s.getState().archiveRoot) s.setState({ archiveRoot, archiveStudies: null, archiveSeries: null, archiveNote: null });
}

export function archiveWorking(s: WorkbenchStore, task: ArchiveTask, what: string): void {
  s.setState({ archiveBusy: what, archiveNote: null, archiveTask: task });
}

/** The archive's work ended (done or failed); `note` says what was done. */
export function archiveIdle(s: WorkbenchStore, note: string | null = null): void {
  s.setState({ archiveBusy: null, archiveNote: note });
}

export function studiesListed(s: WorkbenchStore, rows: StudyRow[]): void {
  s.setState({ archiveStudies: rows, archiveSeries: null, archiveBusy: null, archiveNote: rows.length === 0 ? 'The archive holds no studies' : null });
}

export function seriesListed(s: WorkbenchStore, studyUid: string, rows: SeriesRow[]): void {
  s.setState({ archiveSeries: { studyUid, rows }, archiveBusy: null, archiveNote: null });
}
