import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/infer/io/nifti';
import { ctWarnings } from '../../src/infer/preprocess/ctCheck';
import { diceScore } from '../../src/infer/eval/metrics';

const ct = resolve(__dirname, '../../../shared/data/ct/caseA_slab_ct.nii.gz');
const seg = resolve(__dirname, '../../../shared/data/ct/caseA_slab_seg9.nii.gz');
const present = existsSync(ct) && existsSync(seg);
if (!present) console.warn(`skipping real-CT tests: ${ct} not found (../shared/data is not part of a fresh clone)`);

describe.skipIf(!present)('real CT slab from ../shared/data', () => {
  it('reads dims 122x101x30 at 3 mm, in HU, with its 9-organ label map', () => {
    const vol = readNifti(readFileSync(ct), 'caseA_slab_ct.nii.gz');
    expect(vol.dims).toEqual([122, 101, 30]);
    vol.spacing.forEach((s) => expect(s).toBeCloseTo(3, 3));
    expect(ctWarnings(vol.data)).toEqual([]);
    const labels = readNifti(readFileSync(seg), 'caseA_slab_seg9.nii.gz');
    expect(labels.dims).toEqual(vol.dims);
    expect(labels.affine).toEqual(vol.affine);
    const ids = new Set(labels.data);
    for (let id = 1; id <= 9; id++) expect(ids.has(id)).toBe(true);
  });

  it('has its organs on soft tissue: the label map lies on the CT, not shifted or flipped', () => {
    const vol = readNifti(readFileSync(ct), 'caseA_slab_ct.nii.gz');
    const labels = readNifti(readFileSync(seg), 'caseA_slab_seg9.nii.gz');
    const sum = new Float64Array(10);
    const count = new Float64Array(10);
    for (let i = 0; i < vol.data.length; i++) {
      sum[labels.data[i]] += vol.data[i];
      count[labels.data[i]]++;
    }
    // Liver about 45 HU in this scan; 10 voxels off in x it would be about -10 HU.
    expect(sum[1] / count[1]).toBeGreaterThan(25);
    expect(sum[1] / count[1]).toBeLessThan(80);
    for (let id = 1; id <= 9; id++) expect(Math.abs(sum[id] / count[id]), `label ${id}`).toBeLessThan(100);
    expect(sum[0] / count[0], 'background holds the air around the body').toBeLessThan(-300);
  });

  it('Dice on the real label map counts the overlap of one organ', () => {
    const ref = Uint8Array.from(readNifti(readFileSync(seg), 'caseA_slab_seg9.nii.gz').data);
    // Drop every other liver voxel from a copy: Dice(liver) = 2 kept / (kept + all), the rest stay 1.
    const pred = ref.slice();
    let liver = 0;
    let kept = 0;
    for (let i = 0; i < pred.length; i++) {
      if (pred[i] !== 1) continue;
      if (liver++ % 2 === 1) pred[i] = 0;
      else kept++;
    }
    expect(liver).toBeGreaterThan(1000);
    expect(diceScore(pred, ref, 1)).toBeCloseTo((2 * kept) / (kept + liver), 12);
    expect(diceScore(pred, ref, 2)).toBe(1);
    expect(diceScore(ref, new Uint8Array(ref.length), 1)).toBe(0);
  });
});
