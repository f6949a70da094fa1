import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume, type Vec3 } from '../../src/infer/io/nifti';
import { evaluateSegmentation } from '../../src/infer/eval/metrics';
import { checkReferenceGrid, compareWithReference, referenceMeans } from '../../src/app/reference';

const dims: Vec3 = [8, 8, 4];
const spacing: Vec3 = [2, 2, 3];
const n = dims[0] * dims[1] * dims[2];
const affine = (t: Vec3 = [0, 0, 0], flipX = false) => [flipX ? -2 : 2, 0, 0, t[0] + (flipX ? 14 : 0), 0, 2, 0, t[1], 0, 0, 3, t[2], 0, 0, 0, 1];
function vol(data: ArrayLike<number>, a = affine()): NiftiVolume {
  return { dims, spacing, data: Float32Array.from(data), affine: a, datatype: 2, header: makeNiftiHeader(dims, spacing), warnings: [] };
}
const labels = [0, 1, 2, 3].map((id) => ({ id, name: ['background', 'liver', 'spleen', 'aorta'][id], color: [0, 0, 0] as [number, number, number] }));

describe('reference check in the app', () => {
  // pred: liver in the first half, spleen in 4 voxels; ref: liver in the first half shifted by one row, no spleen, no aorta.
  const pred = new Uint8Array(n).map((_, i) => (i < n / 2 ? 1 : i < n / 2 + 4 ? 2 : 0));
  const ref = new Uint8Array(n).map((_, i) => (i >= 8 && i < n / 2 + 8 ? 1 : 0));

  it('leaves organs absent from the reference out of the mean, like npm run evaluate', () => {
    const rows = compareWithReference(pred, vol(pred), labels, vol(ref), 'ref.nii.gz');
    expect(rows.map((r) => [r.name, r.inRef, r.inPred])).toEqual([['liver', true, true], ['spleen', false, true], ['aorta', false, false]]);
    const cli = evaluateSegmentation(pred, ref, dims, spacing, labels);
    const means = referenceMeans(rows);
    expect(means.counted).toBe(1);
    expect(means.dice).toBeCloseTo(cli.meanDice, 12);
    expect(means.hd95).toBeCloseTo(cli.meanHd95, 12);
    expect(means.dice).toBeLessThan(1);
    expect(means.hd95).toBeGreaterThan(0);
  });

  it('an organ absent from both maps does not count as a perfect score', () => {
    const rows = compareWithReference(pred, vol(pred), labels, vol(ref), 'ref.nii.gz');
    const liver = rows.find((r) => r.name === 'liver')!;
    expect(referenceMeans(rows).dice).toBe(liver.dice);
    expect(referenceMeans(rows.filter((r) => r.name === 'aorta')).counted).toBe(0);
    expect(Number.isNaN(referenceMeans(rows.filter((r) => r.name === 'aorta')).dice)).toBe(true);
  });

  it('accepts float noise in the affine and refuses a shifted or flipped reference with a clear message', () => {
    expect(() => checkReferenceGrid(vol(pred), vol(ref, affine([0.001, 0, 0])), 'ok.nii')).not.toThrow();
    expect(() => checkReferenceGrid(vol(pred), vol(ref, affine([0, 0, 30])), 'shifted.nii')).toThrow(/shifted\.nii: .*lies elsewhere.*30\.0 mm/);
    expect(() => checkReferenceGrid(vol(pred), vol(ref, affine([0, 0, 0], true)), 'flipped.nii')).toThrow(/lies elsewhere/);
    const other = { ...vol(ref), dims: [8, 8, 5] as Vec3 };
    expect(() => checkReferenceGrid(vol(pred), other, 'dims.nii')).toThrow(/dims 8x8x5 differ/);
  });

  it('refuses an image passed as a reference', () => {
    expect(() => compareWithReference(pred, vol(pred), labels, vol(new Float32Array(n).fill(-1000.5)), 'ct.nii')).toThrow(/expected integer label ids/);
  });
});

describe('disagreement map', () => {
  it('marks false positives, false negatives and wrong organs, and counts them', async () => {
    const { disagreementMap } = await import('../../src/app/reference');
    const pred = Uint8Array.from([0, 1, 1, 0, 2, 2]);
    const ref = Uint8Array.from([0, 1, 0, 1, 1, 2]);
    const d = disagreementMap(pred, ref);
    expect(Array.from(d.map)).toEqual([0, 0, 1, 2, 3, 0]);
    expect(d.counts).toEqual({ falsePositive: 1, falseNegative: 1, wrongOrgan: 1, notScored: 0 });
    expect(() => disagreementMap(pred, ref.subarray(1))).toThrow(/6 predicted voxels but 5/);
  });

  it('an organ the reference never labels is not scored, as in the Dice table, never a false positive', async () => {
    const { disagreementMap } = await import('../../src/app/reference');
    // The reference labels organ 1 only; the prediction also has organ 3 (on background and on organ 1).
    const pred = Uint8Array.from([3, 3, 1, 1, 0, 3]);
    const ref = Uint8Array.from([0, 0, 0, 1, 1, 1]);
    const d = disagreementMap(pred, ref);
    expect(Array.from(d.map)).toEqual([4, 4, 1, 0, 2, 3]);
    expect(d.counts).toEqual({ falsePositive: 1, falseNegative: 1, wrongOrgan: 1, notScored: 2 });
  });
});
