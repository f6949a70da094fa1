/**
 * The workbench state: one zustand vanilla store (no React here, so Node tests drive it directly)
 * and its actions as plain functions. Components subscribe to narrow slices of it.
 */
import { createStore } from 'zustand/vanilla';
import { type AttentionLevel, attentionLevelsOf } from '../infer/attention/attentionMap';
import type { LabelInfo, ModelCard } from '../infer/contract/modelCard';
import type { NiftiVolume, Vec3 } from '../infer/io/nifti';
import { labelMapValues } from '../infer/preprocess/ctCheck';
import type { StageSeconds } from '../infer/pipeline';
import { organVolumesMl } from '../infer/eval/metrics';
import type { DicomSeriesInfo } from '../infer/io/dicom';
import type { AdapterInfo } from './backendChoice';
import { CT_WINDOWS, type CtWindow, clampWindow } from './ctWindow';

export type { Backend } from './backendChoice';
import type { Backend } from './backendChoice';
export type Status = 'idle' | 'loading' | 'running' | 'done' | 'error';

/** Where a volume came from: the bundled sample (a synthetic phantom) or the user's own file. */
export type VolumeSource = 'sample' | 'user';

export interface LoadedVolume {
  /** File name (downloads are named after it). */
  name: string;
  source: VolumeSource;
  /** What the volume is, shown beside its name: "synthetic phantom" for the bundled sample; null for the user's CT. */
  kind: string | null;
  dims: Vec3;
  spacing: Vec3;
  nifti: NiftiVolume;
  /** The volume looks like a label map (this many distinct integer values), checked when it opened; null for a CT. */
  labelMapValues: number | null;
}

export interface ModelEntry {
  /** URL of the card JSON. */
  url: string;
  card: ModelCard;
}

export interface Progress {
  done: number;
  total: number;
  /** Seconds left at the current tile rate; null before the first tile. */
  etaSeconds: number | null;
}

export type { LabelView } from './ctWindow';
import type { LabelView } from './ctWindow';

export type { DiceRow } from './reference';
import { type DiceRow, type Disagreement, disagreementMap, scoreAgainst } from './reference';

/** What ran the last segmentation: provider, onnxruntime-web build, WASM threads, seconds in the worker. */
export interface RunEngine {
  provider: Backend;
  build: 'wasm' | 'webgpu';
  threads: number;
  seconds: number;
  /** Of `seconds`, the time outside session.run: preprocessing, tiling, stitching, postprocessing. */
  outsideRunSeconds: number;
  /** Seconds per pipeline stage (preprocess, tiles, model, stitch, postprocess, checks). */
  stages?: StageSeconds;
}

