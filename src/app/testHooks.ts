/**
 * `window.__fine`: read-only hooks for end-to-end tests to compare what the browser computed with
 * onnxruntime-node's result (label histogram and the raw label map as base64).
 */
import { type RunEngine, labelHistogram, labelsCorrected, type WorkbenchStore } from './state';
import type { Actions } from './actions';
import type { Viewer } from './viewer';
import type { Render3d } from './render3d';

export interface FineTestHooks {
  status(): string;
  getLabels(): { histogram: number[]; base64: string; dims: number[] } | null;
  getSegmentationNiftiBase64(): string | null;
  /** The current heat map's level, voxel and maximum (1 after normalisation), or null. */
  heatMap(): { level: string; voxel: number[]; max: number } | null;
  viewerLayers(): number;
  /** performance.now() (ms) when the viewer last showed a CT, a label overlay and a new CT window. */
  viewerShownAt(): { volume: number | null; labels: number | null; window: number | null } | null;
  /** Names of the label overlay's colour table: the model's labels, or the disagreement classes. */
  overlayLabels(): string[];
  /** How many volumes have been loaded since the page opened. */
  volumeLoads(): number;
  /** Sum of the loaded volume's voxel values (HU), to check a decoder's output. */
  volumeSum(): number | null;
  /** Voxel counts of the disagreement with the loaded reference, or null. */
  disagreement(): { falsePositive: number; falseNegative: number; wrongOrgan: number; notScored: number } | null;
  /** How many heat maps have been shown since the page loaded (each click recomputes one). */
  heatMapsShown(): number;
  /** NiiVue's radiological flag and whether the thin-slab column layout is on. */
  viewerDisplay(): ReturnType<Viewer['displayOptions']> | null;
  /** The correction pen as NiiVue holds it (label, filled, brush width in voxels). */
  pen(): ReturnType<Viewer['penState']> | null;
  /** The 3-D view drawn from a downsampled copy: its grid and whether labels are drawn (null: not shown). */
  render3d(): ReturnType<Render3d['state']> | null;
  /** Provider, onnxruntime-web build, WASM threads and the worker's pipeline seconds of the last segmentation. */
  lastRun(): RunEngine | null;
  /** The correction in progress: a hash of the drawing, its labelled voxels and the undo/redo counts (null: not correcting). */
  editState(): { hash: string; labelled: number; undo: number; redo: number } | null;
  /** Writes the correction in progress to the browser's store now and resolves with the save time. */
  keepSession(): Promise<string | null>;
  /** Replaces the labels with these (base64, one byte per voxel) as a saved correction, as if painted by hand. */
  correctLabels(b64?: string): void;
  /** The last adaptation's outcome: steps run, their seconds, all seconds and the held-out means (null: none shown). */
  adaptOutcome(): { steps: number; trainSeconds: number; seconds: number; before: number; after: number } | null;
  /** The model's own labels before any correction (base64), or null. */
  modelLabels(): string | null;
  /**
   * One pass of a model's training graph in the app's worker on the given feeds (base64, little-endian):
   * the loss and every gradient, base64. Called with page.evaluate (it takes an argument).
   */
  adaptGradients(req?: { model: string; provider: 'wasm' | 'webgpu'; feeds: { name: string; dtype: 'float32' | 'int64'; dims: number[]; b64: string }[] }): Promise<{ loss: number; build: string; grads: Record<string, string> }>;
}

function fromBase64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** FNV-1a of the bytes, hex. */
function hash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function installTestHooks(s: WorkbenchStore, actions: Actions): void {
  const viewer = (): Viewer | null => actions.viewer;
  let heatMaps = 0, volumeLoads = 0;
  s.subscribe((st, old) => {
    if (st.heatMap && st.heatMap !== old.heatMap) heatMaps++;
    if (st.volume && st.volume !== old.volume) volumeLoads++;
  });
  const hooks: FineTestHooks = {
    status: () => s.getState().status,
    getLabels: () => {
      const { labels, volume } = s.getState();
      return labels && volume ? { histogram: labelHistogram(labels), base64: toBase64(labels), dims: [...volume.dims] } : null;
    },
    getSegmentationNiftiBase64: () => {
      const b = actions.segmentationBytes();
      return b ? toBase64(b) : null;
    },
    heatMap: () => {
      const { heatMap, heatOf } = s.getState();
      return heatMap && heatOf ? { level: heatOf.level, voxel: [...heatOf.voxel], max: heatMap.reduce((m, v) => (v > m ? v : m), 0) } : null;
    },
    viewerLayers: () => viewer()?.layerCount() ?? 0,
    viewerShownAt: () => { const v = viewer(); return v ? { ...v.shownAt } : null; },
    overlayLabels: () => viewer()?.overlayLabelNames() ?? [],
    volumeLoads: () => volumeLoads,
    volumeSum: () => {
      const v = s.getState().volume;
      return v ? v.nifti.data.reduce((a: number, b: number) => a + b, 0) : null;
    },
    disagreement: () => s.getState().disagreement?.counts ?? null,
    heatMapsShown: () => heatMaps,
    viewerDisplay: () => viewer()?.displayOptions() ?? null,
    pen: () => viewer()?.penState() ?? null,
    lastRun: () => s.getState().lastRun,
    render3d: () => actions.render3d?.state() ?? null,
    editState: () => {
      const snap = viewer()?.editSnapshot();
      if (!snap) return null;
      return { hash: hash(snap.drawing), labelled: snap.drawing.reduce((n, v) => n + (v > 0 ? 1 : 0), 0), undo: snap.history.undo, redo: snap.history.redo };
    },
    correctLabels: (b64) => {
      if (!b64) throw new Error('correctLabels: no labels');
      labelsCorrected(s, fromBase64(b64));
    },
    adaptOutcome: () => {
      const o = s.getState().adaptOutcome;
      return o ? { steps: o.steps, trainSeconds: o.trainSeconds, seconds: o.seconds, before: o.before.mean, after: o.after.mean } : null;
    },
    modelLabels: () => {
      const m = s.getState().modelLabels;
      return m ? toBase64(m) : null;
    },
    adaptGradients: async (req) => {
      if (!req) throw new Error('adaptGradients: no request');
      const entry = s.getState().models.find((m) => m.card.name === req.model);
      if (!entry) throw new Error(`adaptGradients: no model ${req.model}`);
      const feeds = Object.fromEntries(req.feeds.map((f) => {
        const buf = fromBase64(f.b64).buffer;
        return [f.name, { data: f.dtype === 'int64' ? new BigInt64Array(buf) : new Float32Array(buf), dims: f.dims }];
      }));
      const r = await actions.worker.gradients({ card: entry.card, cardUrl: entry.url, provider: req.provider, threads: 1, feeds });
      return { loss: r.loss, build: r.build, grads: Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, toBase64(new Uint8Array(g.buffer, g.byteOffset, g.byteLength))])) };
    },
    keepSession: async () => {
      await actions.session.saveEditNow();
      await actions.session.settled();
      return s.getState().sessionSaved.at;
    },
  };
  (window as unknown as { __fine: FineTestHooks }).__fine = hooks;
}
