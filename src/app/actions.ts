/**
 * What the UI does, as plain async functions over the store and the worker: open volumes, list
 * models, run and cancel segmentation, attention clicks, reference Dice, download.
 */
import type { NiftiVolume, Vec3 } from '../infer/io/nifti';
import { labelMapValues } from '../infer/preprocess/ctCheck';
import { checkBeforeRun } from '../infer/preprocess/applicability';
import type { AttentionLevel } from '../infer/attention/attentionMap';
import { NIFTI_NAME, niftiStem, readNifti, writeNifti } from '../infer/io/nifti';
import { parseModelCard } from '../infer/contract/cardCheck';
import { checkReferenceGrid, onSameGrid, referenceLabels } from './reference';
import { segFromState } from './segExport';
import { segOntoVolume } from './segImport';
import { itkSnapLabelFile, labelTableJson, organStats, organStatsCsv } from './exports';
import { chooseBackend, chooseOrtBuild, chooseThreads, pickBackend } from './backendChoice';
import { probeWebGpu } from './gpuAdapter';
import { WorkerClient } from './workerClient';
import { DicomClient, type DroppedFile } from './dicomClient';
import { ArchiveActions } from './archiveActions';
import { AdaptActions, isModelDrop } from './adaptActions';
import { SessionKeeper } from './session/keeper';
import { indexedDbStore } from './session/kv';
import type { Viewer } from './viewer';
import type { Render3d } from './render3d';
import { syncRender3d, syncViewer } from './viewerSync';
import {
  type Backend, type ModelEntry, type WorkbenchStore, adapterProbed, attentionRequested, failed, segmentationStarted, selectedCard, setBackend, setInference, setLoading,
  type VolumeSource, comparisonStarted, cursorMoved, labelsLoaded, pendingSegsDismissed, segsDropped, editHistoryChanged, filledBetween, volumeChecked, labelsCorrected, dicomSeriesFound, warningsAdded, effectiveAttentionLevel, labelMapDropped, pendingLabelMapDismissed, setAttentionLevel, setModels, referenceScoring, setSampleModel, volumeLoaded,
} from './state';
import { errorText } from '../util/errorText';
import { save } from './download';

