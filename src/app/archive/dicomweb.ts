/**
 * A DICOMweb client for the study list (QIDO-RS), series retrieval (WADO-RS) and storing results
 * (STOW-RS), PS3.18. The archive is reached through `root`, a path on the page's own origin that the
 * server proxies (README: the nginx lines), so the page stays cross-origin isolated and nothing is
 * fetched from another origin. Every failure is one line naming what was asked.
 */
import { boundaryOf, buildMultipart, parseMultipart, readCountingParts } from './multipart';

export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

export interface StudyRow {
  studyUid: string;
  patientName: string;
  patientId: string;
  /** YYYY-MM-DD, or '' */
  date: string;
  description: string;
  modalities: string[];
  seriesCount: number | null;
  instanceCount: number | null;
}

export interface SeriesRow {
  seriesUid: string;
  modality: string;
  description: string;
  number: number | null;
  instanceCount: number | null;
}

export interface StoreResult {
  stored: number;
  failed: number;
}

type Json = Record<string, { vr?: string; Value?: unknown[] } | undefined>;
type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const first = (o: Json, tag: string): unknown => o[tag]?.Value?.[0];
function text(o: Json, tag: string): string {
  const v = first(o, tag);
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim();
  // A person name: its alphabetic form, components separated by spaces.
  const alpha: unknown = v && typeof v === 'object' && 'Alphabetic' in v ? v.Alphabetic : undefined;
  return typeof alpha === 'string' ? alpha.replace(/\^+/g, ' ').trim() : '';
}
function count(o: Json, tag: string): number | null {
  const v = Number(first(o, tag));
  return Number.isFinite(v) && first(o, tag) !== undefined ? v : null;
}
const dashedDate = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d);

/** Studies listed at most (QIDO `limit`): a hospital archive holds far more than a list can show. */
export const STUDY_LIMIT = 200;
/** How long a list or an upload may take before the archive is called unresponsive. */
const ANSWER_MS = 30_000;
const UPLOAD_MS = 120_000;

/** A UID as DICOM allows it (digits and dots), so that it can go into a URL path as it is. */
function checkedUid(uid: string, what: string): string {
  if (!/^[0-9]+(\.[0-9]+)*$/.test(uid) || uid.length > 64) throw new ArchiveError(`The archive gave a malformed ${what} UID "${uid.slice(0, 70)}"`);
  return uid;
}

const STUDY_FIELDS = ['00100010', '00100020', '00080020', '00081030', '00080061', '00201206', '00201208'];
const SERIES_FIELDS = ['0008103E', '00080060', '00200011', '00201209'];
const DICOM_TYPE = 'application/dicom';

export class DicomWebClient {
  /** `root`: the DICOMweb base, e.g. /pacs/dicom-web (no trailing slash needed). */
  constructor(readonly root: string, private readonly fetchFn: Fetch = (i, init) => fetch(i, init)) {}

  private url(path: string): string {
    return `${this.root.replace(/\/+$/, '')}/${path}`;
  }

