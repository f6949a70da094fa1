/**
 * A tiny conv + window-attention network, trained by the runtime, learns a task that needs context
 * across a whole 4x4x4 window: label a voxel 1 when its window holds a bright spot anywhere. A 3x3x3
 * conv alone sees too little; chance-level cross-entropy is ln 2 = 0.69.
 */
import { describe, expect, it } from 'vitest';
import { Graph, gelu, linear, normal, ops as o, rng, softmaxCrossEntropy } from '../../src/graph';
import { fineBlock } from '../../src/model/blocks';
import { adamw } from '../../src/trainer/optim';
import { TrainingRuntime } from '../../src/trainer/runtime';

const N = 8, W = 4;

function sample(r: () => number): { x: Float32Array; t: Float32Array } {
  const x = new Float32Array(N ** 3), lab = new Uint8Array(N ** 3);
  for (let i = 0; i < x.length; i++) x[i] = 0.3 * normal(r);
  for (let wz = 0; wz < 2; wz++) for (let wy = 0; wy < 2; wy++) for (let wx = 0; wx < 2; wx++) {
    if (r() < 0.5) continue;
    const p = [wz * W + Math.floor(r() * W), wy * W + Math.floor(r() * W), wx * W + Math.floor(r() * W)];
    x[(p[0] * N + p[1]) * N + p[2]] = 3;
    for (let z = 0; z < W; z++) for (let y = 0; y < W; y++) for (let xx = 0; xx < W; xx++) lab[((wz * W + z) * N + wy * W + y) * N + wx * W + xx] = 1;
  }
  const t = new Float32Array(2 * N ** 3);
  for (let i = 0; i < lab.length; i++) t[lab[i] * N ** 3 + i] = 1;
  return { x, t };
}

function build(mode: 'train' | 'infer') {
  const g = new Graph('convergence');
  const x = g.input('image', [1, 1, N, N, N]);
  const w = g.param('conv.weight', [8, 1, 3, 3, 3], { kind: 'normal', std: 0.3 });
  const h = o.transpose(g, gelu(g, o.conv(g, x, w, undefined, { pads: [1, 1, 1, 1, 1, 1] })), [0, 2, 3, 4, 1]);
  const y = fineBlock(g, h, undefined, { name: 'blk', dim: 8, heads: 2, window: [W, W, W], shift: [0, 0, 0], mlpHidden: 16, windowTokens: 0 }).x;
  const logits = o.transpose(g, linear(g, y, 'head', 8, 2), [0, 4, 1, 2, 3]);
  if (mode === 'infer') {
    g.output(logits, 'logits');
    return { graph: g };
  }
  return { graph: g, loss: softmaxCrossEntropy(g, logits, g.input('target', [1, 2, N, N, N])) };
}

describe('training runtime convergence', () => {
  it('conv + window attention learns a window-context task to well below chance', async () => {
    const rt = new TrainingRuntime(build, { seed: 3, threads: 1 });
    const r = rng(11);
    const evalSet = Array.from({ length: 8 }, () => sample(r));
    const meanLoss = async (): Promise<number> => {
      let s = 0;
      for (const e of evalSet) s += (await rt.lossAndGrads({ image: { data: e.x, dims: [1, 1, N, N, N] }, target: { data: e.t, dims: [1, 2, N, N, N] } })).loss;
      return s / evalSet.length;
    };
    const before = await meanLoss();
    const opt = adamw(0.9, 0.999, 0);
    for (let step = 0; step < 1500; step++) {
      const s = sample(r);
      await rt.step({ image: { data: s.x, dims: [1, 1, N, N, N] }, target: { data: s.t, dims: [1, 2, N, N, N] } }, opt, 3e-3);
    }
    const after = await meanLoss();
    await rt.release();
    expect(before).toBeGreaterThan(0.5);
    expect(after).toBeLessThan(0.15);
  });
});
