import { describe, expect, it } from 'vitest';
import { bodyAnchor, foregroundStats, normaliseCT } from '../../src/infer/preprocess/normalise';

describe('normalise', () => {
  it('clips then z-scores', () => {
    const out = normaliseCT(Float32Array.from([-1000, 0, 100, 500]), { clip: [-100, 200], mean: 50, std: 25 });
    expect(Array.from(out)).toEqual([-6, -2, 2, 6]);
    expect(() => normaliseCT([0], { clip: [0, 1], mean: 0, std: 0 })).toThrow(/std > 0/);
  });

  it('foreground statistics over labelled voxels only', () => {
    // Foreground values 0..999 (one each), background at -1000 ignored.
    const img = Float32Array.from({ length: 1100 }, (_, i) => (i < 1000 ? i : -1000));
    const lab = Uint8Array.from({ length: 1100 }, (_, i) => (i < 1000 ? 1 : 0));
    const s = foregroundStats([img], [lab]);
    expect(s.clip).toEqual([4, 994]);
    const clipped = Array.from({ length: 1000 }, (_, i) => Math.min(994, Math.max(4, i)));
    const mean = clipped.reduce((a, b) => a + b) / 1000;
    const std = Math.sqrt(clipped.reduce((a, b) => a + (b - mean) ** 2, 0) / 1000);
    expect(s.mean).toBeCloseTo(mean, 9);
    expect(s.std).toBeCloseTo(std, 9);
    expect(() => foregroundStats([img], [new Uint8Array(1100)])).toThrow(/no voxel has a label > 0/);
  });

  it('body anchor is the centre of the dense bounding box, else the volume centre', () => {
    const dims: [number, number, number] = [10, 8, 6];
    const v = new Float32Array(480).fill(-1000);
    v[2 + 10 * (3 + 8 * 1)] = 40;
    v[5 + 10 * (6 + 8 * 4)] = 40;
    expect(bodyAnchor(v, dims)).toEqual([3.5, 4.5, 2.5]);
    expect(bodyAnchor(new Float32Array(480).fill(-1000), dims)).toEqual([4.5, 3.5, 2.5]);
  });
});
