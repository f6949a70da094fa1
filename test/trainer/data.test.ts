/**
 * Training labels are resampled with the exact spacing ratio the image is, so they stay aligned: a
 * 512-voxel axis at 0.7 mm goes to 119 voxels at 3 mm (4.2857 source voxels per output voxel, where
 * dims / dims would give 4.3025 and drift by over a millimetre across the axis).
 */
import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, readNifti, writeNiftiFloat, writeNifti } from '../../src/infer/io/nifti';
import { CASE_LABELS } from '../../src/infer/contract/labels';
import { makeConfig } from '../../src/model';
import { draftCard } from '../../src/trainer/card';
import { prepareCase } from '../../src/trainer/data';

describe('prepareCase', () => {
  it('keeps labels aligned with the resampled image', () => {
    const dims: [number, number, number] = [512, 4, 4];
    const spacing: [number, number, number] = [0.7, 3, 3];
    const n = dims[0] * dims[1] * dims[2];
    const xmm = (i: number) => ((i % dims[0]) + 0.5) * spacing[0];
    const image = Float32Array.from({ length: n }, (_, i) => xmm(i));
    const labels = Uint8Array.from({ length: n }, (_, i) => Math.floor(xmm(i) / 30) % 2);
    const geo = { dims, header: makeNiftiHeader(dims, spacing) };
    const raw = {
      pair: { name: 'ramp', image: 'ramp_ct.nii', label: 'ramp_seg.nii' },
      image: readNifti(writeNiftiFloat(image, geo)),
      label: readNifti(writeNifti(labels, geo)),
    };
    const cfg = makeConfig('tiny');
    const card = draftCard('t', 'tiny', cfg, CASE_LABELS, [3, 3, 3], { clip: [-1e6, 1e6], mean: 0, std: 1 }, 0);
    const c = prepareCase(raw, card);
    let checked = 0;
    for (let i = 0; i < c.labels.length; i++) {
      const x = c.hu[i];
      if (x <= 0 || x >= dims[0] * spacing[0]) continue; // padding
      const phase = x % 30;
      if (phase < 0.8 || phase > 29.2) continue; // within one source voxel of a stripe edge
      expect(c.labels[i]).toBe(Math.floor(x / 30) % 2);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});