export interface WorkbenchState {
  volume: LoadedVolume | null;
  models: ModelEntry[];
  selectedModel: string | null;
  /** The model the bundled sample was made for (its manifest's `model`); selected while the sample is shown. */
  sampleModel: string | null;
  /** The user chose the model for this kind of volume: defaults no longer move it (until the source changes). */
  modelPicked: boolean;
  backend: Backend;
  /** Inference switches for the next run: left-right mirroring (null: the model card's default) and largest-component post-processing. */
  inference: { mirror: boolean | null; postprocess: boolean };
  /** One line: why WASM runs although WebGPU was asked for or exists, or that WebGPU will be slow. */
  backendNotice: string | null;
  /** The browser's WebGPU adapter (null: none), once `adapterChecked`. */
  adapter: AdapterInfo | null;
  adapterChecked: boolean;
  lastRun: RunEngine | null;
  status: Status;
  progress: Progress;
  error: string | null;
  warnings: string[];
  /** Warnings that came with the current result (applicability checks), not already in `warnings`. */
  resultWarnings: string[];
  labels: Uint8Array | null;
  /** Label ids and names of the model that produced `labels`. */
  labelInfo: LabelInfo[];
  volumesMl: Record<number, number>;
  legend: Record<number, LabelView>;
  attentionMode: boolean;
  attentionLevel: AttentionLevel;
  attentionVoxel: Vec3 | null;
  heatMap: Float32Array | null;
  /** Level and voxel the current heat map was computed for. */
  heatOf: { level: AttentionLevel; voxel: Vec3 } | null;
  /** The latest attention request; a reply for any other level or voxel is stale and dropped. */
  attentionPending: { level: AttentionLevel; voxel: Vec3 } | null;
  referenceName: string | null;
  dice: DiceRow[] | null;
  /** Where the result and the loaded reference disagree. */
  disagreement: Disagreement | null;
  /** The viewer shows the disagreement map instead of the labels. */
  showDisagreement: boolean;
  /** Label correction: the labels are a NiiVue drawing the user paints; the pen's label and whether it fills outlines. */
  editing: boolean;
  editPen: { label: number; fill: boolean };
  /** How many times the labels were corrected and saved since this result came. */
  corrections: number;
  /** The model of the running segmentation, and of the result shown. */
  runModel: string | null;
  resultModel: string | null;
  /** Comparing two models: the first model's result, kept while the second runs. */
  compareBase: { model: string; labels: Uint8Array } | null;
  /** The series of the last DICOM drop when it held several: the user picks one (null: no choice pending). */
  dicomSeries: DicomSeriesInfo[] | null;
  /** What became of the last run when it left no result (a cancelled run says where it stopped); null otherwise. */
  runNote: string | null;
  /** A dropped file that looks like a label map of the scan shown, held until the user says what it is. */
  pendingLabelMap: { name: string; volume: NiftiVolume; values: number } | null;
  /** The user chose to segment a volume that looks like a label map. */
  segmentAnyway: boolean;
  /** CT display window (HU). */
  ctWindow: CtWindow;
  /** Radiological convention (patient left on screen right), the default for CT; false: neurological. */
  radiological: boolean;
  /** The 3-D render beside the slices: the user's choice, or null for the automatic rule (`show3dView`). */
  view3d: boolean | null;
  /** The viewer's WebGL runs on a software renderer (SwiftShader, llvmpipe); null until the viewer starts. */
  softwareGl: boolean | null;
  /** Where the crosshair is: world mm, voxel index of the CT, its HU (null before the first move). */
  cursor: { mm: Vec3; vox: Vec3; hu: number | null } | null;
}

export const initialState: WorkbenchState = {
  volume: null,
  models: [],
  selectedModel: null,
  sampleModel: null,
  modelPicked: false,
  backend: 'wasm',
  inference: { mirror: null, postprocess: true },
  backendNotice: null,
  adapter: null,
  adapterChecked: false,
  lastRun: null,
  status: 'idle',
  progress: { done: 0, total: 0, etaSeconds: null },
  error: null,
  warnings: [],
  resultWarnings: [],
  labels: null,
  labelInfo: [],
  volumesMl: {},
  legend: {},
  attentionMode: false,
  attentionLevel: 'window',
  attentionVoxel: null,
  heatMap: null,
  heatOf: null,
  attentionPending: null,
  referenceName: null,
  dice: null,
  disagreement: null,
  showDisagreement: false,
  editing: false,
  editPen: { label: 1, fill: false },
  corrections: 0,
  runModel: null,
  resultModel: null,
  compareBase: null,
  dicomSeries: null,
  runNote: null,
  pendingLabelMap: null,
  segmentAnyway: false,
  ctWindow: { ...CT_WINDOWS.abdomen },
  radiological: true,
  view3d: null,
  softwareGl: null,
  cursor: null,
};

export type WorkbenchStore = ReturnType<typeof createWorkbenchStore>;

export function createWorkbenchStore(init: Partial<WorkbenchState> = {}) {
  return createStore<WorkbenchState>()(() => ({ ...initialState, ...init }));
}

/** The store the app uses; tests make their own with `createWorkbenchStore`. */
export const store = createWorkbenchStore();

