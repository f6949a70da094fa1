/**
 * The inference worker: holds the opened volume, fetches and verifies the model once, runs the sliding
 * window with progress messages, cancels between tiles, and computes attention maps. Its sessions
 * belong to a SessionOwner (one model's sessions at a time, one run at a time); attention maps reuse
 * the last run's preprocessed volume. Every failure is posted as an `error` message; nothing fails
 * silently.
 */
import type { AttentionLevel } from '../infer/attention/attentionMap';
import { type OrtBuild, type Provider, type Session, checkProvider, createSession } from '../infer/runtime/backend';
import type { ModelCard, OnnxFileRef } from '../infer/contract/modelCard';
import type { NiftiVolume, Vec3 } from '../infer/io/nifti';
import { segmentVolume } from '../infer/pipeline';
import { type Preprocessed, preprocess } from '../infer/preprocess/preprocess';
import { tileFeeds } from '../infer/runtime/tileRunner';
import { analyse } from './analysis';
import { attentionHeat } from './attentionRun';
import { runAdaptation } from './adaptRun';
import { fetchVerifiedOnnx } from './modelFiles';
import type { FromWorker, ToWorker } from './protocol';
import { SessionOwner } from './sessionOwner';
import type { Backend } from './state';
import { errorText } from '../util/errorText';

interface WorkerScope {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  onerror: ((e: ErrorEvent | string) => void) | null;
  addEventListener(type: 'unhandledrejection', fn: (e: PromiseRejectionEvent) => void): void;
}
const scope = self as unknown as WorkerScope;

const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

const owner = new SessionOwner((e) => post({ type: 'error', message: `Releasing the previous model's session failed: ${errorText(e)}`, during: 'release' }));
let controller: AbortController | null = null;
/** The volume the page opened last; requests name it by id. */
let opened: { id: number; volume: NiftiVolume } | null = null;
/** The model of the last segmentation request; attention maps use it with `prepared`. */
let last: { card: ModelCard; cardUrl: string; provider: Backend; ortBuild?: OrtBuild } | null = null;
/** The opened volume on a model's grid (the last run's, or computed by the first attention click). */
let prepared: { volumeId: number; model: string; pre: Preprocessed } | null = null;

function volumeOf(id: number): NiftiVolume {
  if (!opened || opened.id !== id) throw new Error(`worker: volume ${id} is not open here (the page opened ${opened ? `volume ${opened.id}` : 'none'})`);
  return opened.volume;
}

function open(m: Extract<ToWorker, { type: 'open' }>): void {
  opened = { id: m.volumeId, volume: m.volume };
  prepared = null;
}

/**
 * Lets queued messages (a `cancel`) run between tiles: ORT may resolve a run without returning to the
 * event loop, so the tile loop alone never would. A MessageChannel round trip avoids setTimeout's clamp.
 */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** WASM threads are fixed when the runtime first starts in this worker: the first request decides. */
let wasmThreads: number | undefined;

/** A session of `card`'s model on `provider`: `ref` is its segmentation graph or its attention graph. */
function session(card: ModelCard, ref: OnnxFileRef, cardUrl: string, provider: Provider, ortBuild?: OrtBuild, quiet = false): Promise<Session> {
  return owner.session(`${card.onnx.sha256}:${provider}:${ortBuild ?? ''}`, ref.sha256, async () => {
    if (!quiet) post({ type: 'phase', phase: 'fetching-model' });
    const bytes = await fetchVerifiedOnnx(ref, cardUrl);
    if (!quiet) post({ type: 'phase', phase: 'creating-session' });
    return createSession(bytes, { provider, wasmPaths: '/ort/', threads: wasmThreads, ortBuild });
  });
}

/** The session of the next run, created while the user looks at the volume; failures wait for the run to report them. */
function warm(m: Extract<ToWorker, { type: 'warm' }>): void {
  try {
    wasmThreads ??= m.threads;
    void session(m.card, m.card.onnx, m.cardUrl, checkProvider(m.provider), m.ortBuild, true).catch(() => undefined);
  } catch {
    /* the run will say what is wrong */
  }
}

