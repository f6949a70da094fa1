/**
 * `npm run segment -- --input <DICOM folder>`: the label map is a NIfTI on the series' grid, and with
 * `--dicom-seg` also a DICOM SEG that reads back to the same labels. A series generated here from the
 * phantom always runs; ../shared/data/dicom/caseB and hcc048 run when present.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { segmentFile } from '../../src/infer/cli/segment';
import { readDicomSeg } from '../../src/infer/io/dicomSegRead';
import { makeNiftiHeader, readNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import { readInputVolume } from '../../src/infer/io/readInput';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { CT_IMAGE_STORAGE, dicomSlice } from './dicomFixture';
import { voxelDiff } from './segFixture';

const CASE_B = resolve(__dirname, '../../../shared/data/dicom/caseB');
const HCC048 = resolve(__dirname, '../../../shared/data/dicom/hcc048');
const present = existsSync(CASE_B) && existsSync(HCC048);
if (!present) console.warn(`skipping the DICOM segment tests on real series: ${CASE_B} or ${HCC048} not found (../shared/data is not part of a fresh clone)`);
const CARD = 'models/fine-tiny.json';
const dir = mkdtempSync(join(tmpdir(), 'fine-dicom-'));

/** The NIfTI's labels and the SEG's labels read onto the series, for comparison. */
async function outputs(input: string, nifti: string, seg: string) {
  const source = (await readInputVolume(input)).source;
  if (!source) throw new Error(`${input} was read without its source references`);
  const fromNifti = Uint8Array.from(readNifti(new Uint8Array(readFileSync(nifti))).data);
  const read = readDicomSeg(new Uint8Array(readFileSync(seg)), source, seg);
  return { fromNifti, read };
}

/** The phantom (RAS, 3 mm) as a DICOM series: rows along -x (LPS), columns along -y, so the grid reads back as RAS. */
function phantomFolder(): string {
  const folder = join(dir, 'phantom-dicom');
  mkdirSync(folder);
  const [nx, ny, nz] = [40, 32, 20];
  const p = makePhantom({ dims: [nx, ny, nz], spacing: [3, 3, 3], seed: 4 });
  for (let z = 0; z < nz; z++) {
    const pixels = Int16Array.from(p.image.subarray(z * nx * ny, (z + 1) * nx * ny), (v) => Math.round(v));
    writeFileSync(join(folder, `im${z}.dcm`), dicomSlice({
      rows: ny, columns: nx, position: [0, 0, 3 * z], orientation: [-1, 0, 0, 0, -1, 0], pixelSpacing: [3, 3], intercept: 0, pixels,
      seriesUid: '1.2.826.0.1.3680043.8.498.5000',
      ids: { sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: `1.2.826.0.1.3680043.8.498.50${z + 10}`, studyUid: '1.2.826.0.1.3680043.8.498.5001', frameOfReferenceUid: '1.2.826.0.1.3680043.8.498.5002', sliceThickness: 3 },
    }));
  }
  return folder;
}

