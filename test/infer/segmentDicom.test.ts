/** `npm run segment -- --input <DICOM folder>`: the label map is a NIfTI on the series' grid (../shared/data/dicom/caseB). */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { segmentFile } from '../../src/infer/cli/segment';
import { readNifti } from '../../src/infer/io/nifti';

const CASE_B = resolve(__dirname, '../../../shared/data/dicom/caseB');
const present = existsSync(CASE_B);
if (!present) console.warn(`skipping the DICOM segment test: ${CASE_B} not found (../shared/data is not part of a fresh clone)`);

describe.skipIf(!present)('segment --input <DICOM folder>', () => {
  it('segments caseB (JPEG 2000) and writes the label map on the series grid', async () => {
    const output = join(mkdtempSync(join(tmpdir(), 'fine-dicom-')), 'caseB_seg.nii.gz');
    const lines: string[] = [];
    await segmentFile(['--input', CASE_B, '--output', output, '--model', 'models/fine-tiny.json'], (s) => lines.push(s), () => {});
    expect(lines[0]).toBe(`DICOM: CT 'CT Body 3.0', 20 slices, 512x512, 0.98x0.98x2 mm`);
    expect(lines.join('\n')).toMatch(/wrote .*caseB_seg\.nii\.gz \(512x512x20/);
    const seg = readNifti(new Uint8Array(readFileSync(output)));
    expect(seg.dims).toEqual([512, 512, 20]);
    expect(seg.datatype).toBe(2);
    const f = (a: number[]) => a.map((x) => Number(x.toFixed(3)));
    expect(f(seg.affine)).toEqual(f([-0.9765625, 0, 0, 249.51171875, 0, -0.9765625, 0, 437.51171875, 0, 0, 2, -804.5, 0, 0, 0, 1]));
  });
});
