/**
 * The DICOM reader: series grouping, slice sorting, geometry (LPS to RAS), rescale, RLE, and its
 * refusals, on files written here; then the two real series in ../shared/data/dicom when present:
 * caseB (JPEG 2000) against its NIfTI conversion in world coordinates, and hcc048 (uncompressed;
 * TCIA HCC-TACE-Seg, subject HCC_048, Moawad et al. 2021, doi:10.7937/TCIA.5FNA-0924, CC BY 4.0).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomError, readDicomFiles, readDicomSeries, scanDicom } from '../../src/infer/io/dicom';
import { type NiftiVolume, readNifti, writeNiftiInt16 } from '../../src/infer/io/nifti';
import { readInputVolume } from '../../src/infer/io/readInput';
import { ENCODED_SYNTAXES, type SliceSpec, dicomMultiFrame, dicomSlice, encodeFrame } from './dicomFixture';

const slice = (s: Partial<SliceSpec> & { z: number }, name = `s${s.z}.dcm`) => ({
  name,
  bytes: dicomSlice({ rows: 3, columns: 4, position: [10, 20, s.z], ...s }),
});

const ramp = (z: number) => Int16Array.from({ length: 12 }, (_, i) => 1000 + 100 * z + i);

describe('DICOM reader on generated files', () => {
  it('groups by series, sorts slices by position, maps LPS to RAS and applies the rescale', async () => {
    const files = [3, 0, 2, 1].map((z) => slice({ z: 2.5 * z, pixels: ramp(z), pixelSpacing: [0.5, 0.8], slope: 2, intercept: -1024 }));
    files.push(slice({ z: 0, seriesUid: '9.9', description: 'scout', rows: 2, columns: 2 }, 'scout.dcm'));
    files.push({ name: 'README.txt', bytes: new TextEncoder().encode('not dicom') });
    const scan = scanDicom(files);
    expect(scan.series.map((s) => [s.info.description, s.info.sliceCount])).toEqual([['test series', 4], ['scout', 1]]);
    expect(scan.series[0].info.spacing).toEqual([0.8, 0.5, 2.5]);
    expect(scan.skipped).toHaveLength(1);
    const v = await readDicomSeries(scan.series[0]);
    expect(v.dims).toEqual([4, 3, 4]);
    expect(v.spacing).toEqual([0.8, 0.5, 2.5]);
    // column step 0.8 mm along L (RAS -x), row step 0.5 mm along P (RAS -y), slices 2.5 mm along S.
    expect(v.affine).toEqual([-0.8, 0, 0, -10, 0, -0.5, 0, -20, 0, 0, 2.5, 0, 0, 0, 0, 1]);
    for (let z = 0; z < 4; z++) expect(v.data[z * 12 + 5]).toBe((1000 + 100 * z + 5) * 2 - 1024);
    expect(v.warnings).toEqual([]);
    const back = readNifti(writeNiftiInt16(v.data, v));
    expect(back.affine.map((x) => Math.round(x * 100) / 100)).toEqual(v.affine);
    expect(Array.from(back.data)).toEqual(Array.from(v.data));
  });

  it('decodes RLE Lossless frames to the same HU as uncompressed ones', async () => {
    const raw = await readDicomSeries(scanDicom([0, 1].map((z) => slice({ z, pixels: ramp(z) }))).series[0]);
    const rle = await readDicomSeries(scanDicom([0, 1].map((z) => slice({ z, pixels: ramp(z), rle: true }))).series[0]);
    expect(Array.from(rle.data)).toEqual(Array.from(raw.data));
  });

  // Frames encoded here with the codecs' own encoders (the full builds), then read back through the reader.
  for (const [name, pkg, cls, ts] of ENCODED_SYNTAXES) {
    it(`decodes ${name} frames to the same HU as uncompressed ones`, async () => {
      const px = (z: number) => Int16Array.from({ length: 16 * 12 }, (_, i) => -1000 + 37 * z + ((i * 7919) % 2100));
      const raw = await readDicomSeries(scanDicom([0, 1].map((z) => slice({ z, pixels: px(z), rows: 12, columns: 16 }))).series[0]);
      const files = await Promise.all([0, 1].map(async (z) => slice({ z, pixels: px(z), rows: 12, columns: 16, transferSyntax: ts, frame: await encodeFrame(pkg, cls, px(z), 12, 16) })));
      const decoded = await readDicomSeries(scanDicom(files).series[0]);
      expect(Array.from(decoded.data)).toEqual(Array.from(raw.data));
    });
  }

  it('reads an enhanced (multi-frame) image, frames in any order, uncompressed or one JPEG-LS frame per fragment', async () => {
    const px = (z: number) => Int16Array.from({ length: 12 }, (_, i) => 1000 + 50 * z + i);
    const singles = await readDicomSeries(scanDicom([0, 1, 2].map((z) => slice({ z: 2 * z, pixels: px(z) }))).series[0]);
    const order = [2, 0, 1];
    const frames = order.map((z) => ({ position: [10, 20, 2 * z] as [number, number, number], pixels: px(z) }));
    const raw = scanDicom([{ name: 'enhanced.dcm', bytes: dicomMultiFrame({ rows: 3, columns: 4, frames }) }]);
    expect(raw.series[0].info.sliceCount).toBe(3);
    const v = await readDicomSeries(raw.series[0]);
    expect(v.dims).toEqual([4, 3, 3]);
    expect(v.affine).toEqual(singles.affine);
    expect(Array.from(v.data)).toEqual(Array.from(singles.data));
    const [, pkg, cls, ts] = ENCODED_SYNTAXES[0];
    const encoded = await Promise.all(order.map((z) => encodeFrame(pkg, cls, px(z), 3, 4)));
    const ls = await readDicomSeries(scanDicom([{ name: 'enhanced-ls.dcm', bytes: dicomMultiFrame({ rows: 3, columns: 4, frames, transferSyntax: ts, encoded }) }]).series[0]);
    expect(Array.from(ls.data)).toEqual(Array.from(singles.data));
    // Two fragments for three frames and no offset table: refused in one line.
    const bad = dicomMultiFrame({ rows: 3, columns: 4, frames, transferSyntax: ts, encoded: encoded.slice(0, 2) });
    await expect(readDicomSeries(scanDicom([{ name: 'bad.dcm', bytes: bad }]).series[0])).rejects.toThrow(/2 fragments for 3 frames and no Basic Offset Table/);
  });

  it('warns on a non-CT modality, uneven spacing and gantry tilt', async () => {
    const mr = await readDicomSeries(scanDicom([0, 2, 6].map((z) => slice({ z, modality: 'MR' }))).series[0]);
    expect(mr.warnings.join('\n')).toMatch(/modality is MR, not CT/);
    expect(mr.warnings.join('\n')).toMatch(/uneven slice spacing/);
    const tilted = await readDicomSeries(scanDicom([0, 1, 2].map((z) => ({ name: `t${z}`, bytes: dicomSlice({ rows: 3, columns: 4, position: [0, 0.3 * z, z] }) }))).series[0]);
    expect(tilted.warnings.join('\n')).toMatch(/gantry tilt of 16\.7°/);
  });

  it('refuses mixed sizes, duplicate positions, unsupported syntaxes and folders without images, in one line', async () => {
    const mixed = scanDicom([slice({ z: 0 }), slice({ z: 1, rows: 5 })]).series[0];
    await expect(readDicomSeries(mixed)).rejects.toThrow(/mixed slice sizes \(4x3 and 4x5/);
    await expect(readDicomSeries(scanDicom([slice({ z: 0 }, 'a'), slice({ z: 0 }, 'b')]).series[0])).rejects.toThrow(/same position/);
    const lossy = scanDicom([slice({ z: 0, transferSyntax: '1.2.840.10008.1.2.4.50' })]).series[0];
    await expect(readDicomSeries(lossy)).rejects.toThrow(/JPEG baseline \(lossy, 8-bit\) .* is not supported/);
    const garbage = scanDicom([slice({ z: 0, transferSyntax: '1.2.840.10008.1.2.4.80', frame: new Uint8Array(40).fill(7) })]).series[0];
    await expect(readDicomSeries(garbage)).rejects.toThrow(/could not decode the JPEG-LS lossless pixel data/);
    expect(() => scanDicom([{ name: 'x.txt', bytes: new Uint8Array(10) }])).toThrow(DicomError);
    for (const bad of [mixed]) await expect(readDicomSeries(bad)).rejects.not.toThrow(/\n/);
  });
});

const DATA = resolve(__dirname, '../../../shared/data');
const present = existsSync(join(DATA, 'dicom', 'caseB')) && existsSync(join(DATA, 'dicom', 'hcc048'));
if (!present) console.warn(`skipping real DICOM tests: ${join(DATA, 'dicom')} not found (../shared/data is not part of a fresh clone)`);

const folder = (name: string) =>
  readdirSync(join(DATA, 'dicom', name)).map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(DATA, 'dicom', name, f))) }));

/** Voxel index to world through a row-major affine, and back with its inverse (3x3 part + offset). */
function toWorld(a: number[], v: number[]): number[] {
  return [0, 1, 2].map((r) => a[4 * r] * v[0] + a[4 * r + 1] * v[1] + a[4 * r + 2] * v[2] + a[4 * r + 3]);
}
function toVoxel(a: number[], w: number[]): number[] {
  const m = [0, 1, 2].map((r) => [a[4 * r], a[4 * r + 1], a[4 * r + 2]]);
  const d = w.map((x, r) => x - a[4 * r + 3]);
  const det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const col = (c: number, v: number[]) => m.map((row, r) => row.map((x, k) => (k === c ? v[r] : x)));
  const det3 = (q: number[][]) => q[0][0] * (q[1][1] * q[2][2] - q[1][2] * q[2][1]) - q[0][1] * (q[1][0] * q[2][2] - q[1][2] * q[2][0]) + q[0][2] * (q[1][0] * q[2][1] - q[1][1] * q[2][0]);
  return [0, 1, 2].map((c) => det3(col(c, d)) / det);
}
const at = (v: NiftiVolume, i: number[]) => v.data[i[0] + v.dims[0] * (i[1] + v.dims[1] * i[2])];