describe('segment --input <DICOM folder> --dicom-seg', () => {
  it('writes a SEG of a generated series that reads back to the NIfTI labels', async () => {
    const input = phantomFolder();
    const [output, seg] = [join(dir, 'phantom_seg.nii.gz'), join(dir, 'phantom_seg.dcm')];
    const lines: string[] = [];
    await segmentFile(['--input', input, '--output', output, '--dicom-seg', seg, '--model', CARD], (s) => lines.push(s), () => {});
    expect(lines.join('\n')).toMatch(/wrote .*phantom_seg\.dcm \(DICOM SEG of series 1\.2\.826\.0\.1\.3680043\.8\.498\.5000, \d+ bytes\)/);
    const { fromNifti, read } = await outputs(input, output, seg);
    expect(read.mapping).toBe('name');
    expect(read.algorithm?.name).toBe('fine-tiny');
    expect(read.algorithm?.version).toMatch(/^[0-9a-f]{64}$/);
    expect(read.segments.length).toBeGreaterThan(0);
    expect(fromNifti.some((v) => v > 0)).toBe(true);
    expect(voxelDiff(read.labels, fromNifti)).toBe(0);
  });

  it('refuses --dicom-seg for a NIfTI input, and a SEG path inside the input folder, in one line', async () => {
    const nii = join(dir, 'ct.nii');
    writeFileSync(nii, writeNiftiFloat(new Float32Array(8 * 8 * 4).fill(-1000), { dims: [8, 8, 4], header: makeNiftiHeader([8, 8, 4], [3, 3, 3]) }));
    const run = (args: string[]) => segmentFile([...args, '--model', CARD], () => {}, () => {});
    await expect(run(['--input', nii, '--output', join(dir, 'x.nii.gz'), '--dicom-seg', join(dir, 'x.dcm')])).rejects.toThrow(
      /^--dicom-seg: a DICOM SEG needs a DICOM series as input; \S+ct\.nii is NIfTI$/,
    );
    const folder = join(dir, 'phantom-dicom');
    await expect(run(['--input', folder, '--output', join(dir, 'y.nii.gz'), '--dicom-seg', join(folder, 'seg.dcm')])).rejects.toThrow(/is inside the input folder; choose another path/);
    expect(existsSync(join(dir, 'x.nii.gz')) || existsSync(join(dir, 'y.nii.gz'))).toBe(false);
  });
});

describe.skipIf(!present)('segment --input <DICOM folder>', () => {
  it('segments caseB (JPEG 2000) and writes the label map on the series grid', async () => {
    const output = join(dir, 'caseB_seg.nii.gz');
    const lines: string[] = [];
    await segmentFile(['--input', CASE_B, '--output', output, '--model', CARD], (s) => lines.push(s), () => {});
    expect(lines[0]).toBe(`DICOM: CT 'CT Body 3.0', 20 slices, 512x512, 0.98x0.98x2 mm`);
    expect(lines.join('\n')).toMatch(/wrote .*caseB_seg\.nii\.gz \(512x512x20/);
    const seg = readNifti(new Uint8Array(readFileSync(output)));
    expect(seg.dims).toEqual([512, 512, 20]);
    expect(seg.datatype).toBe(2);
    const f = (a: number[]) => a.map((x) => Number(x.toFixed(3)));
    expect(f(seg.affine)).toEqual(f([-0.9765625, 0, 0, 249.51171875, 0, -0.9765625, 0, 437.51171875, 0, 0, 2, -804.5, 0, 0, 0, 1]));
  });

  it('refuses --dicom-seg for caseB before segmenting: its de-identification blanked the UIDs a SEG references', async () => {
    const output = join(dir, 'caseB_noseg.nii.gz');
    await expect(segmentFile(['--input', CASE_B, '--output', output, '--dicom-seg', join(dir, 'caseB.dcm'), '--model', CARD], () => {}, () => {})).rejects.toThrow(
      /^--dicom-seg: the series has no valid StudyInstanceUID, SeriesInstanceUID, the SOP class\/instance UID of slice 0 \(de-identified without UIDs\?\); a DICOM SEG cannot reference it$/,
    );
    expect(existsSync(output)).toBe(false);
  });

  it('segments hcc048 (TCIA HCC-TACE-Seg HCC_048, CC BY 4.0) into a NIfTI and a SEG with the same labels', async () => {
    const [output, seg] = [join(dir, 'hcc048_seg.nii.gz'), join(dir, 'hcc048_seg.dcm')];
    await segmentFile(['--input', HCC048, '--output', output, '--dicom-seg', seg, '--model', CARD], () => {}, () => {});
    const { fromNifti, read } = await outputs(HCC048, output, seg);
    expect(read.referencedSeriesUid).not.toBe('');
    expect(read.segments.length).toBeGreaterThan(0);
    expect(voxelDiff(read.labels, fromNifti)).toBe(0);
  });
});