const resultCleared = { resultWarnings: [], labels: null, labelInfo: [], volumesMl: {}, heatMap: null, heatOf: null, attentionPending: null, attentionVoxel: null, dice: null, referenceName: null, disagreement: null, showDisagreement: false, editing: false, corrections: 0 };

/**
 * A file is being read. During a segmentation the status stays 'running' (Cancel stays on, Segment off):
 * the run is cancelled only once the new volume has been read and replaces the old one.
 */
export function setLoading(s: WorkbenchStore): void {
  if (s.getState().status === 'running') s.setState({ error: null });
  else s.setState({ status: 'loading', error: null });
}

/**
 * The model a volume opens with: the sample's own model while the bundled sample is shown (falling back
 * to a model trained on synthetic phantoms only), otherwise the index's first model (the card marked
 * `default`, then fine-small: models trained on real CT).
 */
export function defaultModelFor(models: ModelEntry[], source: VolumeSource | null, sampleModel: string | null): string | null {
  if (source === 'sample') {
    if (sampleModel && models.some((m) => m.card.name === sampleModel)) return sampleModel;
    const synthetic = models.find((m) => trainedOn(m.card) === 'synthetic');
    if (synthetic) return synthetic.card.name;
  }
  return models.find((m) => trainedOn(m.card) !== 'synthetic')?.card.name ?? models[0]?.card.name ?? null;
}

/** What a card's model was trained on: synthetic phantoms when every training case is a phantom. */
export function trainedOn(card: ModelCard): 'synthetic' | 'ct' {
  const data = card.training?.data ?? [];
  return data.length > 0 && data.every((d) => /phantom/i.test(d)) ? 'synthetic' : 'ct';
}

export function volumeLoaded(s: WorkbenchStore, name: string, nifti: NiftiVolume, source: VolumeSource = 'user', kind: string | null = null): void {
  const st = s.getState();
  const picked = st.modelPicked && st.volume?.source === source;
  s.setState({
    volume: { name, source, kind, dims: nifti.dims, spacing: nifti.spacing, nifti, labelMapValues: labelMapValues(nifti.data) },
    pendingLabelMap: null,
    segmentAnyway: false,
    modelPicked: picked,
    selectedModel: picked ? st.selectedModel : (defaultModelFor(st.models, source, st.sampleModel) ?? st.selectedModel),
    status: 'idle',
    error: null,
    warnings: nifti.warnings,
    dicomSeries: null,
    runNote: null,
    cursor: null,
    progress: { done: 0, total: 0, etaSeconds: null },
    ...resultCleared,
  });
}

/** A DICOM drop held several series: show them for the user to pick one. */
export function dicomSeriesFound(s: WorkbenchStore, series: DicomSeriesInfo[]): void {
  s.setState({ dicomSeries: series, status: s.getState().status === 'running' ? 'running' : 'idle', error: null });
}

export function setModels(s: WorkbenchStore, models: ModelEntry[]): void {
  const st = s.getState();
  const current = st.selectedModel;
  const keep = st.modelPicked && models.some((m) => m.card.name === current);
  s.setState({ models, selectedModel: keep ? current : defaultModelFor(models, st.volume?.source ?? null, st.sampleModel) });
}

/** The bundled sample's manifest named the model it was made for. */
export function setSampleModel(s: WorkbenchStore, name: string | null): void {
  const st = s.getState();
  s.setState({ sampleModel: name });
  if (!st.modelPicked && st.models.length) s.setState({ selectedModel: defaultModelFor(st.models, st.volume?.source ?? null, name) });
}

/** The user's pick: it stays for further volumes from the same source. */
export function selectModel(s: WorkbenchStore, name: string): void {
  const known = s.getState().models.map((m) => m.card.name);
  if (!known.includes(name)) {
    failed(s, `No model named "${name}"; available: ${known.join(', ') || 'none (add a model to models/)'}`);
    return;
  }
  s.setState({ selectedModel: name, modelPicked: true });
}

