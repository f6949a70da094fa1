/** Run slice: the status, progress and errors of what the workbench is doing, and what ran the last segmentation. */
import type { StageSeconds } from '../../infer/pipeline';
import type { Backend } from '../backendChoice';
import { heatCleared } from './attention';
import { resultCleared } from './result';
import { reviewCleared } from './review';
import type { WorkbenchStore } from './store';

export type Status = 'idle' | 'loading' | 'running' | 'done' | 'error';

export interface Progress {
  done: number;
  total: number;
  /** Seconds left at the current tile rate; null before the first tile. */
  etaSeconds: number | null;
}

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

export interface RunState {
  status: Status;
  progress: Progress;
  error: string | null;
  /** What became of the last run when it left no result (a cancelled run says where it stopped); null otherwise. */
  runNote: string | null;
  lastRun: RunEngine | null;
  /** The model of the running segmentation, and of the result shown. */
  runModel: string | null;
  /** Comparing two models: the first model's result, kept while the second runs. */
  compareBase: { model: string; labels: Uint8Array } | null;
}

export const progressCleared: Progress = { done: 0, total: 0, etaSeconds: null };

export const runInitial: RunState = { status: 'idle', progress: progressCleared, error: null, runNote: null, lastRun: null, runModel: null, compareBase: null };

/**
 * A file is being read. During a segmentation the status stays 'running' (Cancel stays on, Segment off):
 * the run is cancelled only once the new volume has been read and replaces the old one.
 */
export function setLoading(s: WorkbenchStore): void {
  if (s.getState().status === 'running') s.setState({ error: null });
  else s.setState({ status: 'loading', error: null });
}

/** Something loading beside a result (an attention session) is ready. */
export function loadFinished(s: WorkbenchStore): void {
  const st = s.getState();
  if (st.status === 'loading') s.setState({ status: st.labels ? 'done' : 'idle' });
}

export function runEngine(s: WorkbenchStore, lastRun: RunEngine): void {
  s.setState({ lastRun });
}

export function segmentationStarted(s: WorkbenchStore, model: string | null = null): void {
  s.setState({ status: 'running', error: null, runNote: null, progress: progressCleared, ...resultCleared, ...heatCleared, ...reviewCleared, runModel: model });
}

/** The next run is the second of a comparison: the result shown now becomes its reference when it ends. */
export function comparisonStarted(s: WorkbenchStore, base: { model: string; labels: Uint8Array }): void {
  s.setState({ compareBase: base });
}

export function progressed(s: WorkbenchStore, done: number, total: number, elapsedSeconds: number): void {
  const etaSeconds = done > 0 ? (elapsedSeconds / done) * (total - done) : null;
  s.setState({ progress: { done, total, etaSeconds } });
}

export function segmentationCancelled(s: WorkbenchStore): void {
  const { done, total } = s.getState().progress;
  const where = total > 0 ? `after ${done} of ${total} tiles` : 'before the first tile';
  s.setState({ status: 'idle', progress: progressCleared, compareBase: null, runNote: `Segmentation cancelled ${where}; no labels were kept. Segment runs it again from the start.` });
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
