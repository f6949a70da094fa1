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

const ts9 = resolve(__dirname, '../../../shared/data/ct/ts0009');
const ts9Present = existsSync(`${ts9}_ct.nii.gz`) && existsSync(`${ts9}_seg9.nii.gz`);

describe.skipIf(!ts9Present)('the 3 mm model grid does not thin the organs (ts0009, 1.5 mm, reference masks)', () => {
  it('labels taken to the model grid and back, as perfect logits, keep their volume and most voxels', async () => {
    const { preprocess, postprocess } = await import('../../src/infer/preprocess/preprocess');
    const card = JSON.parse(readFileSync(resolve(__dirname, '../../models/fine-small.json'), 'utf8'));
    const image = readNifti(readFileSync(`${ts9}_ct.nii.gz`), 'ts0009_ct.nii.gz');
    const ref = Uint8Array.from(readNifti(readFileSync(`${ts9}_seg9.nii.gz`), 'ts0009_seg9.nii.gz').data, Math.round);
    const pre = preprocess(image, card, { labels: ref });
    const n = pre.dims[0] * pre.dims[1] * pre.dims[2];
    const logits = new Float32Array(10 * n);
    for (let i = 0; i < n; i++) logits[(pre.labels as Uint8Array)[i] * n + i] = 1;
    const back = postprocess(logits, pre.props, card.labels.map((l: { id: number }) => l.id));
    for (const id of [1, 2, 3, 4]) {
      const count = (a: Uint8Array) => a.reduce((s, v) => s + (v === id ? 1 : 0), 0);
      const ratio = count(back) / count(ref);
      expect(ratio, `organ ${id} volume ratio`).toBeGreaterThan(0.95);
      expect(ratio, `organ ${id} volume ratio`).toBeLessThan(1.06);
      expect(diceScore(back, ref, id), `organ ${id} Dice`).toBeGreaterThan(0.92);
    }
  }, 60_000);
});
