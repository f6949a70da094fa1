/**
 * Training runtime on onnxruntime-node: one forward+backward session (outputs: loss and the gradient
 * of every parameter) and one forward-only session (validation, export), both built from the same
 * model-building function. Parameters live in Float32Arrays here and are fed as graph inputs.
 */
import { Graph, backward, initialise, paramSeed, serializeGraph, type Value } from '../graph';
import { createSession, type HostTensor, type Session } from '../infer/runtime/backend';
import type { Optimizer, Tensors } from './optim';

/** Builds the network; `train` graphs must set `loss`, `infer` graphs their outputs on the graph. */
export type BuildFn = (mode: 'train' | 'infer') => { graph: Graph; loss?: Value };

export interface RuntimeOptions {
  seed: number;
  threads?: number;
}

export const GRAD_PREFIX = 'grad.';

/**
 * The training graph: the network's loss, differentiated, with the loss and every parameter's gradient
 * (`grad.<name>`) as outputs. Parameters stay graph inputs when it is serialized with `paramsAs: 'inputs'`.
 */
export function trainGraphWithGrads(build: BuildFn): Graph {
  const t = build('train');
  if (!t.loss) throw new Error('TrainingRuntime: the train graph must return a loss');
  const ps = t.graph.paramList().map((p) => p.value);
  const grads = backward(t.graph, t.loss, ps);
  t.graph.output(t.loss, 'loss');
  for (const p of ps) t.graph.output(grads.get(p.name) as Value, GRAD_PREFIX + p.name);
  return t.graph;
}

export class TrainingRuntime {
  readonly params: Tensors = new Map();
  readonly trainGraph: Graph;
  readonly inferGraph: Graph;
  private trainSession?: Session;
  private inferSession?: Session;

  constructor(build: BuildFn, private readonly opts: RuntimeOptions) {
    this.trainGraph = trainGraphWithGrads(build);
    for (const p of this.trainGraph.paramList()) {
      const n = p.value.shape.reduce((a, b) => a * b, 1);
      this.params.set(p.value.name, initialise(p.init, n, paramSeed(p.value.name, opts.seed)));
    }
    this.inferGraph = build('infer').graph;
  }

  private feeds(extra: Record<string, HostTensor>, g: Graph): Record<string, HostTensor> {
    const f: Record<string, HostTensor> = { ...extra };
    for (const p of g.paramList()) {
      const data = this.params.get(p.value.name);
      if (!data) throw new Error(`TrainingRuntime: no value for parameter '${p.value.name}'`);
      f[p.value.name] = { data, dims: p.value.shape };
    }
    return f;
  }

  async ready(): Promise<void> {
    const threads = this.opts.threads;
    if (!this.trainSession) this.trainSession = await createSession(serializeGraph(this.trainGraph, { paramsAs: 'inputs' }).model, { provider: 'cpu', threads });
    if (!this.inferSession) this.inferSession = await createSession(serializeGraph(this.inferGraph, { paramsAs: 'inputs' }).model, { provider: 'cpu', threads });
  }

  /** Forward + backward: the loss, every parameter's gradient, and any other requested outputs. */
  async lossAndGrads(inputs: Record<string, HostTensor>): Promise<{ loss: number; grads: Tensors }> {
    await this.ready();
    const res = await (this.trainSession as Session).run(this.feeds(inputs, this.trainGraph));
    const grads: Tensors = new Map();
    for (const [k, v] of Object.entries(res)) if (k.startsWith(GRAD_PREFIX)) grads.set(k.slice(GRAD_PREFIX.length), v.data);
    return { loss: res.loss.data[0], grads };
  }

  /** One optimisation step. Throws (and changes nothing) when the loss or a gradient is not finite. */
  async step(inputs: Record<string, HostTensor>, optimizer: Optimizer, lr: number, clip?: (g: Tensors) => number): Promise<{ loss: number; gradNorm: number }> {
    const { loss, grads } = await this.lossAndGrads(inputs);
    const gradNorm = clip ? clip(grads) : NaN;
    if (!Number.isFinite(loss) || (clip && !Number.isFinite(gradNorm))) {
      throw new NonFiniteError(`training diverged: loss ${loss}, gradient norm ${gradNorm}; lower the learning rate or resume from the last checkpoint`);
    }
    optimizer.step(this.params, grads, lr);
    return { loss, gradNorm };
  }

  /** Forward-only run of the inference graph with the current parameters. */
  async infer(inputs: Record<string, HostTensor>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    await this.ready();
    return (this.inferSession as Session).run(this.feeds(inputs, this.inferGraph));
  }

  async release(): Promise<void> {
    await this.trainSession?.release();
    await this.inferSession?.release();
    this.trainSession = this.inferSession = undefined;
  }
}

export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
}
