/**
 * What the UI does, as plain async functions over the store and the worker: open volumes, list
 * models, run and cancel segmentation, attention clicks, reference Dice, download.
 */
import type { Vec3 } from '../infer/io/nifti';
import { readNifti, writeNifti } from '../infer/io/nifti';
import { parseModelCard } from '../infer/contract/cardCheck';
import { diceScore } from '../infer/eval/metrics';
import { chooseBackend, chooseOrtBuild, chooseThreads, pickBackend } from './backendChoice';
import { probeWebGpu } from './gpuAdapter';
import { WorkerClient } from './workerClient';
import { DicomClient, type DroppedFile } from './dicomClient';
import {
  type Backend, type ModelEntry, type WorkbenchStore, adapterProbed, attentionRequested, failed, segmentationStarted, selectedCard, setBackend, setLoading,
  dicomSeriesFound, setModels, setReferenceDice, volumeLoaded,
} from './store';

export const SAMPLE_URL = '/sample/phantom.nii.gz';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class Actions {
  readonly worker: WorkerClient;
  readonly dicom = new DicomClient();

  private threads = 1;
  private ortBuild: 'webgpu' | undefined;
  private runs = 0;

  constructor(readonly s: WorkbenchStore) {
    this.worker = new WorkerClient(s);
  }

  async init(search: string): Promise<void> {
    this.threads = chooseThreads(search, globalThis.crossOriginIsolated, navigator.hardwareConcurrency || 1);
    this.ortBuild = chooseOrtBuild(search);
    const adapter = await probeWebGpu();
    adapterProbed(this.s, adapter);
    const choice = chooseBackend(search, adapter);
    setBackend(this.s, choice.backend, choice.notice);
    await Promise.all([this.loadModels(), this.openUrl(SAMPLE_URL, 'phantom.nii.gz')]);
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
      if (bad.length) this.s.setState({ warnings: [...this.s.getState().warnings, ...bad] });
    } catch (e) {
      failed(this.s, `Could not list the models: ${errorText(e)}`);
    }
  }

  async openUrl(url: string, name: string): Promise<void> {
    setLoading(this.s);
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${name}: HTTP ${res.status} from ${url}`);
      this.openBytes(new Uint8Array(await res.arrayBuffer()), name);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  async openFile(file: File): Promise<void> {
    setLoading(this.s);
    try {
      this.openBytes(new Uint8Array(await file.arrayBuffer()), file.name);
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
    const first = files[0];
    if (/\.nii(\.gz)?$/i.test(first.name)) return this.openFile(first.file);
    if (files.length === 1) {
      const head = new Uint8Array(await first.file.slice(128, 132).arrayBuffer());
      const dicm = head.length === 4 && String.fromCharCode(...head) === 'DICM';
      if (!dicm && !/\.dcm$/i.test(first.name)) return this.openFile(first.file);
    }
    setLoading(this.s);
    try {
      const { series } = await this.dicom.scan(files);
      if (series.length === 1) return await this.chooseSeries(series[0].uid);
      dicomSeriesFound(this.s, series);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  /** Reads one series of the last DICOM drop and shows it. */
  async chooseSeries(uid: string): Promise<void> {
    setLoading(this.s);
    try {
      const { volume, info } = await this.dicom.read(uid);
      this.stopRun();
      volumeLoaded(this.s, `${info.description} (DICOM, ${info.sliceCount} slices)`, volume);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  openBytes(bytes: Uint8Array, name: string): void {
    try {
      const volume = readNifti(bytes, name);
      this.stopRun();
      volumeLoaded(this.s, name, volume);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  segment(): void {
    const st = this.s.getState();
    const model = selectedCard(st);
    if (!st.volume) return failed(this.s, 'Open a CT volume first (drop a .nii or .nii.gz on the page)');
    if (!model) return failed(this.s, 'No model selected; add a model card and its .onnx to models/');
    segmentationStarted(this.s);
    this.worker.send({ type: 'segment', runId: ++this.runs, volume: st.volume.nifti, card: model.card, cardUrl: model.url, provider: st.backend, threads: this.threads, ortBuild: this.ortBuild });
  }

  /** The backend switch: the user's pick, with a notice when WebGPU is missing or software. */
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
    attentionRequested(this.s, voxel);
    this.worker.send({ type: 'attention', voxel, level: st.attentionLevel });
  }

  async loadReference(file: File): Promise<void> {
    try {
      const st = this.s.getState();
      if (!st.labels || !st.volume) throw new Error('Segment the volume first, then load a reference label map to compare');
      const ref = readNifti(new Uint8Array(await file.arrayBuffer()), file.name);
      if (ref.dims.some((n, a) => n !== st.volume!.dims[a])) {
        throw new Error(`${file.name}: reference dims ${ref.dims.join('x')} differ from the volume's ${st.volume.dims.join('x')}; load the label map of this scan`);
      }
      const refLabels = Uint8Array.from(ref.data, (v) => Math.round(v));
      const rows = st.labelInfo.filter((l) => l.id !== 0).map((l) => ({ id: l.id, name: l.name, dice: diceScore(st.labels!, refLabels, l.id) }));
      setReferenceDice(this.s, file.name, rows);
    } catch (e) {
      failed(this.s, errorText(e));
    }
  }

  /** The label map as .nii.gz bytes with the input's geometry. */
  segmentationBytes(): Uint8Array | null {
    const st = this.s.getState();
    return st.labels && st.volume ? writeNifti(st.labels, st.volume.nifti, { gzip: true }) : null;
  }

  download(): void {
    const bytes = this.segmentationBytes();
    const st = this.s.getState();
    if (!bytes || !st.volume) return;
    const url = URL.createObjectURL(new Blob([bytes.slice().buffer], { type: 'application/gzip' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${st.volume.name.replace(/\.nii(\.gz)?$/, '')}_seg.nii.gz`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
