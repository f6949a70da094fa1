/**
 * The inference worker: fetches and verifies the model once, keeps one session per (model, provider),
 * runs the sliding window with progress messages, cancels between tiles, and computes attention maps.
 * Every failure is posted as an `error` message; nothing fails silently.
 */
import type { AttentionLevel } from '../infer/attention/attentionMap';
import { type Provider, type Session, checkProvider, createSession } from '../infer/runtime/backend';
import type { ModelCard } from '../infer/contract/modelCard';
import type { NiftiVolume, Vec3 } from '../infer/io/nifti';
import { type Preprocessed, preprocess, segmentVolume } from '../infer/pipeline';
import { tileFeeds } from '../infer/runtime/tileRunner';
import { attentionHeat } from './attentionRun';
import { fetchVerifiedOnnx } from './modelFiles';
import type { FromWorker, ToWorker } from './protocol';
import type { Backend } from './store';

interface WorkerScope {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  onerror: ((e: ErrorEvent | string) => void) | null;
  addEventListener(type: 'unhandledrejection', fn: (e: PromiseRejectionEvent) => void): void;
}
const scope = self as unknown as WorkerScope;

const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const sessions = new Map<string, Promise<Session>>();
let controller: AbortController | null = null;
let last: { volume: NiftiVolume; card: ModelCard; cardUrl: string; provider: Backend; pre?: Preprocessed } | null = null;

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
let wasmThreads = 1;

function session(ref: ModelCard['onnx'], cardUrl: string, provider: Provider): Promise<Session> {
  const key = `${ref.sha256}:${provider}`;
  let s = sessions.get(key);
  if (!s) {
    s = (async () => {
      post({ type: 'phase', phase: 'fetching-model' });
      const bytes = await fetchVerifiedOnnx(ref, cardUrl);
      post({ type: 'phase', phase: 'creating-session' });
      return createSession(bytes, { provider, wasmPaths: '/ort/', threads: wasmThreads });
    })();
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}

async function segment(m: Extract<ToWorker, { type: 'segment' }>): Promise<void> {
  controller?.abort();
  const ctrl = new AbortController();
  controller = ctrl;
  try {
    const provider = checkProvider(m.provider);
    if (sessions.size === 0) wasmThreads = m.threads;
    last = { volume: m.volume, card: m.card, cardUrl: m.cardUrl, provider: m.provider };
    const s = await session(m.card.onnx, m.cardUrl, provider);
    if (ctrl.signal.aborted) throw new DOMException('Segmentation cancelled before the first tile', 'AbortError');
    post({ type: 'phase', phase: 'running' });
    const card = m.card;
    const t0 = performance.now();
    const result = await segmentVolume(
      m.volume,
      card,
      async (image, vt) => {
        await yieldToEvents();
        const out = await s.run(tileFeeds(card, image, vt), [card.io.logits]);
        return out[card.io.logits].data;
      },
      {
        signal: ctrl.signal,
        onProgress: (done, total) => post({ type: 'progress', runId: m.runId, done, total, elapsedSeconds: (performance.now() - t0) / 1000 }),
      },
    );
    post(
      { type: 'done', runId: m.runId, labelInfo: card.labels, labels: result.labels, volumesMl: result.volumesMl, seconds: result.seconds, tiles: result.tiles, warnings: result.warnings, provider: m.provider },
      [result.labels.buffer],
    );
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') post({ type: 'cancelled', runId: m.runId, message: e.message });
    else post({ type: 'error', message: message(e), during: 'segmentation', runId: m.runId });
  } finally {
    if (controller === ctrl) controller = null;
  }
}

async function attention(voxel: Vec3, level: AttentionLevel): Promise<void> {
  try {
    if (!last) throw new Error('Run a segmentation first: the attention map uses the volume and model of the last run');
    const att = last.card.attention;
    if (!att) throw new Error(`${last.card.name}: this model card has no "attention" export; pick a model with one`);
    const s = await session(att, last.cardUrl, checkProvider(last.provider));
    post({ type: 'phase', phase: 'attention' });
    last.pre ??= preprocess(last.volume, last.card);
    const heat = await attentionHeat(s, last.card, last.pre, voxel, level);
    post({ type: 'attention', voxel, level, heat }, [heat.buffer]);
  } catch (e) {
    post({ type: 'error', message: message(e), during: 'attention' });
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.type === 'segment') void segment(m);
    else if (m.type === 'cancel') controller?.abort();
    else if (m.type === 'attention') void attention(m.voxel, m.level);
    else post({ type: 'error', message: `worker: unknown message type ${JSON.stringify((m as { type?: unknown }).type)}`, during: 'message' });
  } catch (err) {
    post({ type: 'error', message: message(err), during: m?.type ?? 'message' });
  }
};
scope.onerror = (e) => {
  post({ type: 'error', message: typeof e === 'string' ? e : e.message, during: 'worker' });
};
scope.addEventListener('unhandledrejection', (e) => {
  post({ type: 'error', message: message(e.reason), during: 'worker' });
});