async function segment(m: Extract<ToWorker, { type: 'segment' }>): Promise<void> {
  controller?.abort();
  const ctrl = new AbortController();
  controller = ctrl;
  try {
    const provider = checkProvider(m.provider);
    wasmThreads ??= m.threads;
    const volume = volumeOf(m.volumeId);
    last = { card: m.card, cardUrl: m.cardUrl, provider: m.provider, ortBuild: m.ortBuild };
    const s = await session(m.card, m.card.onnx, m.cardUrl, provider, m.ortBuild);
    if (ctrl.signal.aborted) throw new DOMException('Segmentation cancelled before the first tile', 'AbortError');
    post({ type: 'phase', phase: 'running' });
    const card = m.card;
    const t0 = performance.now();
    const result = await segmentVolume(
      volume,
      card,
      async (image, vt) => {
        await yieldToEvents();
        if (ctrl.signal.aborted) throw new DOMException('Segmentation cancelled between tiles', 'AbortError');
        const out = await s.run(tileFeeds(card, image, vt), [card.io.logits]);
        return out[card.io.logits].data;
      },
      {
        signal: ctrl.signal,
        mirror: m.mirror,
        postprocess: m.postprocess,
        onProgress: (done, total) => post({ type: 'progress', runId: m.runId, done, total, elapsedSeconds: (performance.now() - t0) / 1000 }),
      },
    );
    prepared = { volumeId: m.volumeId, model: card.onnx.sha256, pre: result.preprocessed };
    post(
      { type: 'done', runId: m.runId, labelInfo: card.labels, labels: result.labels, volumesMl: result.volumesMl, seconds: result.seconds, tiles: result.tiles, warnings: result.warnings, provider: m.provider, build: s.build, threads: s.wasmThreads, outsideRunSeconds: result.outsideRunSeconds, stages: result.stages },
      [result.labels.buffer],
    );
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') post({ type: 'cancelled', runId: m.runId, message: e.message });
    else post({ type: 'error', message: errorText(e), during: 'segmentation', runId: m.runId });
  } finally {
    if (controller === ctrl) controller = null;
  }
}

async function attention(voxel: Vec3, level: AttentionLevel): Promise<void> {
  try {
    if (!last) throw new Error('Run a segmentation first: the attention map uses the volume and model of the last run');
    const { card, cardUrl, provider, ortBuild } = last;
    const att = card.attention;
    if (!att) throw new Error(`${card.name}: this model card has no "attention" export; pick a model with one`);
    const s = await session(card, att, cardUrl, checkProvider(provider), ortBuild);
    post({ type: 'phase', phase: 'attention' });
    if (!opened) throw new Error('Open a volume first');
    if (!prepared || prepared.volumeId !== opened.id || prepared.model !== card.onnx.sha256) prepared = { volumeId: opened.id, model: card.onnx.sha256, pre: preprocess(opened.volume, card) };
    const heat = await attentionHeat(s, card, prepared.pre, voxel, level);
    post({ type: 'attention', voxel, level, heat }, [heat.buffer]);
  } catch (e) {
    post({ type: 'error', message: errorText(e), during: 'attention' });
  }
}

/** One forward and backward pass of the model's training graph: the loss and every parameter's gradient. */
async function gradients(m: Extract<ToWorker, { type: 'gradients' }>): Promise<void> {
  try {
    const ad = m.card.adaptation;
    if (!ad) throw new Error(`${m.card.name}: this model card has no "adaptation" export (its training graph); run npm run export-train for it`);
    wasmThreads ??= m.threads;
    const s = await session(m.card, ad, m.cardUrl, checkProvider(m.provider), m.ortBuild, true);
    const out = await s.run(m.feeds);
    const grads: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(out)) if (k.startsWith(ad.gradPrefix)) grads[k.slice(ad.gradPrefix.length)] = v.data;
    post({ type: 'gradients', id: m.id, loss: out[ad.loss].data[0], grads, provider: m.provider, build: s.build }, Object.values(grads).map((g) => g.buffer));
  } catch (e) {
    post({ type: 'gradientsFailed', id: m.id, message: errorText(e) });
  }
}

let adaptController: AbortController | null = null;

