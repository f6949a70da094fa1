/**
 * Crops prepared ahead: a worker thread computes step s+1..s+depth while step s trains. Crop s is
 * `sampleCrop(cases, spec, cropSeed(seed, s))` whichever thread makes it, so a run gives the same
 * crops with or without the worker, and a resumed run continues the same sequence. depth 0 prepares
 * each crop on the calling thread.
 */
import type { Worker } from 'node:worker_threads';
import { tsWorker } from '../util/tsWorker';
import type { TrainCase } from './data';
import { type Crop, type SamplerSpec, cropSeed, sampleCrop } from './sampler';

type Reply = { step: number; crop?: Crop; error?: string };

export class CropQueue {
  private worker?: Worker;
  private readonly pending = new Map<number, { resolve: (c: Crop) => void; reject: (e: Error) => void; promise: Promise<Crop> }>();
  private failed?: Error;

  constructor(private readonly cases: readonly TrainCase[], private readonly spec: SamplerSpec, private readonly seed: number, private readonly depth: number) {
    if (depth > 0) {
      this.worker = tsWorker(new URL('./cropWorker.ts', import.meta.url), { cases, spec });
      this.worker.on('message', (m: Reply) => {
        const p = this.pending.get(m.step);
        if (!p) return;
        if (m.crop) p.resolve(m.crop);
        else p.reject(new Error(`crop worker, step ${m.step}: ${m.error}`));
      });
      this.worker.on('error', (e: Error) => this.fail(e));
      this.worker.on('exit', (code) => { if (code !== 0) this.fail(new Error(`crop worker exited with code ${code}`)); });
    }
  }

  private fail(e: Error): void {
    this.failed = e;
    for (const p of this.pending.values()) p.reject(e);
  }

  private request(step: number): void {
    if (this.pending.has(step) || !this.worker) return;
    let resolve!: (c: Crop) => void, reject!: (e: Error) => void;
    const promise = new Promise<Crop>((res, rej) => { resolve = res; reject = rej; });
    promise.catch(() => undefined);
    this.pending.set(step, { resolve, reject, promise });
    this.worker.postMessage({ step, seed: cropSeed(this.seed, step) });
  }

  /** The crop of `step`; asks for the next `depth` steps' crops too. */
  async get(step: number): Promise<Crop> {
    if (!this.worker) return sampleCrop(this.cases, this.spec, cropSeed(this.seed, step));
    if (this.failed) throw this.failed;
    for (let s = step; s <= step + this.depth; s++) this.request(s);
    const p = this.pending.get(step) as { promise: Promise<Crop> };
    const crop = await p.promise;
    this.pending.delete(step);
    return crop;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.pending.clear();
    if (w) await w.terminate();
  }
}
