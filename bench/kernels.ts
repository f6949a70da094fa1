/**
 * Training-side measurements on onnxruntime-node: a 3-D conv layer and a FINE window-attention block
 * (forward, forward+backward, their ratio, GFLOP/s), and the default preset on a training crop.
 */
import { Graph, backward, matmulFlops, normal, ops as o, rng, serializeGraph, type Value } from '../src/graph';
import { createSession, type HostTensor } from '../src/infer/runtime/backend';
import { buildModel, makeConfig } from '../src/model';
import { fineBlock } from '../src/model/blocks';
import { TrainingRuntime } from '../src/trainer/runtime';
import { median } from './stats';

export interface KernelResult {
  fwdMs: number;
  fwdBwdMs: number;
  ratio: number;
  fwdGflops: number;
  fwdBwdGflops: number;
}

function randomFeeds(values: readonly Value[], seed: number): Record<string, HostTensor> {
  const r = rng(seed);
  const f: Record<string, HostTensor> = {};
  for (const v of values) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    f[v.name] = v.dtype === 'int64' ? { data: new BigInt64Array(n), dims: v.shape } : { data: Float32Array.from({ length: n }, () => 0.1 * normal(r)), dims: v.shape };
  }
  return f;
}

async function timeRuns(model: Uint8Array, feeds: Record<string, HostTensor>, runs: number, threads: number): Promise<number> {
  const s = await createSession(model, { provider: 'cpu', threads });
  await s.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await s.run(feeds);
    times.push(performance.now() - t);
  }
  await s.release();
  return median(times);
}

/** Times `build`'s output forward-only and with the backward graph of sum(out * R) appended. */
export async function measureLayer(build: (g: Graph) => Value, runs = 5, threads = 2): Promise<KernelResult> {
  const fwd = new Graph('fwd');
  fwd.output(build(fwd), 'y');
  const flops = matmulFlops(fwd);
  const bwd = new Graph('bwd');
  const y = build(bwd);
  const loss = o.reduceSum(bwd, o.mul(bwd, y, bwd.constant(new Float32Array(y.shape.reduce((a, b) => a * b, 1)).fill(1e-3), y.shape)), [...y.shape.keys()], false);
  const n0 = bwd.nodes.length;
  const grads = backward(bwd, loss, bwd.paramList().map((p) => p.value));
  const bwdFlops = matmulFlops(bwd, n0);
  bwd.output(loss, 'loss');
  for (const [k, v] of grads) bwd.output(v, `grad.${k}`);
  const inputs = [...fwd.inputs, ...fwd.paramList().map((p) => p.value)];
  const feeds = randomFeeds(inputs, 1);
  const fwdMs = await timeRuns(serializeGraph(fwd, { paramsAs: 'inputs' }).model, feeds, runs, threads);
  const fwdBwdMs = await timeRuns(serializeGraph(bwd, { paramsAs: 'inputs' }).model, feeds, runs, threads);
  return { fwdMs, fwdBwdMs, ratio: fwdBwdMs / fwdMs, fwdGflops: flops / fwdMs / 1e6, fwdBwdGflops: (flops + bwdFlops) / fwdBwdMs / 1e6 };
}

/** Conv3D c->c, 3x3x3, same padding, on a (x, y, z) volume; the input needs no gradient. */
export const convLayer = (c: number, x: number, y: number, z: number) => (g: Graph): Value =>
  o.conv(g, g.input('x', [1, c, z, y, x]), g.param('w', [c, c, 3, 3, 3], { kind: 'normal', std: 0.05 }), g.param('b', [c], { kind: 'zeros' }), { pads: [1, 1, 1, 1, 1, 1] });

/** One FINE block on the small preset's first stage: 16^3 tokens, C = 32, windows of 4^3, window tokens. */
export const attentionBlock = (g: Graph): Value => {
  const x = g.param('tokens', [1, 16, 16, 16, 32], { kind: 'normal', std: 1 });
  const w = g.param('window_tokens', [64, 1, 32], { kind: 'normal', std: 1 });
  const vt = g.param('volume_tokens', [1, 16, 32], { kind: 'normal', std: 1 });
  return fineBlock(g, x, w, { name: 'blk', dim: 32, heads: 2, window: [4, 4, 4], shift: [2, 2, 2], mlpHidden: 96, windowTokens: 1, volumeTokens: vt }).x;
};

/** The default preset (small, fine) on one training crop: forward-only vs forward+backward. */
export async function measureDefaultPreset(runs = 5, threads = 2): Promise<{ fwdMs: number; fwdBwdMs: number; ratio: number; gflops: number }> {
  const cfg = makeConfig('small');
  const rt = new TrainingRuntime((m) => buildModel(cfg, m), { seed: 1, threads });
  const feeds = randomFeeds(rt.trainGraph.inputs, 2);
  const inferFeeds = Object.fromEntries(rt.inferGraph.inputs.map((v) => [v.name, feeds[v.name]]));
  const fwd: number[] = [], both: number[] = [];
  await rt.lossAndGrads(feeds);
  await rt.infer(inferFeeds);
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await rt.infer(inferFeeds);
    fwd.push(performance.now() - t);
    t = performance.now();
    await rt.lossAndGrads(feeds);
    both.push(performance.now() - t);
  }
  await rt.release();
  const fwdMs = median(fwd), fwdBwdMs = median(both);
  return { fwdMs, fwdBwdMs, ratio: fwdBwdMs / fwdMs, gflops: matmulFlops(rt.inferGraph) / fwdMs / 1e6 };
}