  private async ask(path: string, what: string, init: RequestInit = {}, timeoutMs?: number): Promise<Response> {
    let res: Response;
    const signal = timeoutMs ? AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])]) : init.signal;
    try {
      res = await this.fetchFn(this.url(path), { ...init, signal });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      const why = signal?.aborted ? `no answer within ${Math.round((timeoutMs ?? 0) / 1000)} s` : e instanceof Error ? e.message : String(e);
      throw new ArchiveError(`The archive at ${this.root} did not answer ${what} (${why}); check that it is running and the address in the archive panel`);
    }
    if (!res.ok) {
      const why = res.status === 404 ? 'not found' : res.status >= 500 ? 'a server error: the archive may be down or unreachable through the proxy' : res.statusText || 'refused';
      throw new ArchiveError(`The archive at ${this.root} answered ${what} with HTTP ${res.status} (${why})`);
    }
    return res;
  }

  private async json(path: string, what: string, signal?: AbortSignal): Promise<Json[]> {
    const res = await this.ask(path, what, { headers: { Accept: 'application/dicom+json' }, signal }, ANSWER_MS);
    if (res.status === 204) return [];
    const body = await res.text();
    if (body.trim() === '') return [];
    try {
      const v: unknown = JSON.parse(body);
      if (!Array.isArray(v)) throw new Error('not a list');
      return v as Json[];
    } catch {
      throw new ArchiveError(`The archive at ${this.root} answered ${what} with something other than DICOM JSON; is the address a DICOMweb root?`);
    }
  }

  async studies(): Promise<StudyRow[]> {
    const q = STUDY_FIELDS.map((f) => `includefield=${f}`).join('&');
    const rows = await this.json(`studies?${q}&limit=${STUDY_LIMIT}`, 'the study list');
    return rows.map((o) => ({
      studyUid: text(o, '0020000D'),
      patientName: text(o, '00100010'),
      patientId: text(o, '00100020'),
      date: dashedDate(text(o, '00080020')),
      description: text(o, '00081030'),
      modalities: (o['00080061']?.Value ?? []).map(String),
      seriesCount: count(o, '00201206'),
      instanceCount: count(o, '00201208'),
    })).filter((r) => r.studyUid !== '');
  }

  async series(studyUid: string): Promise<SeriesRow[]> {
    const q = SERIES_FIELDS.map((f) => `includefield=${f}`).join('&');
    const rows = await this.json(`studies/${checkedUid(studyUid, 'study')}/series?${q}`, `the series list of study ${studyUid}`);
    return rows.map((o) => ({
      seriesUid: text(o, '0020000E'),
      modality: text(o, '00080060'),
      description: text(o, '0008103E'),
      number: count(o, '00200011'),
      instanceCount: count(o, '00201209'),
    })).filter((r) => r.seriesUid !== '').sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
  }

  /** The SOP instance UIDs of a series. */
  async instances(studyUid: string, seriesUid: string, signal?: AbortSignal): Promise<string[]> {
    const rows = await this.json(`studies/${checkedUid(studyUid, 'study')}/series/${checkedUid(seriesUid, 'series')}/instances?includefield=00080018`, `the instance list of series ${seriesUid}`, signal);
    return rows.map((o) => text(o, '00080018')).filter((u) => u !== '');
  }

  /**
   * Every instance of a series in one WADO-RS request (a multipart body streamed as it arrives), with
   * progress as each part's boundary passes. The files are named by position (names in the reader's messages).
   */
  async retrieveSeries(studyUid: string, seriesUid: string, onProgress: (done: number, total: number) => void, signal?: AbortSignal): Promise<{ name: string; bytes: Uint8Array }[]> {
    const total = (await this.instances(studyUid, seriesUid, signal)).length;
    if (total === 0) throw new ArchiveError(`The archive holds no instances of series ${seriesUid}`);
    const what = `the series ${seriesUid}`;
    onProgress(0, total);
    const res = await this.ask(`studies/${studyUid}/series/${seriesUid}`, what, { headers: { Accept: `multipart/related; type="${DICOM_TYPE}"` }, signal });
    const boundary = boundaryOf(res.headers.get('Content-Type'));
    if (!boundary || !res.body) throw new ArchiveError(`The archive at ${this.root} answered ${what} without a multipart body`);
    let arrived = 0;
    let parts: Uint8Array[];
    try {
      const body = await readCountingParts(res.body, boundary, (n) => onProgress((arrived = Math.min(n, total)), total));
      parts = parseMultipart(body, boundary);
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new ArchiveError(`The archive's answer for ${what} broke off after ${arrived} of ${total} images (${e instanceof Error ? e.message : String(e)}); try again`);
    }
    onProgress(parts.length, total);
    return parts.map((bytes, k) => ({ name: `image ${k + 1} of ${parts.length}.dcm`, bytes }));
  }

  /** Stores Part 10 files (STOW-RS). Throws when the archive stored none of them. */
  async store(files: Uint8Array[]): Promise<StoreResult> {
    const { body, contentType } = buildMultipart(files, DICOM_TYPE);
    const res = await this.ask('studies', 'the upload', {
      method: 'POST', headers: { 'Content-Type': contentType, Accept: 'application/dicom+json' }, body: body.slice().buffer,
    }, UPLOAD_MS);
    let stored = files.length, failed = 0;
    try {
      const o = (await res.json()) as Json;
      stored = o['00081199']?.Value?.length ?? 0;
      failed = o['00081198']?.Value?.length ?? 0;
    } catch {
      // An archive that answers 200 without a body stored everything it was sent.
    }
    if (stored === 0) throw new ArchiveError(`The archive at ${this.root} refused the upload (${failed} of ${files.length} failed)`);
    return { stored, failed };
  }
}

