import { describe, expect, it } from 'vitest';
import { CASE_LABELS } from '../../src/infer/contract/labels';
import { PHANTOM_LABELS, makePhantom } from '../../src/infer/synthetic/phantom';
import { ctWarnings } from '../../src/infer/preprocess/ctCheck';

describe('phantom', () => {
  const opts = { dims: [64, 56, 32] as [number, number, number], spacing: [6, 6, 8] as [number, number, number] };

  it('is deterministic per seed and differs between seeds', () => {
    const a = makePhantom({ ...opts, seed: 7 });
    const b = makePhantom({ ...opts, seed: 7 });
    const c = makePhantom({ ...opts, seed: 8 });
    expect(a.image).toEqual(b.image);
    expect(a.labels).toEqual(b.labels);
    expect(a.labels).not.toEqual(c.labels);
  });

  for (const seed of [1, 2, 3]) {
    it(`contains every organ it claims (seed ${seed})`, () => {
      const p = makePhantom({ ...opts, seed });
      const counts = new Array(256).fill(0);
      for (const l of p.labels) counts[l]++;
      for (const l of PHANTOM_LABELS) expect(counts[l.id], l.name).toBeGreaterThan(20);
      expect(counts.slice(10).every((c) => c === 0)).toBe(true);
    });
  }

  it('has CT-like intensities: air, fat, organs, bone', () => {
    const p = makePhantom({ ...opts, seed: 1 });
    const mean = (id: number) => {
      let s = 0;
      let n = 0;
      p.labels.forEach((l, i) => { if (l === id) { s += p.image[i]; n++; } });
      return s / n;
    };
    expect(p.image[0]).toBeLessThan(-900);
    expect(mean(1)).toBeGreaterThan(50);
    expect(mean(1)).toBeLessThan(70);
    expect(mean(8)).toBeGreaterThan(130);
    expect(p.image.reduce((m, v) => Math.max(m, v), -Infinity)).toBeGreaterThan(600);
    expect(ctWarnings(p.image)).toEqual([]);
  });

  it('labels are the nine organs of the shared data with distinct colours', () => {
    expect(CASE_LABELS.map((l) => l.name)).toEqual([
      'background', 'liver', 'spleen', 'kidney_right', 'kidney_left', 'stomach', 'pancreas', 'gallbladder', 'aorta',
      'inferior_vena_cava',
    ]);
    expect(new Set(CASE_LABELS.map((l) => l.color.join())).size).toBe(10);
  });

  it('warns about non-CT inputs', () => {
    const p = makePhantom({ ...opts, seed: 1 });
    expect(ctWarnings(Float32Array.from(p.labels))[0]).toMatch(/looks like a label map.*trained on CT/);
    expect(ctWarnings(Float32Array.from({ length: 100 }, (_, i) => i / 100))[0]).toMatch(/lowest value is 0.0.*trained on CT/);
  });
});
