/**
 * What the user does with the archive: list its studies, open a study's series, retrieve a CT series
 * (then read exactly as dropped DICOM files are), and store a result back. Every failure is one line
 * in the error banner; nothing open is touched until a retrieved series has been read.
 */
import { ArchiveError, DicomWebClient, STUDY_LIMIT, type SeriesRow } from './archive/dicomweb';
import type { DroppedFile } from './dicomClient';
import { type WorkbenchStore, archiveIdle, archiveWorking, failed, seriesListed, setArchiveRoot, studiesListed } from './state';
import { errorText } from '../util/errorText';

const ROOT_KEY = 'fine.archiveRoot';

export class ArchiveActions {
  private retrieval: AbortController | null = null;

  constructor(
    private readonly s: WorkbenchStore,
    /** Opens files as a drop does (the DICOM reader, its warnings, the series choice). */
    private readonly openFiles: (files: DroppedFile[]) => Promise<void>,
    /** Reads a DICOM SEG onto the series shown, as the reference or as the labels to correct. */
    private readonly loadSeg: (bytes: Uint8Array, name: string, use: 'reference' | 'labels') => void,
    /** Counts the scans opened (dropped, picked, restored): a retrieval overtaken by another is not shown. */
    private readonly loadCount: () => number,
  ) {}

  private client(): DicomWebClient {
    return new DicomWebClient(this.s.getState().archiveRoot);
  }

  private fail(e: unknown): void {
    archiveIdle(this.s);
    failed(this.s, errorText(e));
  }

  /** The archive address the user set last time, if any. */
  restoreRoot(): void {
    const saved = globalThis.localStorage?.getItem(ROOT_KEY);
    if (saved) setArchiveRoot(this.s, saved);
  }

  /** The archive's address: a path on this page's origin (the server proxies it), never another host. */
  setRoot(root: string): void {
    const r = root.trim();
    if (r !== '' && (!r.startsWith('/') || r.startsWith('//'))) {
      return failed(this.s, `The archive address must be a path on this server, such as /pacs/dicom-web, which the server passes on to the archive (README: the archive behind the same origin); "${r}" is not`);
    }
    setArchiveRoot(this.s, root);
    globalThis.localStorage?.setItem(ROOT_KEY, this.s.getState().archiveRoot);
  }

  async listStudies(): Promise<void> {
    archiveWorking(this.s, 'list', 'Listing the studies');
    try {
      const rows = await this.client().studies();
      studiesListed(this.s, rows);
      if (rows.length >= STUDY_LIMIT) archiveIdle(this.s, `The first ${STUDY_LIMIT} studies the archive gave are listed`);
    } catch (e) {
      this.fail(e);
    }
  }

  async openStudy(studyUid: string): Promise<void> {
    archiveWorking(this.s, 'list', 'Listing the series');
    try {
      seriesListed(this.s, studyUid, await this.client().series(studyUid));
    } catch (e) {
      this.fail(e);
    }
  }

  /** Retrieves a CT series with progress and opens it as dropped files are opened. */
  async openSeries(studyUid: string, row: SeriesRow): Promise<void> {
    const name = row.description || row.seriesUid;
    if (row.modality !== 'CT') {
      return failed(this.s, `Series '${name}' is ${row.modality || 'of no stated modality'}, not CT; the models segment CT. Pick a CT series of this study`);
    }
    this.retrieval?.abort();
    const ac = new AbortController();
    this.retrieval = ac;
    archiveWorking(this.s, 'retrieve', `Retrieving '${name}'`);
    const load = this.loadCount();
    try {
      const files = await this.client().retrieveSeries(studyUid, row.seriesUid, (done, total) => {
        if (!ac.signal.aborted) archiveWorking(this.s, 'retrieve', `Retrieving '${name}': ${done} of ${total} images`);
      }, ac.signal);
      if (ac.signal.aborted) return;
      if (this.loadCount() !== load) return archiveIdle(this.s, `'${name}' arrived after another scan was opened; it is not shown`);
      archiveIdle(this.s);
      await this.openFiles(files.map((f) => ({ name: f.name, file: new File([f.bytes.slice().buffer], f.name, { type: 'application/dicom' }) })));
    } catch (e) {
      if (ac.signal.aborted) return archiveIdle(this.s, 'Retrieval stopped; what was open is still open');
      this.fail(e);
    } finally {
      if (this.retrieval === ac) this.retrieval = null;
    }
  }

  /** Retrieves a SEG series of the study and reads it onto the series shown. */
  async openSeg(studyUid: string, row: SeriesRow, use: 'reference' | 'labels'): Promise<void> {
    archiveWorking(this.s, 'seg', `Fetching the SEG '${row.description || row.seriesUid}'`);
    try {
      const files = await this.client().retrieveSeries(studyUid, row.seriesUid, () => {});
      archiveIdle(this.s);
      if (files.length !== 1) throw new ArchiveError(`The SEG series '${row.description}' holds ${files.length} instances; pick a series of one SEG`);
      this.loadSeg(files[0].bytes, row.description || files[0].name, use);
    } catch (e) {
      this.fail(e);
    }
  }

  stopRetrieval(): void {
    this.retrieval?.abort();
  }

  /** Stores a DICOM object (a SEG) in the archive, in the study it names. */
  async store(bytes: Uint8Array, what: string): Promise<void> {
    archiveWorking(this.s, 'store', `Storing ${what}`);
    try {
      const r = await this.client().store([bytes]);
      if (r.failed > 0) throw new ArchiveError(`The archive stored ${r.stored} and refused ${r.failed} of the objects sent`);
      archiveIdle(this.s, `Stored ${what} in the archive`);
    } catch (e) {
      this.fail(e);
    }
  }
}
