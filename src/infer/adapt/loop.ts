/**
 * The adaptation loop, one implementation for the app's worker and `npm run adapt`: each step draws its
 * crop (crops.ts), asks the caller's training graph for the loss and gradients, pulls them toward the
 * base weights (L2-SP), clips them and takes an AdamW step. A checkpoint holds the weights and the
 * optimiser's moments; since a step's crop depends only on (seed, step), a resumed run continues
 * exactly where it stopped.
 */
import type { AdaptationExport } from '../contract/modelCard';
import type { HostTensor } from '../runtime/backend';
import { type Tensors, adamw, clipGradNorm, pullTowardBase } from './optim';

export type AdaptOptimizer = AdaptationExport['optimizer'];

/** The settings of one adaptation, recorded in the adapted model's card. */
export interface AdaptSettings extends AdaptOptimizer {
  seed: number;
  /** Global gradient-norm clip. */
  clip: number;
}

/** The seed and gradient clip of an adaptation unless told otherwise (the app always uses these). */
export const ADAPT_DEFAULTS = { seed: 1, clip: 1 } as const;

/** The card's optimiser settings, with `steps` and the defaults above unless overridden. */
export function adaptSettings(optimizer: AdaptOptimizer, over: Partial<AdaptSettings> = {}): AdaptSettings {
  return { ...optimizer, ...ADAPT_DEFAULTS, ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) };
}

export interface AdaptCheckpoint {
  /** Steps done. */
  step: number;
  params: Tensors;
  optimizer: Tensors;
  losses: number[];
}

export interface StepReport {
  step: number;
  steps: number;
  loss: number;
  /** Seconds left at the mean pace of this run's steps so far. */
  etaSeconds: number;
}

export interface AdaptLoopOptions {
  settings: AdaptSettings;
  /** The base model's weights (not changed). */
  base: Tensors;
  /** The loss and gradients of the current weights on `feeds`. */
  gradients: (params: Tensors, feeds: Record<string, HostTensor>) => Promise<{ loss: number; grads: Tensors }>;
  /** The data feeds of step `step`. */
  crop: (step: number) => Record<string, HostTensor>;
  resume?: AdaptCheckpoint;
  onStep?: (r: StepReport) => void;
  /** Called every `checkpointEvery` steps and at the end. */
  onCheckpoint?: (c: AdaptCheckpoint) => void | Promise<void>;
  checkpointEvery?: number;
  signal?: AbortSignal;
  /** Awaited after every step: lets a worker read a `cancel` message waiting behind the runs. */
  between?: () => Promise<void>;
}

const copy = (t: Tensors): Tensors => new Map([...t].map(([k, v]) => [k, Float32Array.from(v)]));

export async function adaptLoop(o: AdaptLoopOptions): Promise<AdaptCheckpoint> {
  const { settings: st } = o;
  const opt = adamw(st.beta1, st.beta2, st.weightDecay);
  const params = copy(o.resume?.params ?? o.base);
  if (o.resume) opt.load(o.resume.optimizer);
  const losses = [...(o.resume?.losses ?? [])];
  const first = o.resume?.step ?? 0;
  const every = o.checkpointEvery ?? 10;
  const t0 = performance.now();
  const snapshot = (step: number): AdaptCheckpoint => ({ step, params: copy(params), optimizer: copy(opt.state()), losses: [...losses] });
  for (let step = first; step < st.steps; step++) {
    if (o.signal?.aborted) throw new DOMException(`Adaptation stopped after ${step} of ${st.steps} steps`, 'AbortError');
    const { loss, grads } = await o.gradients(params, o.crop(step));
    if (!Number.isFinite(loss)) throw new Error(`adaptation: the loss is ${loss} at step ${step + 1}; lower the learning rate`);
    pullTowardBase(grads, params, o.base, st.anchor);
    clipGradNorm(grads, st.clip);
    opt.step(params, grads, st.lr);
    losses.push(loss);
    await o.between?.();
    const done = step + 1 - first;
    o.onStep?.({ step: step + 1, steps: st.steps, loss, etaSeconds: ((performance.now() - t0) / 1000 / done) * (st.steps - step - 1) });
    if (o.onCheckpoint && ((step + 1) % every === 0 || step + 1 === st.steps)) await o.onCheckpoint(snapshot(step + 1));
  }
  return snapshot(st.steps);
}
