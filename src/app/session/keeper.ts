/**
 * Keeps the open work in the browser as it changes, so a reload or a crashed tab loses nothing: the
 * volume (once, when it first has a result), the result with its label table and the chosen model,
 * and a correction in progress with its undo history (after each edit). At start, a stored session
 * is offered, never forced; restoring it puts the volume, the labels and every stroke back exactly.
 */
import type { NiftiVolume } from '../../infer/io/nifti';
import { DT_INT16 } from '../../infer/io/niftiHeader';
import type { EditSnapshot } from '../editing/snapshot';
import {
  type EditPen, type EditRules, type LoadedVolume, type RestoredResult, type VolumeSource, type WorkbenchState, type WorkbenchStore,
  restoreDismissed, restoreOffered, resultRestored, selectModel, sessionSaved, setEditPen, setEditRules, startEditing, volumeLoaded,
} from '../state';
import type { KeyValue } from './kv';
import { errorText } from '../../util/errorText';

/** A volume's header and metadata; its voxels are stored apart, in `chunks` records (`volume.<k>`). */
interface SavedVolume {
  id: string;
  name: string;
  source: VolumeSource;
  kind: string | null;
  /** The volume with an empty `data`. */
  nifti: NiftiVolume;
  /** Voxels stored as int16 (integers in range: half the space), else as float32. */
  int16: boolean;
  chunks: number;
}

interface SavedResult extends Omit<RestoredResult, 'modelLabels'> {
  /** 'same' when the labels shown are the model's own (nothing corrected): stored once. */
  modelLabels?: Uint8Array | 'same' | null;
  volumeId: string;
  volumeName: string;
  savedAt: string;
  selectedModel: string | null;
}

interface SavedEdit {
  volumeId: string;
  snapshot: EditSnapshot;
  pen: EditPen;
  rules: EditRules;
}

/** What the keeper asks of the viewer. */
export interface EditSurface {
  shown: Promise<void>;
  editSnapshot(): EditSnapshot | null;
  restoreEdit(snap: EditSnapshot): void;
}

const KEY = { volume: 'volume', result: 'result', edit: 'edit' } as const;
/** A burst of strokes (or of result changes) is saved once, this long after the last. */
const EDIT_SAVE_DELAY_MS = 150;
const RESULT_SAVE_DELAY_MS = 200;

/** Voxels per stored record: a large scan is written in pieces, so no single copy of it is ever made. */
export const VOLUME_CHUNK = 4 * 1024 * 1024;

/** The voxels fit int16 exactly (after the reader's scaling): stored at half the size. */
function fitsInt16(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!(x >= -32768 && x <= 32767) || Math.round(x) !== x) return false;
  }
  return true;
}

async function putVolume(kv: KeyValue, id: string, v: LoadedVolume): Promise<void> {
  const data = v.nifti.data;
  const int16 = v.nifti.datatype === DT_INT16 && fitsInt16(data);
  const chunks = Math.ceil(data.length / VOLUME_CHUNK);
  for (let k = 0; k < chunks; k++) {
    const part = data.subarray(k * VOLUME_CHUNK, (k + 1) * VOLUME_CHUNK);
    await kv.put(`${KEY.volume}.${k}`, int16 ? Int16Array.from(part) : part.slice());
  }
  const meta: SavedVolume = { id, name: v.name, source: v.source, kind: v.kind, nifti: { ...v.nifti, data: new Float32Array(0) }, int16, chunks };
  await kv.put(KEY.volume, meta);
}

/** Deletes a stored volume: its header and every piece of its voxels (pieces left by a write cut short too). */
async function dropVolume(kv: KeyValue): Promise<void> {
  await kv.del(KEY.volume);
  for (const k of await kv.keys()) if (k.startsWith(`${KEY.volume}.`)) await kv.del(k);
}

