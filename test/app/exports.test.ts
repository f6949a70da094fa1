import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';
import { baseName } from '../../src/app/actions';
import { itkSnapLabelFile, labelTableJson, organStats, organStatsCsv } from '../../src/app/exports';

const info = [
  { id: 0, name: 'background', color: [0, 0, 0] as [number, number, number] },
  { id: 1, name: 'liver', color: [221, 130, 101] as [number, number, number] },
  { id: 8, name: 'aorta', color: [224, 97, 76] as [number, number, number] },
  { id: 9, name: 'odd, "name"', color: [1, 2, 3] as [number, number, number] },
];
const ct: NiftiVolume = { dims: [2, 2, 1], spacing: [2, 2, 2.5], data: Float32Array.from([50, 70, 300, -1000]), affine: [], datatype: 16, header: makeNiftiHeader([2, 2, 1], [2, 2, 2.5]), warnings: [] };

describe('results out', () => {
  it('organ table: voxels, mL and mean HU per organ; an absent organ has an empty mean', () => {
    const rows = organStats(Uint8Array.from([1, 1, 8, 0]), ct, info);
    expect(rows).toEqual([
      { id: 1, name: 'liver', voxels: 2, ml: 0.02, meanHu: 60 },
      { id: 8, name: 'aorta', voxels: 1, ml: 0.01, meanHu: 300 },
      { id: 9, name: 'odd, "name"', voxels: 0, ml: 0, meanHu: NaN },
    ]);
    expect(organStatsCsv(rows)).toBe('label_id,organ,voxels,volume_ml,mean_hu\n1,liver,2,0.02,60.0\n8,aorta,1,0.01,300.0\n9,"odd, ""name""",0,0.00,\n');
  });

  it('label names: an ITK-SNAP label description file and JSON, in the colours shown', () => {
    const txt = itkSnapLabelFile(info);
    expect(txt).toContain('# ITK-SnAP Label Description File');
    const rows = txt.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 7).map(Number))).toEqual([
      [0, 0, 0, 0, 0, 0, 0], [1, 214, 124, 62, 1, 1, 1], [8, 225, 30, 40, 1, 1, 1], [9, 1, 2, 3, 1, 1, 1],
    ]);
    expect(rows[1]).toMatch(/"liver"$/);
    expect(rows[3]).toMatch(/"odd, 'name'"$/);
    const json = JSON.parse(labelTableJson(info, 'fine-small')) as { model: string; labels: { id: number; name: string; color: number[] }[] };
    expect(json.model).toBe('fine-small');
    expect(json.labels.map((l) => l.name)).toEqual(['background', 'liver', 'aorta', 'odd, "name"']);
  });

  it('download names drop the NIfTI extension and characters file systems refuse', () => {
    expect(baseName('phantom.nii.gz')).toBe('phantom');
    expect(baseName('Recon 3: LIVER (C/A/P)')).toBe('Recon 3_ LIVER (C_A_P)');
  });
});
