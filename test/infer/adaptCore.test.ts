import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type AdaptScan, adaptCrop, inputRoles, organVoxels, CROP_DEFAULTS } from '../../src/infer/adapt/crops';
import { adaptScan, splitForHoldOut } from '../../src/infer/adapt/scan';
import { type AdaptCheckpoint, adaptLoop, adaptSettings } from '../../src/infer/adapt/loop';
import type { Tensors } from '../../src/infer/adapt/optim';
import { parseModelCard } from '../../src/infer/contract/cardCheck';
import type { Vec3 } from '../../src/infer/io/niftiHeader';
import { makeNiftiHeader } from '../../src/infer/io/niftiHeader';
import type { NiftiVolume } from '../../src/infer/io/nifti';
import { makePhantom } from '../../src/infer/synthetic/phantom';

const card = parseModelCard(JSON.parse(readFileSync('models/fine-tiny.json', 'utf8')), 'fine-tiny.json');
const ad = card.adaptation!;
const fullTarget = ad.inputs.find((x) => x.shape.length === 5 && x.shape[1] === card.labels.length && x.shape[2] === card.patchSize[2])!.name;

function phantomVolume(dims: Vec3, spacing: Vec3, seed: number): { volume: NiftiVolume; labels: Uint8Array } {
  const p = makePhantom({ dims, spacing, seed });
  const affine = [spacing[0], 0, 0, 0, 0, spacing[1], 0, 0, 0, 0, spacing[2], 0, 0, 0, 0, 1];
  return { volume: { dims, spacing, data: p.image, affine, datatype: 16, header: makeNiftiHeader(dims, spacing), warnings: [] }, labels: p.labels };
}

/** A "model" that missed the spleen in the lower third of the slices: the correction puts it back. */
function corrected(dims: Vec3, seed: number) {
  const { volume, labels } = phantomVolume(dims, [3, 3, 3], seed);
  const model = labels.slice();
  const plane = dims[0] * dims[1];
  for (let i = 0; i < model.length; i++) if (model[i] === 2 && Math.floor(i / plane) % 3 !== 1) model[i] = 0;
  return { volume, labels, model };
}

describe('adaptation crops', () => {
  const { volume, labels, model } = corrected([64, 56, 28], 5);
  const scan = adaptScan(volume, labels, model, card);
  const organs = organVoxels(scan);
  const spec = { card, inputs: ad.inputs, ...CROP_DEFAULTS };

  it('carries the corrected labels and the changed voxels to the model grid', () => {
    let spleenChanged = 0;
    for (const v of scan.changed) if (scan.labels[v] === 2) spleenChanged++;
    expect(scan.changed.length).toBeGreaterThan(100);
    expect(spleenChanged).toBe(scan.changed.length);
    expect(scan.labels.some((l) => l === 2)).toBe(true);
    expect(scan.labels.every((l) => l < card.labels.length)).toBe(true);
  });

  it('names every input of the training graph, and feeds one-hot targets that sum to one per voxel', () => {
    const roles = inputRoles(card, ad.inputs);
    const kinds = [...roles.values()].map((r) => r.kind);
    expect(kinds.filter((k) => k === 'target').length).toBe(ad.inputs.filter((x) => x.name.startsWith('target')).length);
    expect(kinds.filter((k) => k !== 'target').sort()).toEqual(['image', 'seen', 'vt']);
    const feeds = adaptCrop([scan], [organs], spec, 3, 0);
    for (const x of ad.inputs) expect(feeds[x.name].dims).toEqual(x.shape);
    for (const [name, r] of roles) {
      if (r.kind !== 'target') continue;
      const t = feeds[name].data as Float32Array, C = card.labels.length, n = t.length / C;
      for (let v = 0; v < n; v += 97) {
        let s = 0;
        for (let c = 0; c < C; c++) s += t[c * n + v];
        expect(s).toBeCloseTo(1, 5);
      }
    }
  });

  it('is a pure function of (seed, step), and steps differ', () => {
    const a = adaptCrop([scan], [organs], spec, 3, 7), b = adaptCrop([scan], [organs], spec, 3, 7), c = adaptCrop([scan], [organs], spec, 3, 8);
    expect(Buffer.from((a.image.data as Float32Array).buffer).equals(Buffer.from((b.image.data as Float32Array).buffer))).toBe(true);
    expect(Buffer.from((a.image.data as Float32Array).buffer).equals(Buffer.from((c.image.data as Float32Array).buffer))).toBe(false);
  });

  it('centres crops on corrected voxels: with every crop there (pChanged 1), each shows the corrected spleen', () => {
    let withSpleen = 0;
    for (let step = 0; step < 40; step++) {
      const t = adaptCrop([scan], [organs], { ...spec, pChanged: 1 }, 1, step)[fullTarget].data as Float32Array;
      const n = t.length / card.labels.length;
      if (t.subarray(2 * n, 3 * n).some((x) => x > 0)) withSpleen++;
    }
    expect(withSpleen).toBe(40);
  });

  it('shows nothing of the held-out slices: air and background there', () => {
    const { train, z } = splitForHoldOut(scan);
    expect(z).toBeGreaterThan(0);
    const plane = scan.dims[0] * scan.dims[1];
    expect(train.changed.every((v) => Math.floor(v / plane) < z)).toBe(true);
    // Organs and a bright marker only in the held-out slices: no crop of the training part may show either.
    const labels = scan.labels.slice(), image = scan.image.slice();
    labels.fill(0, 0, z * plane);
    image.fill(1000, z * plane);
    const hidden: AdaptScan = { ...train, labels, image, changed: new Uint32Array(0) };
    for (let step = 0; step < 30; step++) {
      const f = adaptCrop([hidden], [organVoxels(hidden)], spec, 2, step);
      const t = f[fullTarget].data as Float32Array, n = t.length / card.labels.length;
      expect(t.subarray(n).every((x) => x === 0)).toBe(true);
      expect(Math.max(...(f.image.data as Float32Array))).toBeLessThan(100);
    }
  });

  it('refuses a scan without corrections, and corrections all on one slice', () => {
    const none = adaptScan(volume, labels, labels, card);
    expect(() => splitForHoldOut(none)).toThrow(/Nothing was corrected/);
    const one = labels.slice();
    const plane = 64 * 56;
    const m = labels.slice();
    for (let i = 10 * plane; i < 11 * plane; i++) if (m[i] === 1) m[i] = 0;
    expect(() => splitForHoldOut(adaptScan(volume, one, m, card))).toThrow(/all on one slice/);
  });

  it('holds out from the next corrected slice when most corrections lie on the lowest one', () => {
    const plane = 64 * 56;
    const m = labels.slice();
    let low = 0;
    for (let i = 12 * plane; i < 13 * plane; i++) if (m[i] === 1) { m[i] = 0; low++; }
    m[20 * plane + 2000] = m[20 * plane + 2000] === 5 ? 0 : 5; // one voxel, higher up
    expect(low).toBeGreaterThan(10);
    const s = adaptScan(volume, labels, m, card);
    const { train, z } = splitForHoldOut(s);
    expect(z).toBeGreaterThan(12);
    expect(z).toBeLessThanOrEqual(20);
    expect(train.changed.length).toBeGreaterThan(0);
    expect(s.changed.length - train.changed.length).toBeGreaterThan(0);
  });
});