/** Teaches the model the open volume's corrections with its training graph (adaptRun.ts), step by step. */
async function adapt(m: Extract<ToWorker, { type: 'adapt' }>): Promise<void> {
  adaptController?.abort();
  const ctl = (adaptController = new AbortController());
  try {
    const ad = m.card.adaptation;
    if (!ad) throw new Error(`${m.card.name} has no training graph for adaptation; choose a model whose card lists one`);
    wasmThreads ??= m.threads;
    const provider = checkProvider(m.provider);
    const out = await runAdaptation(
      { card: m.card, volume: volumeOf(m.volumeId), corrected: m.corrected, model: m.model, settings: m.settings, name: m.name, where: `browser (${m.provider})`, resume: m.resume },
      { onnx: () => fetchVerifiedOnnx(m.card.onnx, m.cardUrl), attention: async () => (m.card.attention ? fetchVerifiedOnnx(m.card.attention, m.cardUrl) : undefined) },
      {
        train: () => session(m.card, ad, m.cardUrl, provider, m.ortBuild, true),
        base: () => session(m.card, m.card.onnx, m.cardUrl, provider, m.ortBuild, true),
        bytes: (onnx) => owner.session(`${m.card.onnx.sha256}:${provider}:${m.ortBuild ?? ''}`, `adapted:${m.id}`, () => createSession(onnx, { provider, wasmPaths: '/ort/', threads: wasmThreads, ortBuild: m.ortBuild })),
      },
      {
        onPhase: (phase) => post({ type: 'adaptPhase', id: m.id, phase }),
        onStep: (report) => post({ type: 'adaptStep', id: m.id, report }),
        onCheckpoint: (checkpoint) => post({ type: 'adaptCheckpoint', id: m.id, checkpoint }),
        signal: ctl.signal,
        between: yieldToEvents,
      },
    );
    const transfer = [out.files.onnx.buffer, ...(out.files.attention ? [out.files.attention.buffer] : [])];
    post({ type: 'adapted', id: m.id, files: out.files, before: out.before, after: out.after, heldOutSlices: out.heldOutSlices, seconds: out.seconds, trainSeconds: out.trainSeconds, steps: m.settings.steps - (m.resume?.step ?? 0), provider: m.provider }, transfer);
  } catch (e) {
    post({ type: 'adaptFailed', id: m.id, message: errorText(e), cancelled: ctl.signal.aborted });
  } finally {
    if (adaptController === ctl) adaptController = null;
    // The training graph holds its own copy of the network and its buffers: free them until the next run.
    if (m.card.adaptation) await owner.releaseKey(m.card.adaptation.sha256).catch(() => undefined);
  }
}

/** Scores a result against a reference on the open volume's grid: Dice first, HD95 with progress, then the disagreement map. */
async function compare(m: Extract<ToWorker, { type: 'compare' }>): Promise<void> {
  try {
    const v = volumeOf(m.volumeId);
    const { rows, disagreement } = await analyse(m.pred, m.ref, v, m.labelInfo, {
      dice: (r) => post({ type: 'compareDice', compareId: m.compareId, rows: r }),
      progress: (done, total) => post({ type: 'compareProgress', compareId: m.compareId, done, total }),
    }, yieldToEvents);
    post({ type: 'compareDone', compareId: m.compareId, rows, disagreement }, [disagreement.map.buffer]);
  } catch (e) {
    post({ type: 'error', message: `Comparison: ${errorText(e)}`, during: 'compare' });
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.type === 'open') open(m);
    else if (m.type === 'segment') void segment(m);
    else if (m.type === 'warm') warm(m);
    else if (m.type === 'cancel') {
      controller?.abort();
      adaptController?.abort();
    }
    else if (m.type === 'attention') void attention(m.voxel, m.level);
    else if (m.type === 'compare') void compare(m);
    else if (m.type === 'gradients') void gradients(m);
    else if (m.type === 'adapt') void adapt(m);
    else post({ type: 'error', message: `worker: unknown message type ${JSON.stringify((m as { type?: unknown }).type)}`, during: 'message' });
  } catch (err) {
    post({ type: 'error', message: errorText(err), during: m?.type ?? 'message' });
  }
};
scope.onerror = (e) => {
  post({ type: 'error', message: typeof e === 'string' ? e : e.message, during: 'worker' });
};
scope.addEventListener('unhandledrejection', (e) => {
  post({ type: 'error', message: errorText(e.reason), during: 'worker' });
});
