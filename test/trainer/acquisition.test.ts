/** Thick slices and a cut-off field of view, each on a volume with a known answer. */
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../src/infer/io/niftiHeader';
import { bodyAnchor } from '../../src/infer/preprocess/normalise';
import { anchorInFov, bodyFootprint, fovAround, thickSlices } from '../../src/trainer/augment/acquisition';
import { IDENTITY, spatialCrop } from '../../src/trainer/augment/spatial';
import { rng } from '../../src/util/random';

describe('thickSlices', () => {
  const dims: Vec3 = [2, 1, 24];
  it('keeps a linear ramp along z away from the ends (to within the staircase of whole slices)', () => {
    const img = Float32Array.from({ length: 48 }, (_, i) => 10 * Math.floor(i / 2));
    thickSlices(img, dims, 2.5, 0.7);
    for (let z = 4; z < 20; z++) expect(Math.abs(img[2 * z] - 10 * z)).toBeLessThan(0.5);
  });

  it('spreads a one-slice bright layer over about a slice thickness, keeping its mass', () => {
    const img = new Float32Array(48);
    img[2 * 12] = img[2 * 12 + 1] = 100;
    thickSlices(img, dims, 2.5, 0.3);
    let mass = 0, peak = 0, lit = 0;
    for (let z = 0; z < 24; z++) {
      mass += img[2 * z];
      peak = Math.max(peak, img[2 * z]);
      if (img[2 * z] > 1) lit++;
    }
    expect(Math.abs(mass - 100)).toBeLessThan(2);
    expect(peak).toBeLessThan(60); // a 7.5 mm slice cannot show a 3 mm layer at full contrast
    expect(lit).toBeGreaterThanOrEqual(3);
    expect(lit).toBeLessThanOrEqual(7); // nonzero between the centres around the two slices that touch it: under 3 thicknesses
  });

  it('does nothing for a thickness of one voxel or less', () => {
    const img = Float32Array.from({ length: 48 }, (_, i) => (i * 7919) % 13);
    const copy = Float32Array.from(img);
    thickSlices(img, dims, 1, 0);
    expect(Array.from(img)).toEqual(Array.from(copy));
  });
});

describe('a cut-off field of view', () => {
  // A body occupying x 4..15, y 2..9 of a 20 x 12 x 3 grid.
  const dims: Vec3 = [20, 12, 3];
  const hu = new Float32Array(20 * 12 * 3).fill(-1000);
  for (let z = 0; z < 3; z++) for (let y = 2; y <= 9; y++) for (let x = 4; x <= 15; x++) hu[x + 20 * (y + 12 * z)] = 40;
  const labels = Uint8Array.from(hu, (v) => (v > 0 ? 1 : 0));
  const fp = bodyFootprint(hu, dims, -500);

  it('gives the anchor bodyAnchor computes on the scan cut to the rectangle', () => {
    const fov = { x0: 8, x1: 19, y0: 0, y1: 11 };
    const a = anchorInFov(fp, dims, fov, bodyAnchor(hu, dims));
    // The cut scan, as its own volume starting at x = 8.
    const cut = new Float32Array(12 * 12 * 3);
    for (let z = 0; z < 3; z++) for (let y = 0; y < 12; y++) for (let x = 8; x < 20; x++) cut[x - 8 + 12 * (y + 12 * z)] = hu[x + 20 * (y + 12 * z)];
    const b = bodyAnchor(cut, [12, 12, 3]);
    expect(a[0]).toBeCloseTo(b[0] + 8, 9);
    expect(a[1]).toBeCloseTo(b[1], 9);
    expect(a[0]).not.toBeCloseTo(bodyAnchor(hu, dims)[0], 1); // the uncut anchor moved
  });

  it('falls back to the rectangle centre when no body is inside', () => {
    expect(anchorInFov(fp, dims, { x0: 16, x1: 19, y0: 0, y1: 11 }, [0, 0, 1])).toEqual([17.5, 5.5, 1]);
  });

  it('crops read air and background outside the rectangle', () => {
    const fov = { x0: 6, x1: 11, y0: 0, y1: 11 };
    const out = spatialCrop(hu, labels, dims, [9.5, 5.5, 1], [20, 12, 1], { ...IDENTITY, fov }, -1024);
    // Crop voxel i reads source x = i - 0.5 ... centre 9.5 - 9.5 = 0: crop x equals source x.
    for (let x = 0; x < 20; x++) {
      const inside = x >= 6 && x <= 11;
      expect(out.image[x + 20 * 5]).toBe(inside ? 40 : -1024);
      expect(out.labels[x + 20 * 5]).toBe(inside ? 1 : 0);
    }
  });

  it('places a square of the asked width around the crop centre', () => {
    const r = rng(3);
    for (let k = 0; k < 50; k++) {
      const f = fovAround([10, 6, 1], 180, [3, 3, 3], r);
      expect(f.x1 - f.x0).toBeCloseTo(60, 9);
      expect(f.y1 - f.y0).toBeCloseTo(60, 9);
      expect(f.x0 < 10 && f.x1 > 10 && f.y0 < 6 && f.y1 > 6).toBe(true);
    }
  });
});
