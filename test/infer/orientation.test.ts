/**
 * Canonical orientation: the same anatomy stored in another voxel order (with a correct header) reaches
 * the model identically and the labels come back on the input's own grid.
 */
import { describe, expect, it } from 'vitest';
import type { NiftiVolume } from '../../src/infer/io/nifti';
import { type Vec3, centredAffine, makeNiftiHeader } from '../../src/infer/io/niftiHeader';
import {
  canonicalAffine, fromCanonical, orientationOf, toCanonical, voxelToCanonical,
} from '../../src/infer/preprocess/orientation';
import { preprocess } from '../../src/infer/preprocess/preprocess';
import { geometryWarnings } from '../../src/infer/preprocess/applicability';
import { segmentVolume } from '../../src/infer/pipeline';
import { testCard } from './cardFixture';

/** Row-major 4x4 times (i, j, k, 1). */
const apply = (a: number[], v: Vec3) => [0, 1, 2].map((r) => a[4 * r] * v[0] + a[4 * r + 1] * v[1] + a[4 * r + 2] * v[2] + a[4 * r + 3]);

/** The same volume stored with voxel axes permuted (`perm[a]` = source axis of stored axis a) and reversed. */
function restore(dims: Vec3, data: Float32Array, affine: number[], perm: Vec3, rev: [boolean, boolean, boolean]): { dims: Vec3; data: Float32Array; affine: number[] } {
  const nd = perm.map((p) => dims[p]) as Vec3;
  const out = new Float32Array(data.length);
  const src = [0, 0, 0];
  let o = 0;
  for (let k = 0; k < nd[2]; k++) for (let j = 0; j < nd[1]; j++) for (let i = 0; i < nd[0]; i++) {
    [i, j, k].forEach((c, a) => { src[perm[a]] = rev[a] ? nd[a] - 1 - c : c; });
    out[o++] = data[src[0] + dims[0] * (src[1] + dims[1] * src[2])];
  }
  // New voxel (i, j, k) is old voxel src; world = A * src.
  const na = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  for (let r = 0; r < 3; r++) {
    let t = affine[4 * r + 3];
    for (let a = 0; a < 3; a++) {
      const col = affine[4 * r + perm[a]];
      na[4 * r + a] = rev[a] ? -col : col;
      if (rev[a]) t += col * (nd[a] - 1);
    }
    na[4 * r + 3] = t;
  }
  return { dims: nd, data: out, affine: na };
}

const dims: Vec3 = [6, 5, 4];
const spacing: Vec3 = [1, 2, 3];
const data = Float32Array.from({ length: 120 }, (_, i) => i);
const ras = centredAffine(dims, spacing);

