import { describe, expect, it } from 'vitest';
import { squaredDistanceTransform } from '../../src/infer/eval/edt';
import { diceScore, evaluateSegmentation, hd95, organVolumesMl } from '../../src/infer/eval/metrics';
import { seededRandom } from '../../src/infer/synthetic/phantom';
import type { Vec3 } from '../../src/infer/io/niftiHeader';

function cube(dims: Vec3, lo: Vec3, size: number, label: number, into: Uint8Array = new Uint8Array(dims[0] * dims[1] * dims[2])): Uint8Array {
  for (let z = lo[2]; z < lo[2] + size; z++) for (let y = lo[1]; y < lo[1] + size; y++) for (let x = lo[0]; x < lo[0] + size; x++) {
    into[x + dims[0] * (y + dims[1] * z)] = label;
  }
  return into;
}

describe('volumes and Dice', () => {
  it('organ volumes in mL', () => {
    const labels = Uint8Array.from([0, 1, 1, 2, 2, 2]);
    expect(organVolumesMl(labels, [10, 10, 5], [1, 2, 3])).toEqual({ 1: 1, 2: 1.5, 3: 0 });
  });

  it('Dice by hand, and 1 when both are empty', () => {
    const pred = Uint8Array.from([1, 1, 1, 0, 0]);
    const ref = Uint8Array.from([0, 1, 1, 1, 0]);
    expect(diceScore(pred, ref, 1)).toBeCloseTo((2 * 2) / 6, 12);
    expect(diceScore(pred, ref, 7)).toBe(1);
    expect(diceScore(pred, new Uint8Array(5), 1)).toBe(0);
  });
});

describe('distance transform', () => {
  it('matches brute force with anisotropic spacing', () => {
    const dims: Vec3 = [9, 7, 5];
    const spacing: Vec3 = [0.7, 1.3, 2.9];
    const rand = seededRandom(3);
    const f = Uint8Array.from({ length: 315 }, () => (rand() < 0.04 ? 1 : 0));
    const d = squaredDistanceTransform(f, dims, spacing);
    const pts: Vec3[] = [];
    f.forEach((v, i) => { if (v) pts.push([i % 9, Math.floor(i / 9) % 7, Math.floor(i / 63)]); });
    expect(pts.length).toBeGreaterThan(3);
    for (let i = 0; i < 315; i++) {
      const p = [i % 9, Math.floor(i / 9) % 7, Math.floor(i / 63)];
      const brute = Math.min(...pts.map((q) => q.reduce((s, qa, a) => s + ((qa - p[a]) * spacing[a]) ** 2, 0)));
      expect(d[i]).toBeCloseTo(brute, 9);
    }
  });

  it('is Infinity everywhere without features', () => {
    expect(squaredDistanceTransform(new Uint8Array(8), [2, 2, 2], [1, 1, 1]).every((x) => x === Infinity)).toBe(true);
  });
});

describe('hd95', () => {
  it('two cubes offset by 2 voxels at 1.5 mm: 3 mm', () => {
    const dims: Vec3 = [16, 12, 12];
    const a = cube(dims, [2, 3, 3], 6, 1);
    const b = cube(dims, [4, 3, 3], 6, 1);
    expect(hd95(a, b, 1, dims, [1.5, 1.5, 1.5])).toBeCloseTo(3, 9);
    expect(hd95(a, a, 1, dims, [1.5, 1.5, 1.5])).toBe(0);
  });

  it('anisotropic offset along z uses the z spacing', () => {
    const dims: Vec3 = [10, 10, 12];
    const a = cube(dims, [2, 2, 2], 5, 3);
    const b = cube(dims, [2, 2, 5], 5, 3);
    expect(hd95(a, b, 3, dims, [0.8, 0.8, 2.5])).toBeCloseTo(7.5, 9);
  });

  it('both empty -> 0, one empty -> Infinity', () => {
    const dims: Vec3 = [6, 6, 6];
    const a = cube(dims, [1, 1, 1], 2, 1);
    expect(hd95(new Uint8Array(216), new Uint8Array(216), 1, dims, [1, 1, 1])).toBe(0);
    expect(hd95(a, new Uint8Array(216), 1, dims, [1, 1, 1])).toBe(Infinity);
    expect(hd95(new Uint8Array(216), a, 1, dims, [1, 1, 1])).toBe(Infinity);
  });
});

describe('evaluateSegmentation', () => {
  it('per-label scores and means over labels present in the reference', () => {
    const dims: Vec3 = [12, 12, 12];
    const ref = cube(dims, [1, 1, 1], 4, 1);
    cube(dims, [6, 6, 6], 4, 2, ref);
    const pred = cube(dims, [1, 1, 1], 4, 1);
    cube(dims, [6, 6, 7], 4, 2, pred);
    const s = evaluateSegmentation(pred, ref, dims, [1, 1, 1], [
      { id: 0, name: 'background' }, { id: 1, name: 'liver' }, { id: 2, name: 'spleen' }, { id: 5, name: 'stomach' },
    ]);
    expect(s.perLabel.map((l) => l.id)).toEqual([1, 2, 5]);
    expect(s.perLabel[0].dice).toBe(1);
    expect(s.perLabel[1].dice).toBeCloseTo(0.75, 12);
    expect(s.perLabel[1].hd95).toBeCloseTo(1, 9);
    expect(s.perLabel[2]).toMatchObject({ dice: 1, hd95: 0, presentInRef: false });
    expect(s.meanDice).toBeCloseTo(0.875, 12);
    expect(s.meanHd95).toBeCloseTo(0.5, 9);
  });
});
