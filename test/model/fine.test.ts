import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, normal, rng, serializeGraph, type RefTensor } from '../../src/graph';
import { createSession, type HostTensor } from '../../src/infer/runtime/backend';
import { CASE_LABELS } from '../../src/infer/contract/labels';
import { OFFICIAL_SWITCHES, buildModel, makeFineConfig, volumeTokenCount, type FineConfig } from '../../src/model';
import { draftCard } from '../../src/trainer/card';
import { exportModel } from '../../src/trainer/export';
import { TrainingRuntime } from '../../src/trainer/runtime';

/** A FINE network small enough for the float64 reference: 4x4x4 tokens, windows of 2. */
const MICRO = { patch: [16, 16, 8], embedDim: 8, depths: [1, 1], heads: [1, 2], window: [2, 2, 2], headChannels: 4, classes: 3, volumeCells: [2, 2], tokensPerCell: 1, mlpRatio: 2 };

function inputs(cfg: FineConfig, seed: number, seen?: Float32Array): Record<string, HostTensor> {
  const r = rng(seed);
  const [px, py, pz] = cfg.patch;
  const feeds: Record<string, HostTensor> = { image: { data: Float32Array.from({ length: px * py * pz }, () => normal(r)), dims: [1, 1, pz, py, px] } };
  if (cfg.variant === 'fine') {
    feeds.vt_index = { data: BigInt64Array.from([0n, 1n, 2n, 3n]), dims: [1, 4] };
    if (!seen) feeds.vt_seen = { data: new Float32Array(volumeTokenCount(cfg)).fill(1), dims: [volumeTokenCount(cfg)] };
  }
  return feeds;
}

describe('FINE configuration', () => {
  it('the official switches change the network: fewer volume tables, shared window tokens, no image branch', () => {
    const names = (over: Record<string, unknown>): string[] => [...buildModel(makeFineConfig('small', over), 'infer').graph.params.keys()];
    const project = names({}), official = names(OFFICIAL_SWITCHES);
    expect(project.filter((n) => n.endsWith('.volume.table')).length).toBeGreaterThan(official.filter((n) => n.endsWith('.volume.table')).length);
    expect(official.some((n) => n.startsWith('head.image'))).toBe(false);
    expect(official.some((n) => n.endsWith('.gmsa_pe'))).toBe(true);
    expect(official.filter((n) => /^stem\.conv\d\.weight$/.test(n)).length).toBe(4);
    expect(names({ variant: 'glam', ...OFFICIAL_SWITCHES }).some((n) => n.endsWith('.mlp2.fc1.weight'))).toBe(true);
    expect(() => makeFineConfig('tiny', { gmsa: 'bare' })).toThrow(/gmsa 'bare': choose residual or official/);
  });

  it('presets are typed records; unknown keys and bad variants throw', () => {
    expect(() => makeFineConfig('tiny', { windw: [2, 2, 2] })).toThrow(/unknown config key 'windw'/);
    expect(() => makeFineConfig('huge')).toThrow(/choose one of: tiny, small, paper/);
    expect(() => makeFineConfig('tiny', { variant: 'swin' })).toThrow(/variant 'swin'/);
  });

  it('variants differ only by memory tokens: nnformer < glam < fine in parameters', () => {
    const count = (variant: string): number => buildModel(makeFineConfig('tiny', { variant }), 'infer').graph.parameterCount();
    const [n, g, f] = ['nnformer', 'glam', 'fine'].map(count);
    expect(n).toBeLessThan(g);
    expect(g).toBeLessThan(f);
  });

  it('the small preset exports below 30 MB', () => {
    const cfg = makeFineConfig('small');
    const rt = new TrainingRuntime((m) => buildModel(cfg, m), { seed: 1 });
    const bytes = serializeGraph(buildModel(cfg, 'infer', new Float32Array(volumeTokenCount(cfg)).fill(1)).graph, { paramsAs: 'initializers', paramValues: rt.params }).model.length;
    expect(bytes).toBeLessThan(30e6);
    expect(bytes).toBeGreaterThan(rt.trainGraph.parameterCount() * 4);
  });
});

