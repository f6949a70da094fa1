/** Each augmentation on a small volume with a known answer; the crop sampler's determinism and contract. */
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../src/infer/io/niftiHeader';
import { CASE_LABELS } from '../../src/infer/contract/labels';
import { makeConfig, deepTargetShapes } from '../../src/model';
import { IDENTITY, spatialCrop, spatialMatrix, swapLabels } from '../../src/trainer/augment/spatial';
import { bodyFootprint } from '../../src/trainer/augment/acquisition';
import {
  ENHANCEMENT_HU, addLabelOffsets, addNoise, contrast, contrastOffsets, gammaTransform, gaussianBlur, lowResolution,
} from '../../src/trainer/augment/intensity';
import { MOREDA, NO_AUGMENT, makeTrainConfig } from '../../src/trainer/config';
import { draftCard } from '../../src/trainer/card';
import { labelMedians, type TrainCase } from '../../src/trainer/data';
import { CropQueue } from '../../src/trainer/cropQueue';
import { cropSeed, sampleCrop } from '../../src/trainer/sampler';
import { rng } from '../../src/util/random';

const dims: Vec3 = [10, 8, 6];
const n = dims[0] * dims[1] * dims[2];
const at = (x: number, y: number, z: number) => x + dims[0] * (y + dims[1] * z);
const ramp = Float32Array.from({ length: n }, (_, i) => i);
const labels = Uint8Array.from({ length: n }, (_, i) => (i % dims[0] < 5 ? 3 : 4));

describe('spatialCrop', () => {
  const patch: Vec3 = [4, 4, 2];
  it('the identity on a voxel-aligned centre is an exact crop, with air and background past the border', () => {
    // Crop voxel (i, j, k) reads source centre + (i, j, k) - (patch - 1) / 2.
    const inside = spatialCrop(ramp, labels, dims, [2.5, 3.5, 1.5], patch, IDENTITY, -1000);
    expect(inside.image[0]).toBe(ramp[at(1, 2, 1)]);
    expect(inside.image[3 + 4 * 3 + 16]).toBe(ramp[at(4, 5, 2)]);
    expect(inside.labels[3]).toBe(3);
    const edge = spatialCrop(ramp, labels, dims, [0.5, 1.5, 0.5], patch, IDENTITY, -1000);
    expect(edge.image[0]).toBe(-1000); // source x = -1
    expect(edge.labels[0]).toBe(0);
    expect(edge.image[1]).toBe(ramp[at(0, 0, 0)]);
  });

  it('rotates 90 degrees about z: crop +x reads source +y', () => {
    const p = { ...IDENTITY, angles: [0, 0, Math.PI / 2] as Vec3 };
    const m = spatialMatrix(p);
    [0, 1, 0, 1, 0, 0, 0, 0, 1].forEach((v, i) => expect(Math.abs(m[i])).toBeCloseTo(v, 12));
    const out = spatialCrop(ramp, labels, dims, [4.5, 3.5, 2.5], [4, 4, 2], p, -1000);
    // One crop step along x moves the source read by one voxel along y (either sign), not along x.
    const dx = out.image[1] - out.image[0];
    expect(Math.abs(dx)).toBeCloseTo(dims[0], 4);
  });

  it('mirrors x and zooms', () => {
    const mir = spatialCrop(ramp, labels, dims, [4.5, 3.5, 2.5], [4, 4, 2], { ...IDENTITY, mirror: true }, -1000);
    expect(mir.image[1] - mir.image[0]).toBeCloseTo(-1, 6);
    const zoom = spatialCrop(ramp, labels, dims, [4.5, 3.5, 2.5], [4, 4, 2], { ...IDENTITY, scale: 2 }, -1000);
    expect(zoom.image[1] - zoom.image[0]).toBeCloseTo(0.5, 6); // trilinear on a linear ramp is exact
  });

  it('swaps lateral labels through the card mirror partners', () => {
    const l = Uint8Array.from([0, 3, 4, 1]);
    swapLabels(l, Uint8Array.from(CASE_LABELS, (c) => c.mirror ?? c.id));
    expect(Array.from(l)).toEqual([0, 4, 3, 1]);
  });
});

describe('intensity', () => {
  it('contrast phase moves each enhancing organ median into its range and leaves others', () => {
    const names = CASE_LABELS.map((l) => l.name);
    const medians = Float64Array.from(names, (nm) => (nm === 'stomach' ? 20 : nm === 'gallbladder' ? NaN : 40));
    for (let s = 0; s < 20; s++) {
      const off = contrastOffsets(names, medians, rng(s));
      names.forEach((nm, id) => {
        const r = ENHANCEMENT_HU[nm];
        if (!r || Number.isNaN(medians[id])) expect(off[id]).toBe(0);
        else {
          expect(40 + off[id]).toBeGreaterThanOrEqual(r[0] - 1e-3);
          expect(40 + off[id]).toBeLessThanOrEqual(r[1] + 1e-3);
        }
      });
    }
    const hu = Float32Array.from([10, 10, 10]);
    addLabelOffsets(hu, Uint8Array.from([0, 1, 8]), Float32Array.from({ length: 10 }, (_, i) => i * 10));
    expect(Array.from(hu)).toEqual([10, 20, 90]);
  });

  it('noise has the requested standard deviation', () => {
    const x = new Float32Array(20000);
    addNoise(x, 35, rng(1));
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
    expect(sd).toBeGreaterThan(34);
    expect(sd).toBeLessThan(36);
  });

  it('blur and low resolution keep a constant, blur spreads an impulse symmetrically', () => {
    const c = new Float32Array(n).fill(7);
    gaussianBlur(c, dims, [1, 1, 1]);
    lowResolution(c, dims, 0.5);
    c.forEach((v) => expect(v).toBeCloseTo(7, 5));
    const imp = new Float32Array(n);
    imp[at(5, 4, 3)] = 1;
    gaussianBlur(imp, dims, [1, 1, 1]);
    expect(imp[at(5, 4, 3)]).toBeLessThan(0.2);
    expect(imp[at(4, 4, 3)]).toBeCloseTo(imp[at(6, 4, 3)], 6);
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1); // edges clamp, so mass is kept only approximately
  });

  it('contrast and gamma keep the range', () => {
    const x = Float32Array.from([0, 1, 2, 3, 4]);
    contrast(x, 2);
    expect(Math.min(...x)).toBe(0);
    expect(Math.max(...x)).toBe(4);
    const g = Float32Array.from([0, 1, 2, 3, 4]);
    gammaTransform(g, 2);
    expect(Array.from(g)).toEqual([0, 0.25, 1, 2.25, 4]);
  });
});