async function getVolume(kv: KeyValue, v: SavedVolume): Promise<NiftiVolume> {
  const [nx, ny, nz] = v.nifti.dims;
  const data = new Float32Array(nx * ny * nz);
  for (let k = 0; k < v.chunks; k++) {
    const part = await kv.get<Int16Array | Float32Array>(`${KEY.volume}.${k}`);
    if (!part) throw new Error(`the stored volume is missing its part ${k + 1} of ${v.chunks}`);
    data.set(part, k * VOLUME_CHUNK);
  }
  return { ...v.nifti, data };
}

const resultChanged = (st: WorkbenchState, old: WorkbenchState) =>
  st.labels !== null && (st.labels !== old.labels || st.corrections !== old.corrections || st.selectedModel !== old.selectedModel || st.legend !== old.legend);

export class SessionKeeper {
  private volumeIds = new WeakMap<LoadedVolume, string>();
  /** The volume the stored records belong to. */
  private storedVolume: LoadedVolume | null = null;
  private queue: Promise<void> = Promise.resolve();
  private editTimer: ReturnType<typeof setTimeout> | null = null;
  private resultTimer: ReturnType<typeof setTimeout> | null = null;
  private restoring = false;

  constructor(private readonly s: WorkbenchStore, private readonly kv: KeyValue, private readonly viewer: () => EditSurface | null) {}

  /** Offers the stored session, if any, then saves the work from here on. */
  async start(): Promise<void> {
    try {
      const r = await this.kv.get<SavedResult>(KEY.result);
      const v = await this.kv.get<SavedVolume>(KEY.volume);
      const e = await this.kv.get<SavedEdit>(KEY.edit);
      if (r && (!v || v.id !== r.volumeId)) {
        // A save cut short (a crash between the volume and the result): nothing whole to offer.
        await this.discard();
      } else if (r) {
        const edits = e && e.volumeId === r.volumeId ? e.snapshot.history.undo : null;
        restoreOffered(this.s, { savedAt: r.savedAt, volumeName: r.volumeName, model: r.resultModel, corrections: r.corrections, edits });
      }
    } catch (err) {
      sessionSaved(this.s, null, `The stored session could not be read: ${errorText(err)}`);
    }
    this.s.subscribe((st, old) => this.changed(st, old));
  }

  /** Runs `work` after the writes before it; a save says when it was kept, a deletion says nothing. */
  private enqueue(work: () => Promise<void>, saves = true): Promise<void> {
    this.queue = this.queue.then(work).then(
      () => {
        if (saves) sessionSaved(this.s, new Date().toISOString());
      },
      (err: unknown) => sessionSaved(this.s, null, `Saving in the browser failed: ${errorText(err)}`),
    );
    return this.queue;
  }

  private changed(st: WorkbenchState, old: WorkbenchState): void {
    if (this.restoring || !st.volume) return;
    if (resultChanged(st, old)) {
      // New work replaces a stored session the user has not restored.
      if (st.restoreOffer) restoreDismissed(this.s);
      this.scheduleResult();
    }
    if (st.editing && st.editHistory !== old.editHistory) this.scheduleEdit();
    if (!st.editing && old.editing) {
      this.cancelEdit();
      void this.enqueue(() => this.kv.del(KEY.edit), false);
    }
  }

  private idOf(v: LoadedVolume): string {
    let id = this.volumeIds.get(v);
    if (!id) {
      id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      this.volumeIds.set(v, id);
    }
    return id;
  }

  private async saveResult(st: WorkbenchState): Promise<void> {
    const v = st.volume;
    if (!v || !st.labels) return;
    const volumeId = this.idOf(v);
    if (this.storedVolume !== v) {
      // The old session goes first, so a reload in between never finds a result without its volume.
      await this.kv.del(KEY.result);
      await this.kv.del(KEY.edit);
      await dropVolume(this.kv);
      await putVolume(this.kv, volumeId, v);
      this.storedVolume = v;
    }
    const r: SavedResult = {
      volumeId, volumeName: v.name, savedAt: new Date().toISOString(), selectedModel: st.selectedModel,
      labels: st.labels, labelInfo: st.labelInfo, volumesMl: st.volumesMl, legend: st.legend, resultModel: st.resultModel, resultWarnings: st.resultWarnings, corrections: st.corrections,
      modelLabels: st.modelLabels === st.labels ? 'same' : st.modelLabels,
    };
    await this.kv.put(KEY.result, r);
  }

