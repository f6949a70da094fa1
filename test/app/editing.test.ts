import { describe, expect, it } from 'vitest';
import { at, rasToNative, sliceIndices, type Dims } from '../../src/app/editing/grid';
import { fillBetweenSlices, signedDistance, squaredDistance2d } from '../../src/app/editing/sliceFill';
import { applyStrokeRules, noRules } from '../../src/app/editing/strokeRules';

/** A disc of radius r centred at (cx, cy) on axial slice z. */
function disc(bitmap: Uint8Array, d: Dims, z: number, cx: number, cy: number, r: number, label: number): void {
  for (let y = 0; y < d[1]; y++) for (let x = 0; x < d[0]; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) bitmap[at(d, x, y, z)] = label;
}
const countOn = (bitmap: Uint8Array, d: Dims, z: number, label: number) => sliceIndices(d, 2, z).reduce((n, i) => n + (bitmap[i] === label ? 1 : 0), 0);

describe('distance transform', () => {
  it('equals brute force on a random image', () => {
    const [w, h] = [13, 9];
    const on = Array.from({ length: w * h }, (_, p) => (p * 7919) % 17 === 0);
    const d = squaredDistance2d((p) => on[p], w, h);
    for (let p = 0; p < w * h; p++) {
      let best = Infinity;
      for (let q = 0; q < w * h; q++) if (on[q]) best = Math.min(best, ((p % w) - (q % w)) ** 2 + (Math.floor(p / w) - Math.floor(q / w)) ** 2);
      expect(d[p]).toBe(best);
    }
  });

  it('is negative inside a mask and positive outside', () => {
    const m = new Uint8Array(25);
    m[12] = 1;
    const sd = signedDistance(m, 5, 5);
    expect(sd[12]).toBeLessThan(0);
    expect(sd[11]).toBeGreaterThan(0);
    expect(sd[0]).toBeGreaterThan(sd[11]);
  });
});

describe('fill between slices', () => {
  const d: Dims = [40, 40, 11];

  it('grows a disc linearly between a small and a large one, and leaves the drawn slices alone', () => {
    const b = new Uint8Array(d[0] * d[1] * d[2]);
    disc(b, d, 0, 20, 20, 4, 3);
    disc(b, d, 10, 20, 20, 14, 3);
    const before = [0, 10].map((z) => countOn(b, d, z, 3));
    const changed = fillBetweenSlices(b, d, 2, [0, 10], 3, () => true);
    expect(changed).toBeGreaterThan(0);
    expect([0, 10].map((z) => countOn(b, d, z, 3))).toEqual(before);
    // Radius 9 halfway: area close to pi * 9^2.
    expect(countOn(b, d, 5, 3)).toBeGreaterThan(Math.PI * 8.5 ** 2);
    expect(countOn(b, d, 5, 3)).toBeLessThan(Math.PI * 9.5 ** 2);
    for (let z = 1; z < 10; z++) expect(countOn(b, d, z, 3)).toBeGreaterThan(countOn(b, d, z - 1, 3));
  });

  it('moves a shape, erases the label outside it, and keeps what `may` protects', () => {
    const b = new Uint8Array(d[0] * d[1] * d[2]);
    disc(b, d, 0, 15, 20, 8, 2);
    disc(b, d, 10, 25, 20, 8, 2);
    // Between them: the old label 2 in a wrong place, and a locked label 7 where the shape will pass.
    disc(b, d, 5, 20, 5, 3, 2);
    b[at(d, 20, 20, 5)] = 7;
    fillBetweenSlices(b, d, 2, [10, 0], 2, (_i, cur) => cur !== 7);
    expect(b[at(d, 20, 5, 5)]).toBe(0);
    expect(b[at(d, 20, 20, 5)]).toBe(7);
    expect(b[at(d, 21, 20, 5)]).toBe(2);
    expect(b[at(d, 10, 20, 5)]).toBe(0);
    expect(b[at(d, 28, 20, 5)]).toBe(2);
    expect(b[at(d, 12, 20, 5)]).toBe(2);
  });

  it('does nothing between adjacent slices', () => {
    const b = new Uint8Array(d[0] * d[1] * d[2]);
    disc(b, d, 3, 20, 20, 5, 1);
    disc(b, d, 4, 20, 20, 5, 1);
    expect(fillBetweenSlices(b, d, 2, [3, 4], 1, () => true)).toBe(0);
  });
});

describe('stroke rules', () => {
  const d: Dims = [4, 3, 2];
  const n = 24;

  it('puts back voxels outside the HU range or of a locked label, and names the stroke\'s slice', () => {
    const before = new Uint8Array(n);
    before[at(d, 0, 0, 1)] = 5;
    const after = before.slice();
    for (let x = 0; x < 4; x++) after[at(d, x, 0, 1)] = 2;
    const hu = (i: number) => (i === at(d, 3, 0, 1) ? -500 : 40);
    const out = applyStrokeRules(before, after, d, { huRange: [0, 100], locked: new Set([5]) }, hu);
    expect(out).toEqual({ kept: 2, reverted: 2, slice: { axis: 2, index: 1 } });
    expect([0, 1, 2, 3].map((x) => after[at(d, x, 0, 1)])).toEqual([5, 2, 2, 0]);
  });

  it('finds a sagittal stroke and reports none for an empty one', () => {
    const before = new Uint8Array(n);
    const after = before.slice();
    after[at(d, 2, 0, 0)] = 1;
    after[at(d, 2, 2, 1)] = 1;
    expect(applyStrokeRules(before, after, d, noRules, () => 0).slice).toEqual({ axis: 0, index: 2 });
    expect(applyStrokeRules(before, before.slice(), d, noRules, () => 0)).toEqual({ kept: 0, reverted: 0, slice: null });
  });
});

describe('RAS grid to the input grid', () => {
  it('follows flips and strides', () => {
    // A 2x3x4 native grid whose first axis is flipped in RAS order.
    const d: Dims = [2, 3, 4];
    const toNative = rasToNative(d, [1, 0, 0], [-1, 2, 6]);
    expect(toNative(at(d, 0, 0, 0))).toBe(1);
    expect(toNative(at(d, 1, 2, 3))).toBe(0 + 2 * 2 + 3 * 6);
  });
});
