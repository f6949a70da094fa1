/** The main thread's side of the DICOM worker (dicomWorker.ts): scan dropped files, read one series. */
import type { DicomSeriesInfo } from '../infer/io/dicom';
import type { NiftiVolume } from '../infer/io/nifti';

export type DicomToWorker =
  | { type: 'scan'; id: number; files: { name: string; file: File }[] }
  | { type: 'read'; id: number; uid: string };

export type DicomFromWorker =
  | { type: 'series'; id: number; series: DicomSeriesInfo[]; skipped: number; segmentations: { name: string; bytes: Uint8Array }[] }
  | { type: 'volume'; id: number; volume: NiftiVolume; info: DicomSeriesInfo }
  | { type: 'error'; id: number; message: string };

/** A dropped file with the path it had in its folder (for names in messages). */
export interface DroppedFile {
  name: string;
  file: File;
}

export class DicomClient {
  private worker: Worker | null = null;
  private next = 0;
  private pending = new Map<number, { resolve: (m: DicomFromWorker) => void; reject: (e: Error) => void }>();

  private get(): Worker {
    if (!this.worker) {
      const w = new Worker(new URL('./dicomWorker.ts', import.meta.url), { type: 'module', name: 'fine-dicom' });
      w.onmessage = (e: MessageEvent<DicomFromWorker>) => {
        const p = this.pending.get(e.data.id);
        this.pending.delete(e.data.id);
        if (!p) return;
        if (e.data.type === 'error') p.reject(new Error(e.data.message));
        else p.resolve(e.data);
      };
      w.onerror = (e) => {
        e.preventDefault();
        for (const p of this.pending.values()) p.reject(new Error(`DICOM reader failed: ${e.message || 'the worker could not start'}`));
        this.pending.clear();
        this.worker = null;
      };
      this.worker = w;
    }
    return this.worker;
  }

  private ask(message: (id: number) => DicomToWorker): Promise<DicomFromWorker> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.get().postMessage(message(id));
    });
  }

  /** The series among `files`, largest first, and the DICOM SEG files among them; throws with the reader's one-line message when no image. */
  async scan(files: DroppedFile[]): Promise<{ series: DicomSeriesInfo[]; skipped: number; segmentations: { name: string; bytes: Uint8Array }[] }> {
    const r = await this.ask((id) => ({ type: 'scan', id, files }));
    if (r.type !== 'series') throw new Error('DICOM reader: unexpected reply');
    return r;
  }

  /** One series of the last scan as a volume in HU. */
  async read(uid: string): Promise<{ volume: NiftiVolume; info: DicomSeriesInfo }> {
    const r = await this.ask((id) => ({ type: 'read', id, uid }));
    if (r.type !== 'volume') throw new Error('DICOM reader: unexpected reply');
    return r;
  }
}