describe('training config', () => {
  it('rejects unknown keys, wrong types and bad probabilities', () => {
    expect(() => makeTrainConfig('small', { foo: 1 })).toThrow(/unknown key 'foo'/);
    expect(() => makeTrainConfig('small', { augment: { pNoize: 1 } })).toThrow(/unknown key 'augment.pNoize'/);
    expect(() => makeTrainConfig('small', { gradClip: '12' })).toThrow(/gradClip must be a number/);
    expect(() => makeTrainConfig('small', { augment: { pMirror: 2 } })).toThrow(/probability/);
    expect(makeTrainConfig('small', { augment: { pMirror: 0 } }).augment).toEqual({ ...MOREDA, pMirror: 0 });
  });
});

describe('sampleCrop', () => {
  const cfg = makeConfig('tiny');
  const card = draftCard('t', 'tiny', cfg, CASE_LABELS, [3, 3, 3], { clip: [-200, 300], mean: 40, std: 60 }, 0);
  const cd: Vec3 = [40, 36, 20];
  const cn = cd[0] * cd[1] * cd[2];
  const lab = Uint8Array.from({ length: cn }, (_, i) => ((i % 40) > 30 && Math.floor(i / 1440) > 5 ? 1 : (i % 40) < 6 ? 3 : 0));
  const hu = Float32Array.from(lab, (l) => (l ? 50 : -900));
  const lists = Array.from({ length: 10 }, (_, id) => Int32Array.from(Array.from(lab.keys()).filter((i) => lab[i] === id && id > 0)));
  const tc: TrainCase = { name: 'c', hu, labels: lab, dims: cd, anchorVoxel: [20, 18, 10], footprint: bodyFootprint(hu, cd, -500), classVoxels: lists, medianHu: labelMedians(hu, lab, 10), annotated: new Uint8Array(10).fill(1) };
  const spec = { card, deepShapes: deepTargetShapes(cfg), foregroundFraction: 0.5, augment: MOREDA };

  it('feeds the card names with one-hot targets that sum to one, and is a pure function of the seed', () => {
    const a = sampleCrop([tc], spec, cropSeed(3, 17));
    const b = sampleCrop([tc], spec, cropSeed(3, 17));
    expect(Object.keys(a.feeds).sort()).toEqual([card.io.image, card.io.volumeTokenIndex as string, 'target', 'target_ds0'].sort());
    expect(a.feeds.target.data).toEqual(b.feeds.target.data);
    expect(a.feeds[card.io.image].data).toEqual(b.feeds[card.io.image].data);
    const m = 32 * 32 * 16;
    for (let i = 0; i < m; i += 97) {
      let s = 0;
      for (let c = 0; c < 10; c++) s += a.feeds.target.data[c * m + i] as number;
      expect(s).toBe(1);
    }
    expect(cropSeed(3, 17)).not.toBe(cropSeed(3, 18));
  });

  it('without augmentation, the normalised crop is the clipped z-score of the case', () => {
    const crop = sampleCrop([tc], { ...spec, augment: NO_AUGMENT }, cropSeed(1, 1));
    const values = new Set(Array.from(crop.feeds[card.io.image].data as Float32Array, (v) => v.toFixed(4)));
    const z = (h: number) => ((Math.min(300, Math.max(-200, h)) - 40) / 60).toFixed(4);
    expect([...values].every((v) => v === z(50) || v === z(-900) || v === z(-1024))).toBe(true);
  });

  it('feeds class masks for the partial-label loss', () => {
    const partial: TrainCase = { ...tc, annotated: Uint8Array.from({ length: 10 }, (_, id) => (id <= 1 ? 1 : 0)) };
    const crop = sampleCrop([partial], { ...spec, partialLabels: true }, cropSeed(2, 2));
    expect(Array.from(crop.feeds.class_annotated.data as Float32Array)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(crop.feeds.class_merged.data as Float32Array)).toEqual([1, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(sampleCrop([tc], spec, cropSeed(2, 2)).feeds.class_annotated).toBeUndefined();
  });

  it('the worker thread gives the same crops as the main thread', async () => {
    const q = new CropQueue([tc], spec, 5, 2);
    try {
      for (const step of [0, 1, 7]) {
        const w = await q.get(step);
        const m = sampleCrop([tc], spec, cropSeed(5, step));
        expect(w.feeds.target.data).toEqual(m.feeds.target.data);
        expect(w.feeds[card.io.image].data).toEqual(m.feeds[card.io.image].data);
        expect(w.vtIndex).toEqual(m.vtIndex);
      }
    } finally {
      await q.close();
    }
  }, 240_000);
});