export function selectedCard(state: WorkbenchState): ModelEntry | null {
  return state.models.find((m) => m.card.name === state.selectedModel) ?? null;
}

/** The attention level in force: the chosen one when the selected model offers it, else the model's first. */
export function effectiveAttentionLevel(state: WorkbenchState): AttentionLevel {
  const levels = attentionLevelsOf(selectedCard(state)?.card.attention);
  return levels.length === 0 || levels.includes(state.attentionLevel) ? state.attentionLevel : levels[0];
}

/** The user's inference switches (mirroring, post-processing) for the next run. */
export function setInference(s: WorkbenchStore, change: Partial<WorkbenchState['inference']>): void {
  s.setState({ inference: { ...s.getState().inference, ...change } });
}

export function setBackend(s: WorkbenchStore, backend: Backend, notice: string | null = null): void {
  s.setState({ backend, backendNotice: notice });
}

export function adapterProbed(s: WorkbenchStore, adapter: AdapterInfo | null): void {
  s.setState({ adapter, adapterChecked: true });
}

export function runEngine(s: WorkbenchStore, lastRun: RunEngine): void {
  s.setState({ lastRun });
}

export function segmentationStarted(s: WorkbenchStore, model: string | null = null): void {
  s.setState({ status: 'running', error: null, runNote: null, progress: { done: 0, total: 0, etaSeconds: null }, ...resultCleared, runModel: model, resultModel: null });
}

export function progressed(s: WorkbenchStore, done: number, total: number, elapsedSeconds: number): void {
  const etaSeconds = done > 0 ? (elapsedSeconds / done) * (total - done) : null;
  s.setState({ progress: { done, total, etaSeconds } });
}

export function segmentationDone(s: WorkbenchStore, labels: Uint8Array, labelInfo: LabelInfo[], volumesMl: Record<number, number>, warnings: string[] = []): void {
  const prev = s.getState().legend;
  const legend: Record<number, LabelView> = {};
  for (const l of labelInfo) if (l.id !== 0) legend[l.id] = prev[l.id] ?? { visible: true, opacity: 0.6 };
  const total = s.getState().progress.total;
  s.setState({
    status: 'done',
    labels,
    labelInfo,
    volumesMl,
    legend,
    resultModel: s.getState().runModel,
    resultWarnings: [...new Set(warnings)].filter((w) => !s.getState().warnings.includes(w)),
    progress: { done: total, total, etaSeconds: 0 },
  });
}

export function segmentationCancelled(s: WorkbenchStore): void {
  const { done, total } = s.getState().progress;
  const where = total > 0 ? `after ${done} of ${total} tiles` : 'before the first tile';
  s.setState({ status: 'idle', progress: { done: 0, total: 0, etaSeconds: null }, compareBase: null, runNote: `Segmentation cancelled ${where}; no labels were kept. Segment runs it again from the start.` });
}

/**
 * Comparing two models on one volume: the second model's result (now shown) is scored against the
 * first's as a reference, so the Dice table and the disagreement map say where the two models differ.
 */
export function comparisonDone(s: WorkbenchStore): void {
  const st = s.getState();
  const base = st.compareBase;
  if (!base) return;
  s.setState({ compareBase: null });
  if (!st.labels || !st.volume || base.labels.length !== st.labels.length) return;
  setReferenceDice(s, `${base.model}'s result`, scoreAgainst(st.labels, base.labels, st.volume.nifti, st.labelInfo), disagreementMap(st.labels, base.labels));
  s.setState({ showDisagreement: true });
}

/**
 * Something the user asked for failed (a file, a reference, a model pick). A segmentation that is
 * running goes on: the message shows, the status stays 'running'.
 */
export function failed(s: WorkbenchStore, message: string): void {
  if (s.getState().status === 'running') s.setState({ error: message });
  else s.setState({ status: 'error', error: message });
}

