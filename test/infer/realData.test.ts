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
    const asU8 = Uint8Array.from(labels.data);
    expect(diceScore(asU8, asU8, 1)).toBe(1);
  });
});