describe.skipIf(!present)('real DICOM series from ../shared/data/dicom', () => {
  it('caseB (JPEG 2000, 20 slices) matches its NIfTI conversion voxel for voxel in world coordinates', async () => {
    const t0 = performance.now();
    const { volume: d, series } = await readDicomFiles(folder('caseB'));
    console.log(`caseB: read and decoded ${series.sliceCount} JPEG 2000 slices in ${(performance.now() - t0).toFixed(0)} ms`);
    const n = readNifti(new Uint8Array(readFileSync(join(DATA, 'ct', 'caseB_ct.nii.gz'))));
    expect(d.dims).toEqual([512, 512, 20]);
    expect([...d.dims].sort()).toEqual([...n.dims].sort());
    expect(d.spacing.map((s) => Number(s.toFixed(4)))).toEqual([0.9766, 0.9766, 2]);
    let worst = 0, maxMm = 0, sampled = 0;
    for (let s = 0; s < 4000; s++) {
      const i = [(s * 7919) % 512, (s * 104729) % 512, s % 20];
      const w = toWorld(d.affine, i);
      const j = toVoxel(n.affine, w).map(Math.round);
      if (j.some((x, a) => x < 0 || x >= n.dims[a])) continue;
      maxMm = Math.max(maxMm, ...toWorld(n.affine, j).map((x, a) => Math.abs(x - w[a])));
      worst = Math.max(worst, Math.abs(at(d, i) - at(n, j)));
      sampled++;
    }
    expect(sampled).toBe(4000);
    expect(maxMm).toBeLessThan(0.01);
    expect(worst).toBe(0);
  });

  it('hcc048 (uncompressed, 89 slices): 0.70 mm pixels, 2.5 mm slices, air near -1000 HU, padding kept at -2048', async () => {
    const t0 = performance.now();
    const { volume: v, scan } = await readDicomFiles(folder('hcc048'));
    console.log(`hcc048: read ${v.dims[2]} uncompressed slices in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(scan.series).toHaveLength(1);
    expect(scan.skipped.join()).toMatch(/LICENSE_TCIA\.txt/);
    expect(v.dims).toEqual([512, 512, 89]);
    expect(v.spacing).toEqual([0.703125, 0.703125, 2.5]);
    expect(v.affine.slice(0, 12)).toEqual([-0.703125, 0, 0, 180, 0, -0.703125, 0, 180, 0, 0, 2.5, -396]);
    expect(v.warnings).toEqual([]);
    const mid = 44 * 512 * 512;
    expect(v.data[mid]).toBe(-2048); // corner: outside the scan circle
    // inside the circle, in front of the body (anterior = low row index): air
    const air = v.data[mid + 60 * 512 + 256];
    expect(air).toBeGreaterThan(-1100);
    expect(air).toBeLessThan(-900);
  });

  it('readInputVolume reads a DICOM folder and names the series', async () => {
    const lines: string[] = [];
    const v = await readInputVolume(join(DATA, 'dicom', 'hcc048'), (s) => lines.push(s));
    expect(v.dims).toEqual([512, 512, 89]);
    expect(lines).toEqual([`DICOM: #6 CT 'Recon 3: LIVER 2 PHASE (C/A/P)', 89 slices, 512x512, 0.7x0.7x2.5 mm`]);
  });
});