/** The running segmentation itself failed (or its worker died): the run is over. */
export function runFailed(s: WorkbenchStore, message: string): void {
  s.setState({ status: 'error', error: message, compareBase: null });
}

export function dismissError(s: WorkbenchStore): void {
  const st = s.getState();
  s.setState({ error: null, status: st.status === 'error' ? (st.labels ? 'done' : 'idle') : st.status });
}

export function setLabelVisible(s: WorkbenchStore, id: number, visible: boolean): void {
  const legend = s.getState().legend;
  if (!legend[id]) return;
  s.setState({ legend: { ...legend, [id]: { ...legend[id], visible } } });
}

export function setLabelOpacity(s: WorkbenchStore, id: number, opacity: number): void {
  const legend = s.getState().legend;
  if (!legend[id]) return;
  s.setState({ legend: { ...legend, [id]: { ...legend[id], opacity: Math.min(1, Math.max(0, opacity)) } } });
}

export function setAttentionMode(s: WorkbenchStore, on: boolean): void {
  s.setState(on ? { attentionMode: true } : { attentionMode: false, heatMap: null, heatOf: null, attentionPending: null, attentionVoxel: null });
}

/** A new level: the map of another level is taken down, so the map shown is always the highlighted level's. */
export function setAttentionLevel(s: WorkbenchStore, level: AttentionLevel): void {
  const st = s.getState();
  s.setState(st.heatOf && st.heatOf.level !== level ? { attentionLevel: level, heatMap: null, heatOf: null } : { attentionLevel: level });
}

/** A map was asked for (every click, the same voxel again included, and every level change). */
export function attentionRequested(s: WorkbenchStore, voxel: Vec3, level: AttentionLevel = effectiveAttentionLevel(s.getState())): void {
  s.setState({ attentionVoxel: voxel, attentionPending: { level, voxel } });
}

const sameVoxel = (a: Vec3, b: Vec3) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

/** A map arrived: shown if it answers the latest request, dropped if a newer click or level superseded it. */
export function attentionReady(s: WorkbenchStore, heatMap: Float32Array, level: AttentionLevel, voxel: Vec3): void {
  const p = s.getState().attentionPending;
  if (p && (p.level !== level || !sameVoxel(p.voxel, voxel))) return;
  if (effectiveAttentionLevel(s.getState()) !== level) return;
  s.setState({ heatMap, heatOf: { level, voxel }, attentionPending: null });
}

/** A file that looks like a label map of the scan shown: held, not opened, until the user says what it is. */
export function labelMapDropped(s: WorkbenchStore, name: string, volume: NiftiVolume, values: number): void {
  const st = s.getState();
  s.setState({ pendingLabelMap: { name, volume, values }, status: st.status === 'loading' ? (st.labels ? 'done' : 'idle') : st.status });
}

export function pendingLabelMapDismissed(s: WorkbenchStore): void {
  s.setState({ pendingLabelMap: null });
}

export function setSegmentAnyway(s: WorkbenchStore, on: boolean): void {
  s.setState({ segmentAnyway: on });
}

export function setReferenceDice(s: WorkbenchStore, referenceName: string, dice: DiceRow[], disagreement: Disagreement | null = null): void {
  s.setState({ referenceName, dice, disagreement, showDisagreement: false });
}

/** Starts correcting the labels (a result is needed); the disagreement view gives way to the labels. */
export function startEditing(s: WorkbenchStore): void {
  const st = s.getState();
  if (!st.labels || st.status === 'running') return;
  const first = st.labelInfo.find((l) => l.id !== 0)?.id ?? 1;
  s.setState({ editing: true, showDisagreement: false, attentionMode: false, heatMap: null, heatOf: null, editPen: { ...st.editPen, label: st.labelInfo.some((l) => l.id === st.editPen.label) ? st.editPen.label : first } });
}

