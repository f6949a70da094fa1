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

interface SavedVolume {
  id: string;
  name: string;
  source: VolumeSource;
  kind: string | null;
  /** The volume; its voxels in `int16` when they are integers in range (half the space), else in `nifti.data`. */
  nifti: NiftiVolume;
  int16: Int16Array | null;
}

interface SavedResult extends RestoredResult {
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
/** A burst of strokes is saved once, this long after the last. */
const EDIT_SAVE_DELAY_MS = 150;

function storedVolume(id: string, v: LoadedVolume): SavedVolume {
  const ints = v.nifti.datatype === DT_INT16;
  return { id, name: v.name, source: v.source, kind: v.kind, nifti: ints ? { ...v.nifti, data: new Float32Array(0) } : v.nifti, int16: ints ? Int16Array.from(v.nifti.data) : null };
}

function loadedNifti(v: SavedVolume): NiftiVolume {
  return v.int16 ? { ...v.nifti, data: Float32Array.from(v.int16) } : v.nifti;
}

const resultChanged = (st: WorkbenchState, old: WorkbenchState) =>
  st.labels !== null && (st.labels !== old.labels || st.corrections !== old.corrections || st.selectedModel !== old.selectedModel || st.legend !== old.legend);

export class SessionKeeper {
  private volumeIds = new WeakMap<LoadedVolume, string>();
  /** The volume the stored records belong to. */
  private storedVolume: LoadedVolume | null = null;
  private queue: Promise<void> = Promise.resolve();
  private editTimer: ReturnType<typeof setTimeout> | null = null;
  private restoring = false;

  constructor(private readonly s: WorkbenchStore, private readonly kv: KeyValue, private readonly viewer: () => EditSurface | null) {}

  /** Offers the stored session, if any, then saves the work from here on. */
  async start(): Promise<void> {
    try {
      const r = await this.kv.get<SavedResult>(KEY.result);
      const e = await this.kv.get<SavedEdit>(KEY.edit);
      if (r) {
        const edits = e && e.volumeId === r.volumeId ? e.snapshot.history.undo : null;
        restoreOffered(this.s, { savedAt: r.savedAt, volumeName: r.volumeName, model: r.resultModel, corrections: r.corrections, edits });
      }
    } catch (err) {
      sessionSaved(this.s, null, `The stored session could not be read: ${errorText(err)}`);
    }
    this.s.subscribe((st, old) => this.changed(st, old));
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).then(
      () => sessionSaved(this.s, new Date().toISOString()),
      (err: unknown) => sessionSaved(this.s, null, `Saving in the browser failed: ${errorText(err)}`),
    );
    return this.queue;
  }

  private changed(st: WorkbenchState, old: WorkbenchState): void {
    if (this.restoring || !st.volume) return;
    if (resultChanged(st, old)) {
      // New work replaces a stored session the user has not restored.
      if (st.restoreOffer) restoreDismissed(this.s);
      void this.enqueue(() => this.saveResult(st));
    }
    if (st.editing && st.editHistory !== old.editHistory) this.scheduleEdit();
    if (!st.editing && old.editing) {
      this.cancelEdit();
      void this.enqueue(() => this.kv.del(KEY.edit));
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
      await this.kv.del(KEY.edit);
      await this.kv.put(KEY.volume, storedVolume(volumeId, v));
      this.storedVolume = v;
    }
    const r: SavedResult = {
      volumeId, volumeName: v.name, savedAt: new Date().toISOString(), selectedModel: st.selectedModel,
      labels: st.labels, labelInfo: st.labelInfo, volumesMl: st.volumesMl, legend: st.legend, resultModel: st.resultModel, resultWarnings: st.resultWarnings, corrections: st.corrections,
    };
    await this.kv.put(KEY.result, r);
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

  /** Puts the stored session back: the volume, its result, the chosen model and a correction in progress. */
  async restore(): Promise<void> {
    this.restoring = true;
    try {
      const [v, r, e] = await Promise.all([this.kv.get<SavedVolume>(KEY.volume), this.kv.get<SavedResult>(KEY.result), this.kv.get<SavedEdit>(KEY.edit)]);
      if (!v || !r || r.volumeId !== v.id) throw new Error('the stored session is incomplete (its volume is missing); it was discarded');
      volumeLoaded(this.s, v.name, loadedNifti(v), v.source, v.kind);
      const loaded = this.s.getState().volume!;
      this.volumeIds.set(loaded, v.id);
      this.storedVolume = loaded;
      const model = r.selectedModel ?? r.resultModel;
      if (model && this.s.getState().models.some((m) => m.card.name === model)) selectModel(this.s, model);
      await this.viewer()?.shown;
      const { labels, labelInfo, volumesMl, legend, resultModel, resultWarnings, corrections } = r;
      resultRestored(this.s, { labels, labelInfo, volumesMl, legend, resultModel, resultWarnings, corrections });
      if (e && e.volumeId === v.id) {
        setEditPen(this.s, e.pen);
        setEditRules(this.s, e.rules);
        startEditing(this.s);
        this.viewer()?.restoreEdit(e.snapshot);
      }
    } catch (err) {
      restoreDismissed(this.s);
      await this.discard();
      throw err;
    } finally {
      this.restoring = false;
    }
  }

  /** Forgets the stored session. */
  async discard(): Promise<void> {
    restoreDismissed(this.s);
    await this.enqueue(async () => {
      await this.kv.del(KEY.edit);
      await this.kv.del(KEY.result);
      await this.kv.del(KEY.volume);
      this.storedVolume = null;
    });
  }

  /** Resolves when every save asked for so far is written. */
  settled(): Promise<void> {
    return this.queue;
  }
}