describe('adaptation loop', () => {
  // A quadratic bowl: loss = |w - target|^2 / 2 per parameter; gradients w - target.
  const base: Tensors = new Map([['a', Float32Array.of(0, 1, 2)], ['b', Float32Array.of(-1)]]);
  const target = new Map([['a', Float32Array.of(1, 1, 1)], ['b', Float32Array.of(1)]]);
  const gradients = (params: Tensors) => {
    let loss = 0;
    const grads: Tensors = new Map();
    for (const [k, p] of params) {
      const g = p.map((x, i) => x - target.get(k)![i]);
      g.forEach((x) => (loss += x * x / 2));
      grads.set(k, g);
    }
    return Promise.resolve({ loss, grads });
  };
  const settings = adaptSettings({ kind: 'adamw', lr: 0.05, beta1: 0.9, beta2: 0.999, weightDecay: 0, anchor: 0, steps: 30 });

  it('lowers the loss and leaves the base weights untouched', async () => {
    const losses: number[] = [];
    const out = await adaptLoop({ settings, base, gradients, crop: () => ({}), onStep: (r) => losses.push(r.loss) });
    expect(losses.length).toBe(30);
    expect(losses[29]).toBeLessThan(losses[0] / 2);
    expect([...base.get('a')!]).toEqual([0, 1, 2]);
    expect(out.params.get('b')![0]).toBeGreaterThan(-1);
  });

  it('resumed from a checkpoint, ends exactly where an uninterrupted run ends', async () => {
    const whole = await adaptLoop({ settings, base, gradients, crop: () => ({}) });
    const checkpoints: AdaptCheckpoint[] = [];
    const ctl = new AbortController();
    await expect(adaptLoop({
      settings, base, gradients, crop: () => ({}), checkpointEvery: 10, signal: ctl.signal,
      onCheckpoint: (c) => {
        checkpoints.push(c);
        ctl.abort();
      },
    })).rejects.toThrow(/stopped after 10 of 30/);
    expect(checkpoints.map((c) => c.step)).toEqual([10]);
    const resumed = await adaptLoop({ settings, base, gradients, crop: () => ({}), resume: checkpoints[0] });
    for (const [k, v] of whole.params) expect([...resumed.params.get(k)!]).toEqual([...v]);
    expect(resumed.losses).toEqual(whole.losses);
  });

  it('pulls toward the base weights with the anchor, and stops on a non-finite loss', async () => {
    const free = await adaptLoop({ settings, base, gradients, crop: () => ({}) });
    const held = await adaptLoop({ settings: { ...settings, anchor: 5 }, base, gradients, crop: () => ({}) });
    const dist = (t: Tensors) => Math.abs(t.get('b')![0] + 1);
    expect(dist(held.params)).toBeLessThan(dist(free.params));
    await expect(adaptLoop({ settings, base, gradients: () => Promise.resolve({ loss: NaN, grads: new Map() }), crop: () => ({}) })).rejects.toThrow(/loss is NaN at step 1/);
  });
});