export function setEditPen(s: WorkbenchStore, pen: { label: number; fill: boolean }): void {
  s.setState({ editPen: pen });
}

export function stopEditing(s: WorkbenchStore): void {
  s.setState({ editing: false });
}

/**
 * The corrected label map replaces the result: organ volumes are recounted; a reference comparison is
 * dropped (it described the old labels).
 */
export function labelsCorrected(s: WorkbenchStore, labels: Uint8Array): void {
  const st = s.getState();
  if (!st.volume || !st.labels || labels.length !== st.labels.length) throw new Error(`corrected labels: ${labels.length} voxels, the volume has ${st.labels?.length ?? 0}`);
  const ids = st.labelInfo.filter((l) => l.id !== 0).map((l) => l.id);
  s.setState({
    labels, volumesMl: organVolumesMl(labels, st.volume.spacing, ids), editing: false, corrections: st.corrections + 1,
    dice: null, referenceName: null, disagreement: null, showDisagreement: false,
  });
}

/** Shows the disagreement map (false positives, false negatives, wrong organ) in place of the labels, or the labels again. */
export function setShowDisagreement(s: WorkbenchStore, on: boolean): void {
  s.setState({ showDisagreement: on && s.getState().disagreement !== null });
}

export function setCtWindow(s: WorkbenchStore, w: CtWindow): void {
  s.setState({ ctWindow: clampWindow(w, s.getState().ctWindow) });
}

export function setRadiological(s: WorkbenchStore, on: boolean): void {
  s.setState({ radiological: on });
}

/** The 3-D view on or off (null: the automatic rule). */
export function setView3d(s: WorkbenchStore, on: boolean | null): void {
  s.setState({ view3d: on });
}

/** The viewer found which renderer its WebGL runs on. */
export function rendererFound(s: WorkbenchStore, software: boolean): void {
  s.setState({ softwareGl: software });
}

/**
 * Above this many voxels a software renderer spends seconds of CPU per 3-D frame (and the slices redraw
 * with it), taking the cores the segmentation needs: the 3-D view starts off there.
 */
export const SOFTWARE_3D_MAX_VOXELS = 8_000_000;

/** Whether the 3-D render is shown: the user's choice, else off for large volumes on a software renderer. */
export function show3dView(st: Pick<WorkbenchState, 'view3d' | 'softwareGl' | 'volume'>): boolean {
  if (st.view3d !== null) return st.view3d;
  const n = st.volume ? st.volume.dims[0] * st.volume.dims[1] * st.volume.dims[2] : 0;
  return !(st.softwareGl === true && n > SOFTWARE_3D_MAX_VOXELS);
}

export function cursorMoved(s: WorkbenchStore, cursor: { mm: Vec3; vox: Vec3; hu: number | null }): void {
  s.setState({ cursor });
}

/** What the crosshair readout shows: voxel, mm, HU and the label under the crosshair (null: outside the volume). */
export function cursorReadout(st: WorkbenchState): { vox: Vec3; mm: Vec3; hu: number | null; label: string | null } | null {
  const c = st.cursor;
  const v = st.volume;
  if (!c || !v) return null;
  const [nx, ny, nz] = v.dims;
  const [x, y, z] = c.vox;
  if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) return null;
  const i = x + nx * (y + ny * z);
  const hu = c.hu ?? v.nifti.data[i];
  let label: string | null = null;
  if (st.labels) {
    const id = st.labels[i];
    label = id === 0 ? 'background' : (st.labelInfo.find((l) => l.id === id)?.name ?? `label ${id}`);
  }
  return { vox: c.vox, mm: c.mm, hu, label };
}

/** Label-count histogram (index = label value) of the current result, for tests and the legend. */
export function labelHistogram(labels: Uint8Array): number[] {
  const h = new Array<number>(256).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]]++;
  let last = 255;
  while (last > 0 && h[last] === 0) last--;
  return h.slice(0, last + 1);
}
