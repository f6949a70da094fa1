/**
 * Written SEGs checked by dciodvfy (dicom3tools): no "Error" line, exit status 0. On generated series
 * (single- and multi-frame sources) and, when ../shared/data is present, on the real hcc048 series
 * (TCIA HCC-TACE-Seg, subject HCC_048, Moawad et al. 2021, doi:10.7937/TCIA.5FNA-0924, CC BY 4.0)
 * with a label map drawn as boxes. A missing dciodvfy fails the test (apt-get install dicom3tools).
 *
 * Warnings dciodvfy still prints, all inherited from the source series (the SEG copies the patient
 * and study attributes of the series it belongs to):
 *   Warning - Missing attribute or value that would be needed to build DICOMDIR - Study Time
 *   Warning - Missing attribute or value that would be needed to build DICOMDIR - Study ID
 *   Warning - Value dubious for this VR - (0x0010,0x0010) PN Patient's Name  PN [1] = <Patient_01> - Retired Person Name form  (hcc048 only)
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SegSegment, writeDicomSeg } from '../../src/infer/io/dicomSeg';
import { readDicomSeg } from '../../src/infer/io/dicomSegRead';
import { readInputVolume } from '../../src/infer/io/readInput';
import type { DicomSource } from '../../src/infer/io/dicomSource';
import { boxes, dciodvfy, dcmjsLabels, multiFrameSeries, singleFrameSeries, voxelDiff, volumeOf } from './segFixture';

const dir = mkdtempSync(join(tmpdir(), 'fine-seg-'));
const HCC048 = resolve(__dirname, '../../../shared/data/dicom/hcc048');
const present = existsSync(HCC048);
if (!present) console.warn(`skipping the SEG check on hcc048: ${HCC048} not found (../shared/data is not part of a fresh clone)`);

const SEGMENTS: SegSegment[] = [
  { id: 1, name: 'liver', color: [221, 130, 101] },
  { id: 2, name: 'spleen', color: [157, 108, 162] },
  { id: 9, name: 'inferior_vena_cava', color: [0, 151, 206] },
  { id: 12, name: 'tumour', color: [255, 255, 0] },
];
const ALGO = { name: 'fine-small', version: 'ae7f864eaa536af57ddfd7485a8473206d5df3a198aea565e8638879e34fc28f' };

function verify(name: string, labels: Uint8Array, source: DicomSource, corrected = false): string[] {
  const path = join(dir, name);
  writeFileSync(path, writeDicomSeg(labels, source, { segments: SEGMENTS, algorithm: ALGO, corrected, contentCreator: 'Reader^Test' }));
  const r = dciodvfy(path);
  expect(r.lines.filter((l) => /error/i.test(l))).toEqual([]);
  expect(r.lines).toContain('Segmentation');
  expect(r.status).toBe(0);
  return r.lines;
}

describe('dciodvfy on written SEGs', () => {
  it('finds no error in a SEG of a single-frame series, automatic and corrected', async () => {
    const v = await volumeOf(singleFrameSeries(5));
    const labels = boxes([8, 6, 5], [[1, 0, 3, 0, 2, 1, 3], [12, 6, 7, 4, 5, 2, 2], [9, 5, 5, 0, 5, 0, 4]]);
    const lines = verify('single.dcm', labels, v.source);
    expect(lines.filter((l) => l.startsWith('Warning')).every((l) => /DICOMDIR - Study (Time|ID)$/.test(l))).toBe(true);
    verify('single-corrected.dcm', labels, v.source, true);
  });

  it('finds no error in a SEG of a multi-frame (enhanced CT) source', async () => {
    const v = await volumeOf(multiFrameSeries(4));
    verify('multi.dcm', boxes([7, 5, 4], [[2, 0, 2, 0, 1, 0, 3], [1, 4, 6, 3, 4, 1, 2]]), v.source);
  });

  it('a missing dciodvfy is a failure that says how to install it, not a skip', () => {
    expect(() => dciodvfy(join(dir, 'single.dcm'), join(dir, 'no-dciodvfy'))).toThrow(/^\S+no-dciodvfy not found: apt-get install dicom3tools$/);
  });
});

describe.skipIf(!present)('a SEG of the real hcc048 series', () => {
  it('passes dciodvfy and reads back voxel for voxel (our reader and dcmjs)', async () => {
    const v = await readInputVolume(HCC048);
    if (!v.source) throw new Error('hcc048 was read without its source references');
    expect(v.dims).toEqual([512, 512, 89]);
    const labels = boxes([512, 512, 89], [[1, 100, 250, 150, 300, 20, 60], [2, 300, 380, 200, 260, 30, 50], [9, 240, 260, 280, 300, 0, 88]]);
    const lines = verify('hcc048.dcm', labels, v.source);
    expect(lines.filter((l) => l.startsWith('Warning')).length).toBeLessThanOrEqual(3);
    const bytes = writeDicomSeg(labels, v.source, { segments: SEGMENTS, algorithm: ALGO });
    expect(voxelDiff(readDicomSeg(bytes, v.source, 'hcc048.dcm').labels, labels)).toBe(0);
    expect(voxelDiff(dcmjsLabels(bytes, v.source, { liver: 1, spleen: 2, inferior_vena_cava: 9 }), labels)).toBe(0);
  });
});