describe('orientationOf', () => {
  it('reads RAS, LPS and permuted storage from the affine', () => {
    expect(orientationOf(ras)).toMatchObject({ source: [0, 1, 2], flip: [false, false, false], inputCode: 'RAS', obliqueDeg: 0 });
    const lps = restore(dims, data, ras, [0, 1, 2], [true, true, false]);
    expect(orientationOf(lps.affine)).toMatchObject({ source: [0, 1, 2], flip: [true, true, false], inputCode: 'LPS' });
    const zyx = restore(dims, data, ras, [2, 1, 0], [false, false, false]);
    expect(orientationOf(zyx.affine)).toMatchObject({ source: [2, 1, 0], inputCode: 'SAR' });
  });

  it('measures how oblique an affine is', () => {
    const t = (10 * Math.PI) / 180;
    const rot = [Math.cos(t), -Math.sin(t), 0, 0, Math.sin(t), Math.cos(t), 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const o = orientationOf(rot);
    expect(o.obliqueDeg).toBeCloseTo(10, 5);
    expect(o.source).toEqual([0, 1, 2]);
  });
});

describe('toCanonical / fromCanonical', () => {
  const variants: [string, Vec3, [boolean, boolean, boolean]][] = [
    ['LPS', [0, 1, 2], [true, true, false]],
    ['z,y,x', [2, 1, 0], [false, false, false]],
    ['y,z,x reversed', [1, 2, 0], [true, false, true]],
  ];
  for (const [name, perm, rev] of variants) {
    it(`${name}: canonical voxels equal the RAS original, with the same world positions; the inverse restores the storage`, () => {
      const v = restore(dims, data, ras, perm, rev);
      const o = orientationOf(v.affine);
      const c = toCanonical(v.data, v.dims, o);
      expect(Array.from(c)).toEqual(Array.from(data));
      const ca = canonicalAffine(v.affine, v.dims, o);
      ca.forEach((x, i) => expect(x).toBeCloseTo(ras[i], 9));
      expect(Array.from(fromCanonical(c, v.dims, o))).toEqual(Array.from(v.data));
      // One stored voxel maps to the canonical voxel at the same world position.
      const p: Vec3 = [1, 2, 3].map((x, a) => Math.min(x, v.dims[a] - 1)) as Vec3;
      const q = voxelToCanonical(p, v.dims, o);
      apply(v.affine, p).forEach((w, i) => expect(w).toBeCloseTo(apply(ras, q)[i], 9));
    });
  }
});

describe('the pipeline is storage-independent', () => {
  // A stand-in network that looks at position only: label 1 (liver) on the +x half of every tile
  // (patient right in canonical order), background elsewhere.
  const card = testCard({ spacing: [6, 6, 8] });
  const [px, py, pz] = card.patchSize;
  const m = px * py * pz;
  const runTile = async () => {
    const logits = new Float32Array(card.labels.length * m);
    for (let i = 0; i < m; i++) logits[(i % px >= px / 2 ? 1 : 0) * m + i] = 1;
    return logits;
  };
  const d: Vec3 = [32, 32, 16];
  const img = Float32Array.from({ length: 32 * 32 * 16 }, (_, i) => (i % 7) * 10 - 900);
  const a = centredAffine(d, [6, 6, 8]);
  const vol = (dd: Vec3, dat: Float32Array, aff: number[]): NiftiVolume => ({ dims: dd, spacing: [6, 6, 8], data: dat, affine: aff, datatype: 16, header: makeNiftiHeader(dd, [6, 6, 8], aff), warnings: [] });

  it('labels patient right whatever the voxel order, on the input grid', async () => {
    const base = await segmentVolume(vol(d, img, a), card, runTile);
    const lps = restore(d, img, a, [0, 1, 2], [true, true, false]);
    const res = await segmentVolume({ ...vol(lps.dims, lps.data, lps.affine), spacing: [6, 6, 8] }, card, runTile);
    // Stored voxel (i, j, k) of the LPS copy is RAS voxel (31 - i, 31 - j, k).
    const world = (i: number) => [31 - (i % 32), 31 - (Math.floor(i / 32) % 32), Math.floor(i / 1024)];
    let checked = 0;
    for (let i = 0; i < res.labels.length; i++) {
      const [x, y, z] = world(i);
      expect(res.labels[i]).toBe(base.labels[x + 32 * (y + 32 * z)]);
      checked++;
    }
    expect(checked).toBe(16384);
    // Patient right (+x world) is liver in both.
    expect(base.labels[31]).toBe(1);
    expect(res.labels[0]).toBe(1);
  });

  it('records the orientation; the geometry check warns about an oblique scan from it, once', () => {
    const t = (5 * Math.PI) / 180;
    const obl = [6 * Math.cos(t), -6 * Math.sin(t), 0, 0, 6 * Math.sin(t), 6 * Math.cos(t), 0, 0, 0, 0, 8, 0, 0, 0, 0, 1];
    const v = vol(d, img, obl);
    const pre = preprocess(v, card);
    expect(pre.props.orientation.obliqueDeg).toBeCloseTo(5, 5);
    const warned = [...pre.warnings, ...geometryWarnings(v, card, undefined, pre.props.orientation)].filter((w) => /oblique \(5\.0° off/.test(w));
    expect(warned).toHaveLength(1);
    const straight = vol(d, img, a);
    expect(geometryWarnings(straight, card, undefined, preprocess(straight, card).props.orientation).join()).not.toMatch(/oblique/);
  });
});