/** A download name's stem: the file name without .nii/.nii.gz and without characters a file system refuses. */
export function baseName(name: string): string {
  return niftiStem(name).replace(/[\\/:*?"<>|]+/g, '_');
}

export const SAMPLE_URL = '/sample/phantom.nii.gz';
/** The sample's manifest (written by scripts/make-sample.ts): what the sample is and the model made for it. */
export const SAMPLE_MANIFEST_URL = '/sample/sample.json';

export interface SampleManifest {
  /** File name under /sample/. */
  file: string;
  /** What it is, shown beside the name: "synthetic phantom". */
  kind: string;
  /** The model trained on this kind of data, selected while the sample is shown. */
  model: string | null;
}

/** Reads a sample manifest; anything missing falls back to the phantom with no model preference. */
export function parseSampleManifest(json: unknown): SampleManifest {
  const o = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const file = typeof o.file === 'string' && /^[\w.-]+$/.test(o.file) ? o.file : 'phantom.nii.gz';
  return { file, kind: typeof o.kind === 'string' ? o.kind : 'synthetic phantom', model: typeof o.model === 'string' ? o.model : null };
}


export class Actions {
  readonly worker: WorkerClient;
  readonly dicom = new DicomClient();
  /** The hospital's archive over DICOMweb: study list, retrieval, storing results. */
  readonly archive: ArchiveActions;
  /** The open work, kept in the browser (IndexedDB) as it changes; offered back after a reload. */
  readonly session: SessionKeeper;
  /** Teaching the model the user's corrections, and the user's own models. */
  readonly adapt: AdaptActions;

  private threads = 1;
  private ortBuild: 'webgpu' | undefined;
  private runs = 0;
  /** The id of the volume last opened in the worker. */
  private volumeId = 0;
  /** DICOM SEG files of the last DICOM drop, offered on the series read from it. */
  private droppedSegs: { name: string; bytes: Uint8Array }[] = [];
  /** Each file read gets a number; only the latest one may replace the volume (two quick drops never interleave). */
  private loads = 0;

  /**
   * The checks `npm run segment` makes before a run (reading warnings, the HU histogram, field of
   * view, voxel size, obliquity), made when the volume opens or the model changes: a thin slab or a
   * scan that is not CT is flagged before the wait, not after. Deferred a frame so the CT shows first.
   */
  private checkVolume(): void {
    setTimeout(() => {
      const st = this.s.getState();
      const model = selectedCard(st);
      if (!st.volume || !model) return;
      let checks: string[];
      try {
        checks = checkBeforeRun(st.volume.nifti, model.card);
      } catch (e) {
        // A check that cannot run (a card without a grid) says so; the run will give its own error.
        checks = [`the checks before a run could not be made: ${errorText(e)}`];
      }
      volumeChecked(this.s, st.volume, checks);
    }, 0);
  }

  constructor(readonly s: WorkbenchStore) {
    this.worker = new WorkerClient(s, () => this.volumeId);
    this.archive = new ArchiveActions(s, (files) => this.openFiles(files), (bytes, name, use) => this.loadSeg(bytes, name, use), () => this.loads);
    this.session = new SessionKeeper(s, indexedDbStore, () => this.viewer);
    this.adapt = new AdaptActions(s, this.worker, { volumeId: () => this.volumeId, threads: () => this.threads, ortBuild: () => this.ortBuild }, indexedDbStore);
    // With a volume shown and a model chosen, the worker creates that model's session before Segment.
    s.subscribe((st, prev) => {
      // The worker gets each volume once, when it opens; runs and attention maps name it.
      if (st.volume && st.volume !== prev.volume) this.worker.send({ type: 'open', volumeId: ++this.volumeId, volume: st.volume.nifti });
      if (st.volume && (st.volume !== prev.volume || st.selectedModel !== prev.selectedModel)) this.checkVolume();
      if (!st.volume || !st.selectedModel || !st.adapterChecked || st.status === 'running') return;
      if (st.volume === prev.volume && st.selectedModel === prev.selectedModel && st.backend === prev.backend && st.adapterChecked === prev.adapterChecked) return;
      const model = selectedCard(st);
      // An adaptation holds its model's sessions: warming another model would release them.
      if (model && !st.adaptRun) this.worker.send({ type: 'warm', card: model.card, cardUrl: model.url, provider: st.backend, threads: this.threads, ortBuild: this.ortBuild });
    });
  }

  /** The viewer on the page once it has attached: label correction and the test hooks talk to it. */
  viewer: Viewer | null = null;
  /** The 3-D view drawn from a downsampled copy, while it is shown. */
  render3d: Render3d | null = null;

  /** The 3-D copy's view attached to its canvas: it follows the store until the returned function is called. */
  render3dAttached(r: Render3d): () => void {
    const stop = syncRender3d(this.s, r, (m) => failed(this.s, m));
    this.render3d = r;
    return () => {
      stop();
      if (this.render3d === r) this.render3d = null;
    };
  }

  /** A viewer attached to its canvas: it follows the store from now on; the returned function lets it go. */
  async viewerAttached(v: Viewer): Promise<() => void> {
    v.onVoxel = (voxel) => this.attention(voxel);
    v.onLocation = (at) => cursorMoved(this.s, at);
    v.onEdited = (h) => editHistoryChanged(this.s, h);
    const stop = await syncViewer(this.s, v, (m) => failed(this.s, m));
    this.viewer = v;
    return () => {
      stop();
      if (this.viewer === v) this.viewer = null;
    };
  }

  /** The painted labels replace the result (organ volumes recounted) and are downloaded as a new file. */
  async saveCorrections(): Promise<void> {
    if (!this.viewer) return;
    try {
      labelsCorrected(this.s, await this.viewer.editedLabels());
      this.download();
    } catch (e) {
      failed(this.s, `Label correction: ${errorText(e)}`);
    }
  }

  undoEdit(): void {
    this.viewer?.undoEdit();
  }

  redoEdit(): void {
    this.viewer?.redoEdit();
  }

  /** Fills the pen's label between the slices it was drawn on in this correction. */
  fillBetweenSlices(): void {
    const st = this.s.getState();
    if (!this.viewer || !st.editing) return;
    const label = st.labelInfo.find((l) => l.id === st.editPen.label)?.name ?? `label ${st.editPen.label}`;
    filledBetween(this.s, label, this.viewer.fillBetweenSlices(st.editPen.label));
  }

  async init(search: string): Promise<void> {
    this.threads = chooseThreads(search, globalThis.crossOriginIsolated, navigator.hardwareConcurrency || 1);
    this.ortBuild = chooseOrtBuild(search);
    this.archive.restoreRoot();
    const adapter = await probeWebGpu();
    adapterProbed(this.s, adapter);
    const choice = chooseBackend(search, adapter);
    setBackend(this.s, choice.backend, choice.notice);
    await Promise.all([this.loadModels(), this.openSample()]);
    // The stored session is offered once the sample is up, so the sample never replaces a restore.
    if (globalThis.indexedDB) await this.session.start();
  }

  /** Restores the work kept in the browser (the offer after a reload). */
  async restoreSession(): Promise<void> {
    this.stopRun();
    // A scan opened while the stored one is read wins: the restore then stops.
    const load = ++this.loads;
    setLoading(this.s);
    try {
      await this.session.restore(() => load === this.loads);
    } catch (e) {
      failed(this.s, `Restoring the kept session: ${errorText(e)}`);
    }
  }

  /** Opens the bundled sample, labelled for what it is, with the model made for it selected. */
  async openSample(): Promise<void> {
    let manifest = parseSampleManifest({});
    try {
      const res = await fetch(SAMPLE_MANIFEST_URL);
      if (res.ok) manifest = parseSampleManifest(await res.json());
    } catch {
      // No manifest: the phantom, called synthetic, with the default model.
    }
    setSampleModel(this.s, manifest.model);
    await this.openUrl(`/sample/${manifest.file}`, manifest.file, 'sample', manifest.kind);
  }

  async loadModels(): Promise<void> {
    try {
      const res = await fetch('/models/index.json');
      if (!res.ok) throw new Error(`/models/index.json: HTTP ${res.status}`);
      const index = (await res.json()) as { models: { card: string }[] };
      const entries = await Promise.all(
        index.models.map(async (m): Promise<ModelEntry | string> => {
          try {
            const r = await fetch(m.card);
            if (!r.ok) return `${m.card}: HTTP ${r.status}`;
            return { url: m.card, card: parseModelCard(await r.json(), m.card) };
          } catch (e) {
            return errorText(e);
          }
        }),
      );
      setModels(this.s, entries.filter((e): e is ModelEntry => typeof e !== 'string'));
      const bad = entries.filter((e): e is string => typeof e === 'string');
      warningsAdded(this.s, bad);
      await this.adapt.loadUserModels();
    } catch (e) {
      failed(this.s, `Could not list the models: ${errorText(e)}`);
    }
  }

  async openUrl(url: string, name: string, source: VolumeSource = 'user', kind: string | null = null): Promise<void> {
    const load = ++this.loads;
    setLoading(this.s);
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${name}: HTTP ${res.status} from ${url}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (load === this.loads) this.openBytes(bytes, name, source, kind);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  /**
   * Opens a dropped or picked NIfTI. During a segmentation, the run goes on while the file is read; once
   * it reads, the run is cancelled and the new volume shown; if it does not, the run is left alone.
   */
  async openFile(file: File): Promise<void> {
    const load = ++this.loads;
    setLoading(this.s);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (load === this.loads) this.openBytes(bytes, file.name);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  /**
   * A drop or pick of files or folders: one NIfTI (or several files starting with one) opens as
   * before; anything else is read as DICOM. One series loads; several are offered to pick from.
   */
  async openFiles(files: DroppedFile[]): Promise<void> {
    if (files.length === 0) return;
    if (isModelDrop(files)) return this.adapt.importModel(files);
    const first = files[0];
    if (NIFTI_NAME.test(first.name)) return this.openFile(first.file);
    if (files.length === 1) {
      const head = new Uint8Array(await first.file.slice(128, 132).arrayBuffer());
      const dicm = head.length === 4 && String.fromCharCode(...head) === 'DICM';
      if (!dicm && !/\.dcm$/i.test(first.name)) return this.openFile(first.file);
    }
    const load = ++this.loads;
    setLoading(this.s);
    try {
      const { series, segmentations } = await this.dicom.scan(files);
      if (load !== this.loads) return;
      this.droppedSegs = segmentations;
      // SEG files alone: read onto the series shown, once the user says how.
      if (series.length === 0) return segsDropped(this.s, segmentations);
      if (series.length === 1) return await this.chooseSeries(series[0].uid);
      dicomSeriesFound(this.s, series);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  /** Reads one series of the last DICOM drop and shows it. */
  async chooseSeries(uid: string): Promise<void> {
    const load = ++this.loads;
    setLoading(this.s);
    try {
      const { volume, info } = await this.dicom.read(uid);
      if (load !== this.loads) return;
      this.stopRun();
      volumeLoaded(this.s, `${info.description} (DICOM, ${info.sliceCount} slices)`, volume);
      if (this.droppedSegs.length) segsDropped(this.s, this.droppedSegs);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  openBytes(bytes: Uint8Array, name: string, source: VolumeSource = 'user', kind: string | null = null): void {
    try {
      const volume = readNifti(bytes, name);
      // A label map of the scan shown is not opened over it: the user says whether it is the reference.
      const values = labelMapValues(volume.data);
      const shown = this.s.getState().volume;
      if (values !== null && shown && source === 'user' && onSameGrid(shown.nifti, volume)) return labelMapDropped(this.s, name, volume, values);
      this.stopRun();
      volumeLoaded(this.s, name, volume, source, kind);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  segment(): void {
    const st = this.s.getState();
    const model = selectedCard(st);
    if (!st.volume) return failed(this.s, 'Open a CT volume first (drop a .nii or .nii.gz on the page)');
    if (!model) return failed(this.s, 'No model selected; add a model card and its .onnx to models/');
    if (st.adaptRun) return failed(this.s, 'The model is learning from your corrections; wait for it or stop it, then segment');
    if (st.volume.labelMapValues !== null && !st.segmentAnyway) {
      return failed(this.s, `${st.volume.name} holds only ${st.volume.labelMapValues} distinct integer values: it looks like a label map, not a CT. Tick "segment it anyway" to run the model on it`);
    }
    segmentationStarted(this.s, model.card.name);
    this.worker.send({
      type: 'segment', runId: ++this.runs, volumeId: this.volumeId, card: model.card, cardUrl: model.url, provider: st.backend, threads: this.threads, ortBuild: this.ortBuild,
      mirror: st.inference.mirror ?? undefined, postprocess: st.inference.postprocess,
    });
  }

  /** Runs the selected model on the volume and compares its result with the one shown (another model's). */
  compareModels(): void {
    const st = this.s.getState();
    if (!st.labels || !st.resultModel || st.selectedModel === st.resultModel || st.status === 'running') return;
    const other = selectedCard(st)?.card;
    const names = (labels: { id: number; name: string }[]) => labels.map((l) => `${l.id}:${l.name}`).join(',');
    if (!other || names(other.labels) !== names(st.labelInfo)) {
      return failed(this.s, `${other?.name ?? 'this model'} labels other organs than ${st.resultModel}; two models can be compared only on the same label table`);
    }
    comparisonStarted(this.s, { model: st.resultModel, labels: st.labels });
    this.segment();
  }

  /** The backend switch: the user's pick, with a notice when WebGPU is missing or software. */
  /** Mirroring and post-processing for the next run (mirroring null: the model card's default). */
  chooseInference(change: { mirror?: boolean | null; postprocess?: boolean }): void {
    setInference(this.s, change);
  }

  chooseBackend(want: Backend): void {
    if (this.s.getState().status === 'running') return;
    const choice = pickBackend(want, this.s.getState().adapter);
    setBackend(this.s, choice.backend, choice.notice);
  }

  cancel(): void {
    this.worker.send({ type: 'cancel' });
  }

  /** A new volume or model makes a running segmentation moot: cancel it and ignore what it still sends. */
  stopRun(): void {
    if (this.s.getState().status !== 'running') return;
    this.worker.abandonRun();
    this.worker.send({ type: 'cancel' });
  }

  attention(voxel: Vec3): void {
    const st = this.s.getState();
    if (!st.attentionMode || !st.labels) return;
    if (st.adaptRun) return failed(this.s, 'The model is learning from your corrections; attention maps wait until it ends');
    const level = effectiveAttentionLevel(st);
    attentionRequested(this.s, voxel, level);
    this.worker.send({ type: 'attention', voxel, level });
  }

  /** Switches the attention level and, when a voxel is already chosen, computes that level's map for it. */
  attentionLevel(level: AttentionLevel): void {
    setAttentionLevel(this.s, level);
    const st = this.s.getState();
    if (st.attentionVoxel && (!st.heatOf || st.heatOf.level !== level)) this.attention(st.attentionVoxel);
  }

  async loadReference(file: File): Promise<void> {
    try {
      const st = this.s.getState();
      if (!st.labels || !st.volume) throw new Error('Segment the volume first, then load a reference label map to compare');
      const ref = readNifti(new Uint8Array(await file.arrayBuffer()), file.name);
      if (this.s.getState().labels !== st.labels) return; // the result changed while the file was read
      this.compareWith(ref, file.name);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  /** Scores the result against a reference label map on the CT's grid: the Dice table and the disagreement map. */
  private compareWith(ref: NiftiVolume, name: string): void {
    const st = this.s.getState();
    if (!st.labels || !st.volume) throw new Error('Segment the volume first, then load a reference label map to compare');
    checkReferenceGrid(st.volume.nifti, ref, name);
    const refLabels = referenceLabels(ref, name);
    referenceScoring(this.s, name);
    this.worker.compare(st.labels.slice(), refLabels, st.labelInfo, false);
  }

  /**
   * A DICOM SEG onto the series shown: as the reference of the result (Dice, HD95, the disagreement
   * map), or as the labels to start correcting from.
   */
  loadSeg(bytes: Uint8Array, name: string, use: 'reference' | 'labels'): void {
    try {
      const st = this.s.getState();
      if (use === 'reference' && !st.labels) throw new Error('Segment the series first, then use the SEG as its reference');
      if (use === 'labels' && st.editing) throw new Error('Save or leave the correction in progress first; starting from the SEG would replace it');
      const seg = segOntoVolume(st, bytes, name);
      if (use === 'reference' && seg.mapping === 'number') {
        throw new Error(`${name}: its segments (${seg.labelInfo.filter((l) => l.id !== 0).map((l) => l.name).join(', ')}) do not all name organs of ${st.resultModel ?? 'the result'}, so it cannot be scored against it; open it with "Start correcting from it" to see it`);
      }
      warningsAdded(this.s, seg.warnings);
      if (use === 'reference') {
        referenceScoring(this.s, name);
        pendingSegsDismissed(this.s);
        this.worker.compare(st.labels!.slice(), seg.labels, st.labelInfo, false);
      } else {
        this.stopRun();
        labelsLoaded(this.s, seg.labels, seg.labelInfo, seg.volumesMl, seg.model);
      }
    } catch (e) {
      failed(this.s, `DICOM SEG: ${errorText(e)}`);
    }
  }

  /** The held label map becomes the reference of the result shown. */
  usePendingAsReference(): void {
    const p = this.s.getState().pendingLabelMap;
    if (!p) return;
    try {
      this.compareWith(p.volume, p.name);
      pendingLabelMapDismissed(this.s);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  /** The held label map opens as a volume after all (it will not be segmented without a second choice). */
  openPendingAsVolume(): void {
    const p = this.s.getState().pendingLabelMap;
    if (!p) return;
    this.stopRun();
    volumeLoaded(this.s, p.name, p.volume);
  }

  /** The label map as .nii.gz bytes with the input's geometry. */
  segmentationBytes(): Uint8Array | null {
    const st = this.s.getState();
    if (!st.labels || !st.volume) return null;
    const by = st.resultModel ? `labels by ${st.resultModel}` : 'labels';
    const descrip = `${by}${st.corrections ? ', corrected by hand' : ''} (FINE workbench)`;
    return writeNifti(st.labels, st.volume.nifti, { gzip: true, descrip });
  }

  /** Saves the label map; after a correction as `<name>_seg_corrected.nii.gz`, a new file beside the model's. */
  download(): void {
    const bytes = this.segmentationBytes();
    const st = this.s.getState();
    if (!bytes || !st.volume) return;
    save(bytes, `${baseName(st.volume.name)}_seg${st.corrections ? '_corrected' : ''}.nii.gz`, 'application/gzip');
  }

  /** Saves the result as a DICOM SEG (a volume read from DICOM only): a new series each time, never an overwrite. */
  downloadSeg(): void {
    const st = this.s.getState();
    try {
      const { bytes } = segFromState(st);
      save(bytes, `${baseName(st.volume!.name)}_seg${st.corrections ? '_corrected' : ''}.dcm`, 'application/dicom');
    } catch (e) {
      failed(this.s, `DICOM SEG: ${errorText(e)}`);
    }
  }

  /** Stores the result as a new DICOM SEG series in the archive, in the source's study (STOW-RS). */
  async storeSeg(): Promise<void> {
    let seg;
    try {
      seg = segFromState(this.s.getState());
    } catch (e) {
      return failed(this.s, `DICOM SEG: ${errorText(e)}`);
    }
    await this.archive.store(seg.bytes, seg.what);
  }

  /** The organ table of the current result: voxels, mL and mean HU per organ, as CSV. */
  downloadOrganTable(): void {
    const st = this.s.getState();
    if (!st.labels || !st.volume) return;
    save(organStatsCsv(organStats(st.labels, st.volume.nifti, st.labelInfo)), `${baseName(st.volume.name)}_organs.csv`, 'text/csv');
  }

  /** The label names beside the map: an ITK-SNAP label description file and the same table as JSON. */
  downloadLabelTable(format: 'itksnap' | 'json'): void {
    const st = this.s.getState();
    if (!st.labels || !st.volume) return;
    const base = `${baseName(st.volume.name)}_seg`;
    if (format === 'itksnap') save(itkSnapLabelFile(st.labelInfo), `${base}_labels.txt`, 'text/plain');
    else save(labelTableJson(st.labelInfo, st.selectedModel), `${base}_labels.json`, 'application/json');
  }
}