  /** A burst of result changes (an opacity slider dragged) is written once, with the state at its end. */
  private scheduleResult(): void {
    if (this.resultTimer) clearTimeout(this.resultTimer);
    this.resultTimer = setTimeout(() => {
      this.resultTimer = null;
      void this.enqueue(() => this.saveResult(this.s.getState()));
    }, RESULT_SAVE_DELAY_MS);
  }

  private scheduleEdit(): void {
    this.cancelEdit();
    this.editTimer = setTimeout(() => {
      this.editTimer = null;
      void this.saveEditNow();
    }, EDIT_SAVE_DELAY_MS);
  }

  private cancelEdit(): void {
    if (this.editTimer) clearTimeout(this.editTimer);
    this.editTimer = null;
  }

  /** Stores the correction in progress now (the debounced save; tests call it to skip the wait). */
  saveEditNow(): Promise<void> {
    const st = this.s.getState();
    const snapshot = this.viewer()?.editSnapshot();
    if (!st.editing || !st.volume || !snapshot || this.storedVolume !== st.volume) return this.queue;
    const e: SavedEdit = { volumeId: this.idOf(st.volume), snapshot, pen: st.editPen, rules: st.editRules };
    return this.enqueue(() => this.kv.put(KEY.edit, e));
  }

  /**
   * Puts the stored session back: the volume, its result, the chosen model and a correction in
   * progress. `current` says whether the user still wants it (no other scan opened meanwhile); when it
   * turns false the restore stops, changing nothing more. Only an incomplete session is discarded; any
   * other failure leaves the stored work as it is.
   */
  async restore(current: () => boolean = () => true): Promise<void> {
    restoreDismissed(this.s);
    const [v, r, e] = await Promise.all([this.kv.get<SavedVolume>(KEY.volume), this.kv.get<SavedResult>(KEY.result), this.kv.get<SavedEdit>(KEY.edit)]);
    if (!v || !r || r.volumeId !== v.id) {
      await this.discard();
      throw new Error('the stored session is incomplete (its volume is missing); it was discarded');
    }
    const nifti = await getVolume(this.kv, v);
    if (!current()) return;
    this.restoring = true;
    try {
      volumeLoaded(this.s, v.name, nifti, v.source, v.kind);
      const loaded = this.s.getState().volume!;
      this.volumeIds.set(loaded, v.id);
      this.storedVolume = loaded;
      const model = r.selectedModel ?? r.resultModel;
      if (model && this.s.getState().models.some((m) => m.card.name === model)) selectModel(this.s, model);
      await this.viewer()?.shown;
      if (!current() || this.s.getState().volume !== loaded) return;
      const { labels, labelInfo, volumesMl, legend, resultModel, resultWarnings, corrections } = r;
      const modelLabels = r.modelLabels === 'same' ? labels : (r.modelLabels ?? null);
      resultRestored(this.s, { labels, labelInfo, volumesMl, legend, resultModel, resultWarnings, corrections, modelLabels });
      if (e && e.volumeId === v.id) {
        setEditPen(this.s, e.pen);
        setEditRules(this.s, e.rules);
        startEditing(this.s);
        this.viewer()?.restoreEdit(e.snapshot);
      }
    } finally {
      this.restoring = false;
    }
  }

  /** Forgets the stored session. */
  async discard(): Promise<void> {
    restoreDismissed(this.s);
    if (this.resultTimer) clearTimeout(this.resultTimer);
    this.resultTimer = null;
    await this.enqueue(async () => {
      await this.kv.del(KEY.edit);
      await this.kv.del(KEY.result);
      await dropVolume(this.kv);
      this.storedVolume = null;
    }, false);
  }

  /** Resolves when every save asked for so far (pending ones included) is written. */
  async settled(): Promise<void> {
    if (this.resultTimer) {
      clearTimeout(this.resultTimer);
      this.resultTimer = null;
      void this.enqueue(() => this.saveResult(this.s.getState()));
    }
    await this.queue;
  }
}
