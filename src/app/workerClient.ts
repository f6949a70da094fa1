/** Owns the inference worker and turns its messages into store actions. */
import type { AdaptDone, AdaptPhase, FromWorker, ToWorker } from './protocol';
import type { AdaptCheckpoint, StepReport } from '../infer/adapt/loop';
import type { LabelInfo } from '../infer/contract/modelCard';
import {
  type WorkbenchStore, attentionReady, failed, progressed, runEngine, runFailed, segmentationCancelled, segmentationDone, setLoading, comparisonDone, loadFinished,
  diceScored, hd95Progressed, referenceScored,
} from './state';

export interface GradientsResult {
  loss: number;
  grads: Record<string, Float32Array>;
  provider: string;
  build: string;
}

/** What an adaptation reports while it runs. */
export interface AdaptListener {
  phase(p: AdaptPhase): void;
  step(r: StepReport): void;
  checkpoint(c: AdaptCheckpoint): void;
}

export class WorkerClient {
  private worker: Worker | null = null;
  /** The segmentation run whose replies are current; replies of older runs are dropped. */
  private currentRun = 0;

  /** The comparison whose replies are current, and whether its map shows when it is done. */
  private currentCompare = 0;
  private showCompare = false;

  /** Training-graph passes waiting for their reply, by id. */
  private pendingGradients = new Map<number, { resolve: (r: GradientsResult) => void; reject: (e: Error) => void }>();
  private nextRequest = 0;
  /** Adaptations waiting for their outcome, by id. */
  private pendingAdapt = new Map<number, { resolve: (r: AdaptDone) => void; reject: (e: Error & { cancelled?: boolean }) => void; on: AdaptListener }>();

  /** `volumeId` names the volume open in the worker (comparisons are scored on its grid). */
  constructor(private readonly s: WorkbenchStore, private readonly volumeId: () => number) {}

  /** Scores `pred` against `ref` in the worker; the replies fill the review slice (started by `referenceScoring`). */
  compare(pred: Uint8Array, ref: Uint8Array, labelInfo: LabelInfo[], show: boolean): void {
    this.showCompare = show;
    this.send({ type: 'compare', compareId: ++this.currentCompare, volumeId: this.volumeId(), pred, ref, labelInfo }, [pred.buffer, ref.buffer]);
  }

  /** One forward and backward pass of `card`'s training graph in the worker (adaptation's step). */
  gradients(req: Omit<Extract<ToWorker, { type: 'gradients' }>, 'type' | 'id'>): Promise<GradientsResult> {
    const id = ++this.nextRequest;
    return new Promise((resolve, reject) => {
      this.pendingGradients.set(id, { resolve, reject });
      this.send({ type: 'gradients', id, ...req });
    });
  }

  /** Teaches the model in the worker (adaptRun.ts); rejects with `cancelled` set when stopped by `cancel`. */
  adapt(req: Omit<Extract<ToWorker, { type: 'adapt' }>, 'type' | 'id'>, on: AdaptListener): Promise<AdaptDone> {
    const id = ++this.nextRequest;
    return new Promise((resolve, reject) => {
      this.pendingAdapt.set(id, { resolve, reject, on });
      this.send({ type: 'adapt', id, ...req });
    });
  }

  private get(): Worker {
    if (!this.worker) {
      const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'fine-inference' });
      w.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        runFailed(this.s, `Inference worker failed: ${e.message || 'it could not start (see the browser console)'}`);
        for (const p of [...this.pendingGradients.values(), ...this.pendingAdapt.values()]) p.reject(new Error(`Inference worker failed: ${e.message}`));
        this.pendingGradients.clear();
        this.pendingAdapt.clear();
      };
      w.onmessageerror = () => failed(this.s, 'Inference worker sent a message that could not be read');
      this.worker = w;
    }
    return this.worker;
  }

  send(m: ToWorker, transfer: Transferable[] = []): void {
    if (m.type === 'segment') this.currentRun = m.runId;
    this.get().postMessage(m, transfer);
  }

  /** Forgets the current run: whatever it still sends is ignored. */
  abandonRun(): void {
    this.currentRun = -1;
  }

  private receive(m: FromWorker): void {
    const s = this.s;
    if ('runId' in m && m.runId !== undefined && m.runId !== this.currentRun) return;
    switch (m.type) {
      case 'gradients':
      case 'gradientsFailed': {
        const p = this.pendingGradients.get(m.id);
        this.pendingGradients.delete(m.id);
        if (m.type === 'gradients') p?.resolve({ loss: m.loss, grads: m.grads, provider: m.provider, build: m.build ?? m.provider });
        else p?.reject(new Error(m.message));
        break;
      }
      case 'adaptPhase':
        this.pendingAdapt.get(m.id)?.on.phase(m.phase);
        break;
      case 'adaptStep':
        this.pendingAdapt.get(m.id)?.on.step(m.report);
        break;
      case 'adaptCheckpoint':
        this.pendingAdapt.get(m.id)?.on.checkpoint(m.checkpoint);
        break;
      case 'adapted':
      case 'adaptFailed': {
        const p = this.pendingAdapt.get(m.id);
        this.pendingAdapt.delete(m.id);
        if (m.type === 'adapted') {
          const { type: _t, id: _i, ...done } = m;
          p?.resolve(done);
        } else p?.reject(Object.assign(new Error(m.message), { cancelled: m.cancelled }));
        break;
      }
      case 'phase':
        if (m.phase === 'fetching-model' && s.getState().status !== 'running') setLoading(s);
        break;
      case 'progress':
        progressed(s, m.done, m.total, m.elapsedSeconds);
        break;
      case 'done': {
        segmentationDone(s, m.labels, m.labelInfo, m.volumesMl, m.warnings);
        const base = comparisonDone(s);
        if (base) this.compare(m.labels.slice(), base.labels, m.labelInfo, true);
        runEngine(s, { provider: m.provider, build: m.build ?? m.provider, threads: m.threads ?? 1, seconds: m.seconds, outsideRunSeconds: m.outsideRunSeconds ?? 0, stages: m.stages });
        break;
      }
      case 'cancelled':
        segmentationCancelled(s);
        break;
      case 'attention':
        attentionReady(s, m.heat, m.level, m.voxel);
        loadFinished(s);
        break;
      // A comparison's replies count while it is the latest one and its result is still shown (a new run or volume clears it).
      case 'compareDice':
        if (m.compareId === this.currentCompare && s.getState().analysis) diceScored(s, m.rows);
        break;
      case 'compareProgress':
        if (m.compareId === this.currentCompare && s.getState().analysis) hd95Progressed(s, m.done, m.total);
        break;
      case 'compareDone':
        if (m.compareId === this.currentCompare && s.getState().analysis) referenceScored(s, m.rows, m.disagreement, this.showCompare);
        break;
      case 'error':
        // A failed run (or a dead worker) ends the run; a failed attention map or session release does not.
        if (m.during === 'segmentation' || m.during === 'worker' || m.during === 'message') runFailed(s, m.message);
        else failed(s, m.message);
        break;
    }
  }
}