describe('FINE forward on onnxruntime-node vs the float64 reference', () => {
  const cases = [
    ...['nnformer', 'glam', 'fine'].map((variant) => ({ label: variant, over: { variant } })),
    { label: 'fine with every official switch', over: { variant: 'fine', ...OFFICIAL_SWITCHES } },
    { label: 'glam with every official switch', over: { variant: 'glam', ...OFFICIAL_SWITCHES } },
  ];
  for (const { label, over } of cases) {
    it(`${label}: logits agree`, async () => {
      const cfg = makeFineConfig('tiny', { ...MICRO, ...over });
      const rt = new TrainingRuntime((m) => buildModel(cfg, m), { seed: 2, threads: 1 });
      // Non-trivial weights everywhere (zero-initialised biases and tables would hide errors).
      const r = rng(9);
      for (const v of rt.params.values()) for (let i = 0; i < v.length; i++) v[i] += 0.05 * normal(r);
      const feeds = inputs(cfg, 4);
      const ort = (await rt.infer(feeds)).logits.data;
      await rt.release();
      const g = rt.inferGraph;
      const ref = new Map<string, RefTensor>();
      for (const [k, v] of rt.params) ref.set(k, { data: Float64Array.from(v), shape: [...(g.params.get(k)?.value.shape ?? [])] });
      for (const [k, v] of Object.entries(feeds)) ref.set(k, { data: Float64Array.from(v.data as ArrayLike<number | bigint>, Number), shape: [...v.dims] });
      const out = evaluate(g, ref, [g.outputs[0]])[0].data;
      let worst = 0, scale = 0;
      out.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - ort[i]));
        scale = Math.max(scale, Math.abs(v));
      });
      expect(scale).toBeGreaterThan(0.01);
      expect(worst / scale).toBeLessThan(1e-4);
    });
  }
});

describe('volume tokens', () => {
  it('FINE output depends on which volume tokens are gathered; unseen tokens are masked out', async () => {
    const cfg = makeFineConfig('tiny', { ...MICRO, variant: 'fine' });
    const rt = new TrainingRuntime((m) => buildModel(cfg, m), { seed: 2, threads: 1 });
    const base = inputs(cfg, 4);
    const a = (await rt.infer(base)).logits.data;
    const moved = (await rt.infer({ ...base, vt_index: { data: BigInt64Array.from([3n, 3n, 3n, 3n]), dims: [1, 4] } })).logits.data;
    expect(a.some((v, i) => Math.abs(v - moved[i]) > 1e-5)).toBe(true);
    // Token 3 unseen: it is still gathered (index 3), but no token attends to it in volume-token attention.
    const seen = { data: Float32Array.from([1, 1, 1, 0]), dims: [4] };
    const idx = { data: BigInt64Array.from([0n, 1n, 2n, 0n]), dims: [1, 4] };
    const before = (await rt.infer({ ...base, vt_seen: seen, vt_index: idx })).logits.data;
    for (const [k, v] of rt.params) if (k.endsWith('.volume.table')) for (let c = 0; c < v.length / 4; c++) v[3 * (v.length / 4) + c] += 5;
    const after = (await rt.infer({ ...base, vt_seen: seen, vt_index: idx })).logits.data;
    await rt.release();
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});

describe('export', () => {
  it('the exported ONNX (weights and warm-up mask baked in) reproduces the training-time forward', async () => {
    const cfg = makeFineConfig('tiny', { ...MICRO, variant: 'fine' });
    const rt = new TrainingRuntime((m) => buildModel(cfg, m), { seed: 2, threads: 1 });
    const r = rng(1);
    for (const v of rt.params.values()) for (let i = 0; i < v.length; i++) v[i] += 0.05 * normal(r);
    const seen = Float32Array.from([1, 0, 1, 1]);
    const feeds = inputs(cfg, 6, seen);
    const train = (await rt.infer({ ...feeds, vt_seen: { data: seen, dims: [4] } })).logits.data;
    await rt.release();
    const dir = mkdtempSync(join(tmpdir(), 'fine-export-'));
    const card = exportModel(join(dir, 'm'), cfg, rt.params, seen, draftCard('m', 'tiny', cfg, CASE_LABELS.slice(0, 3), [3, 3, 3], { clip: [-100, 200], mean: 40, std: 50 }, 0));
    const s = await createSession(new Uint8Array(readFileSync(join(dir, card.onnx.file))), { provider: 'cpu', threads: 1 });
    expect(s.inputNames).toEqual(['image', 'vt_index']);
    const exported = (await s.run(feeds)).logits.data;
    await s.release();
    // Equal up to rounding: onnxruntime runs the exported graph's LayerNorm and GELU as fused kernels,
    // the training graph's unfused (their intermediates feed the backward pass).
    let worst = 0;
    for (let i = 0; i < train.length; i++) worst = Math.max(worst, Math.abs(exported[i] - train[i]) / (1 + Math.abs(train[i])));
    expect(exported.length).toBe(train.length);
    expect(worst).toBeLessThan(1e-5);
    const attn = await createSession(new Uint8Array(readFileSync(join(dir, card.attention?.file ?? ''))), { provider: 'cpu', threads: 1 });
    const taps = await attn.run(feeds);
    await attn.release();
    expect(taps.attn_window.dims).toEqual([8, 9, 9]);
    expect(taps.attn_global.dims).toEqual([1, 12, 12]);
    expect(taps.attn_volume.dims).toEqual([4, 4]);
    // Each attention row is a distribution; the unseen volume token gets no weight.
    expect(taps.attn_volume.data[0 * 4 + 1]).toBeLessThan(1e-6);
    expect(taps.attn_volume.data.slice(0, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});
