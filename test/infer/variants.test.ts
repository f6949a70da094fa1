import { describe, expect, it } from 'vitest';
import { type NiftiVolume, makeNiftiHeader, readNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import { type Vec3, centredAffine } from '../../src/infer/io/niftiHeader';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { applyAffine, invertAffine } from '../../src/infer/eval/affine';
import { type CasePair, addNoise, fieldOfView, makeVariant, parseVariants, rotateAboutZ } from '../../src/infer/eval/variants';

function vol(data: Float32Array, dims: Vec3, spacing: Vec3, affine = centredAffine(dims, spacing)): NiftiVolume {
  return { dims, spacing, data, affine, datatype: 16, header: makeNiftiHeader(dims, spacing, affine), warnings: [] };
}

/** A phantom case on an anisotropic grid, so a swapped spacing or axis shows. */
function phantomCase(dims: Vec3 = [40, 32, 24], spacing: Vec3 = [3, 2.5, 4]): CasePair {
  const p = makePhantom({ dims, spacing, seed: 3 });
  return { ct: vol(p.image, dims, spacing), ref: vol(Float32Array.from(p.labels), dims, spacing) };
}

const index = (v: Vec3, dims: Vec3) => v[0] + dims[0] * (v[1] + dims[1] * v[2]);

/**
 * For every voxel of the variant, the original voxel at the same world position (through both
 * affines); checks that it is a voxel centre of the original grid. Returns how many voxels differ.
 */
function worldMismatches(orig: CasePair, v: CasePair): number {
  const inv = invertAffine(orig.ct.affine);
  const { dims } = v.ct;
  let i = 0, bad = 0, off = 0;
  for (let z = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++, i++) {
    const u = applyAffine(inv, applyAffine(v.ct.affine, [x, y, z]));
    const r = u.map(Math.round) as Vec3;
    off = Math.max(off, ...u.map((c, a) => Math.abs(c - r[a])));
    const inside = r.every((c, a) => c >= 0 && c < orig.ct.dims[a]);
    const oi = index(r, orig.ct.dims);
    if (!inside || v.ref.data[i] !== orig.ref.data[oi] || v.ct.data[i] !== orig.ct.data[oi]) bad++;
  }
  expect(off).toBeLessThan(1e-6);
  return bad;
}

function labelled(v: NiftiVolume): number {
  return v.data.reduce((n, x) => n + (x > 0 ? 1 : 0), 0);
}

function centroidWorld(v: NiftiVolume, id: number): Vec3 {
  const s = [0, 0, 0];
  let n = 0, i = 0;
  for (let z = 0; z < v.dims[2]; z++) for (let y = 0; y < v.dims[1]; y++) for (let x = 0; x < v.dims[0]; x++, i++) {
    if (v.data[i] !== id) continue;
    const w = applyAffine(v.affine, [x, y, z]);
    for (let a = 0; a < 3; a++) s[a] += w[a];
    n++;
  }
  return s.map((x) => x / n) as Vec3;
}

/** The header written from a variant reads back with the variant's affine and spacing. */
function expectHeaderMatches(v: NiftiVolume): void {
  const back = readNifti(writeNiftiFloat(v.data, v), 'variant.nii');
  back.affine.forEach((x, k) => expect(x).toBeCloseTo(v.affine[k], 3));
  back.spacing.forEach((x, a) => expect(x).toBeCloseTo(v.spacing[a], 4));
  expect(back.dims).toEqual(v.dims);
}

describe('storage variants keep every voxel at its world position', () => {
  const c = phantomCase();

  for (const name of ['lps', 'zyx', 'slab13'] as const) {
    it(name, () => {
      const v = makeVariant(c, name);
      expect(worldMismatches(c, v)).toBe(0);
      expectHeaderMatches(v.ct);
      expectHeaderMatches(v.ref);
      if (name !== 'slab13') {
        expect(labelled(v.ref)).toBe(labelled(c.ref));
        expect(v.toOriginal?.(Uint8Array.from(v.ref.data))).toEqual(Uint8Array.from(c.ref.data));
      }
    });
  }

  it('the voxel order really changes (an unchanged affine would put the labels elsewhere)', () => {
    for (const name of ['lps', 'zyx'] as const) {
      const v = makeVariant(c, name);
      expect(v.ct.affine).not.toEqual(c.ct.affine);
      // Read with the original's affine, the liver would sit at another world position.
      const wrong: NiftiVolume = { ...v.ref, affine: c.ct.affine };
      const shift = centroidWorld(wrong, 1).map((x, a) => x - centroidWorld(c.ref, 1)[a]);
      expect(Math.hypot(...shift)).toBeGreaterThan(10);
    }
  });

  it('lps reverses x and y; zyx swaps x and z with their spacings', () => {
    expect(makeVariant(c, 'lps').ct.dims).toEqual([40, 32, 24]);
    const zyx = makeVariant(c, 'zyx');
    expect(zyx.ct.dims).toEqual([24, 32, 40]);
    zyx.ct.spacing.forEach((s, a) => expect(s).toBeCloseTo([4, 2.5, 3][a], 6));
  });

  it('slab13 has 13 slices around the centre of the labelled region', () => {
    const v = makeVariant(c, 'slab13');
    expect(v.ct.dims).toEqual([40, 32, 13]);
    expect(labelled(v.ref)).toBeGreaterThan(0);
    let lo = Infinity, hi = -1;
    c.ref.data.forEach((x, k) => {
      const z = Math.floor(k / (40 * 32));
      if (x > 0) { lo = Math.min(lo, z); hi = Math.max(hi, z); }
    });
    const start = (v.ct.affine[11] - c.ct.affine[11]) / 4;
    expect(Math.abs(start + 6 - (lo + hi) / 2)).toBeLessThanOrEqual(1);
  });

  it('slab13 finds head-foot in a z, y, x stored case', () => {
    const zyx = makeVariant(c, 'zyx');
    const slab = makeVariant({ ct: zyx.ct, ref: zyx.ref }, 'slab13');
    expect(slab.ct.dims).toEqual([13, 32, 40]);
    expect(worldMismatches(c, slab)).toBe(0);
  });
});

describe('image variants', () => {
  it('rot12 keeps the volume of a rotation-symmetric blob and turns its centre by 12 degrees', () => {
    const dims: Vec3 = [48, 48, 10];
    const spacing: Vec3 = [2, 2, 3];
    const affine = centredAffine(dims, spacing);
    const blobCentre: Vec3 = [25, 0, 0];
    const ct = new Float32Array(48 * 48 * 10);
    const ref = new Float32Array(ct.length);
    let i = 0;
    for (let z = 0; z < 10; z++) for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++, i++) {
      const w = applyAffine(affine, [x, y, z]);
      const inside = Math.hypot(w[0] - blobCentre[0], w[1] - blobCentre[1], (w[2] - blobCentre[2]) * 0.5) < 14;
      ct[i] = inside ? 100 : 0;
      ref[i] = inside ? 1 : 0;
    }
    const c: CasePair = { ct: vol(ct, dims, spacing, affine), ref: vol(ref, dims, spacing, affine) };
    const r = rotateAboutZ(c, 12);
    expect(r.ct.affine).toEqual(c.ct.affine);
    expect(Math.abs(labelled(r.ref) / labelled(c.ref) - 1)).toBeLessThan(0.03);
    const after = centroidWorld(r.ref, 1);
    const angle = (Math.atan2(after[1], after[0]) * 180) / Math.PI;
    expect(angle).toBeCloseTo(12, 0);
    expect(Math.hypot(after[0], after[1])).toBeCloseTo(25, 0);
    // Image and labels moved together: the labelled voxels carry the blob's HU.
    let sum = 0;
    for (let k = 0; k < r.ref.data.length; k++) if (r.ref.data[k] === 1) sum += r.ct.data[k];
    expect(sum / labelled(r.ref)).toBeGreaterThan(90);
    // Corners turned in from outside the scan are air.
    expect(r.ct.data[index([0, 0, 0], dims)]).toBe(-1024);
  });

  it('noise35 adds seeded Gaussian noise of 35 HU and leaves the labels alone', () => {
    const c = phantomCase();
    const a = addNoise(c, 35, 7);
    const b = makeVariant(c, 'noise35', { seed: 7 });
    expect(a.ct.data).toEqual(b.ct.data);
    expect(makeVariant(c, 'noise35', { seed: 8 }).ct.data).not.toEqual(a.ct.data);
    const d = Float64Array.from(a.ct.data, (v, k) => v - c.ct.data[k]);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const std = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(1);
    expect(std).toBeGreaterThan(35 * 0.97);
    expect(std).toBeLessThan(35 * 1.03);
    expect(a.ref.data).toEqual(c.ref.data);
  });

  it('spacing1.5 resamples to 1.5 x 1.5 x 2 mm with the same outer corner and organs in place', () => {
    const c = phantomCase();
    const v = makeVariant(c, 'spacing1.5');
    expect(v.ct.dims).toEqual([80, 53, 48]);
    v.ct.spacing.forEach((s, a) => expect(s).toBeCloseTo([1.5, 1.5, 2][a], 5));
    const corner = (n: NiftiVolume) => applyAffine(n.affine, [-0.5, -0.5, -0.5]);
    corner(v.ct).forEach((x, a) => expect(x).toBeCloseTo(corner(c.ct)[a], 4));
    const ml = (n: NiftiVolume) => labelled(n) * n.spacing[0] * n.spacing[1] * n.spacing[2];
    expect(Math.abs(ml(v.ref) / ml(c.ref) - 1)).toBeLessThan(0.05);
    const shift = centroidWorld(v.ref, 1).map((x, a) => x - centroidWorld(c.ref, 1)[a]);
    expect(Math.hypot(...shift)).toBeLessThan(1.5);
    expectHeaderMatches(v.ct);
  });

  it('spacing1.5 takes 2 mm head-foot whatever the storage order', () => {
    const zyx = makeVariant(phantomCase(), 'zyx');
    const v = makeVariant({ ct: zyx.ct, ref: zyx.ref }, 'spacing1.5');
    v.ct.spacing.forEach((s, a) => expect(s).toBeCloseTo([2, 1.5, 1.5][a], 5));
  });

  it('thick8 averages groups of slices head-foot, with the grid and the organs in place', () => {
    const c = phantomCase();
    const zAxisSpacing = c.ct.spacing[2];
    const k = Math.max(2, Math.round(8 / zAxisSpacing));
    const v = makeVariant(c, 'thick8');
    expect(v.ct.dims[2]).toBe(Math.floor(c.ct.dims[2] / k));
    expect(v.ct.spacing[2]).toBeCloseTo(k * zAxisSpacing, 5);
    // Voxel (x, y, 0) is the mean of the first k slices.
    const [nx, ny] = c.ct.dims;
    for (const p of [0, 17, nx * ny - 1]) {
      let m = 0;
      for (let z = 0; z < k; z++) m += c.ct.data[p + z * nx * ny] / k;
      expect(v.ct.data[p]).toBeCloseTo(m, 3);
    }
    const shift = centroidWorld(v.ref, 1).map((x, a) => x - centroidWorld(c.ref, 1)[a]);
    expect(Math.hypot(...shift)).toBeLessThan(zAxisSpacing * k);
    expectHeaderMatches(v.ct);
  });

  it('fov200 cuts in-plane to 200 mm around the organs, keeping world positions', () => {
    const c = phantomCase();
    const v = makeVariant(c, 'fov200');
    expect(v.ct.dims[2]).toBe(c.ct.dims[2]);
    for (const a of [0, 1]) expect(v.ct.dims[a]).toBe(Math.min(c.ct.dims[a], Math.round(200 / c.ct.spacing[a])));
    const shift = centroidWorld(v.ref, 1).map((x, a) => x - centroidWorld(c.ref, 1)[a]);
    if (v.ct.dims.every((d, a) => d === c.ct.dims[a])) expect(Math.hypot(...shift)).toBeLessThan(1e-6);
    expectHeaderMatches(v.ct);
    // A 60 mm field of view on this 120 x 80 mm phantom: cut, the kept voxels at their world positions.
    const cut = fieldOfView(c, 60);
    expect(cut.ct.dims).toEqual([20, 24, 24]);
    const start = applyAffine(invertAffine(c.ct.affine), applyAffine(cut.ct.affine, [0, 0, 0]));
    start.forEach((q) => expect(Math.abs(q - Math.round(q))).toBeLessThan(1e-6));
    const [sx, sy, sz] = start.map(Math.round);
    expect(sz).toBe(0);
    for (const [x, y, z] of [[0, 0, 0], [19, 23, 23], [7, 11, 5]]) {
      expect(cut.ct.data[x + 20 * (y + 24 * z)]).toBe(c.ct.data[x + sx + 40 * (y + sy + 32 * z)]);
    }
  });

  it('refuses what it cannot do, naming the reason', () => {
    expect(() => parseVariants('lps,flip')).toThrow(/unknown variant "flip"; valid: lps, zyx/);
    expect(parseVariants(undefined)).toHaveLength(8);
    expect(() => makeVariant(phantomCase([40, 32, 10]), 'slab13')).toThrow(/at least 13 slices/);
    expect(() => makeVariant(phantomCase(), 'spacing1.5', { maxVoxels: 1000 })).toThrow(/over the limit/);
  });
});
