/**
 * Helpers for the DICOM SEG tests: small source series with the identifying tags a SEG references,
 * label maps drawn as boxes, an independent decoding of a written SEG through dcmjs, and dciodvfy.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { data as dcm, log as dcmLog } from 'dcmjs';
import { type DicomFile, readDicomSeries, scanDicom } from '../../src/infer/io/dicom';
import type { DicomSource } from '../../src/infer/io/dicomSource';
import type { NiftiVolume } from '../../src/infer/io/nifti';
import { CT_IMAGE_STORAGE, type SourceIds, dicomMultiFrame, dicomSlice } from './dicomFixture';

dcmLog.setLevel('error');

export const STUDY_UID = '1.2.826.0.1.3680043.8.498.1001';
export const FOR_UID = '1.2.826.0.1.3680043.8.498.1002';

const ids = (extra: SourceIds): SourceIds => ({
  sopClassUid: CT_IMAGE_STORAGE, studyUid: STUDY_UID, frameOfReferenceUid: FOR_UID, patientName: 'Test^Patient', patientId: 'P1', studyDate: '20240102', ...extra,
});

/** A single-frame CT series of `nz` slices, 2.5 mm apart, listed out of order (the reader sorts them). */
export function singleFrameSeries(nz: number, rows = 6, columns = 8, seriesUid = '1.2.826.0.1.3680043.8.498.2001'): DicomFile[] {
  return Array.from({ length: nz }, (_, k) => nz - 1 - k).map((z) => ({
    name: `ct${z}.dcm`,
    bytes: dicomSlice({
      rows, columns, seriesUid, position: [-40, -30, 100 + 2.5 * z], pixelSpacing: [0.7, 0.8],
      pixels: Int16Array.from({ length: rows * columns }, (_, i) => 1000 + i + z),
      ids: ids({ sopInstanceUid: `1.2.826.0.1.3680043.8.498.3${z + 1}`, instanceNumber: z + 1, sliceThickness: 2.5 }),
    }),
  }));
}

/** One enhanced (multi-frame) CT file of `nz` frames, stored in reverse slice order. */
export function multiFrameSeries(nz: number, rows = 5, columns = 7): DicomFile[] {
  const frames = Array.from({ length: nz }, (_, k) => nz - 1 - k).map((z) => ({
    position: [10, 20, -50 + 3 * z] as [number, number, number],
    pixels: Int16Array.from({ length: rows * columns }, (_, i) => i - z),
  }));
  return [{ name: 'enhanced.dcm', bytes: dicomMultiFrame({ rows, columns, frames, ids: ids({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2.1', sopInstanceUid: '1.2.826.0.1.3680043.8.498.4' }) }) }];
}

export async function volumeOf(files: DicomFile[]): Promise<NiftiVolume & { source: DicomSource }> {
  const v = await readDicomSeries(scanDicom(files).series[0]);
  if (!v.source) throw new Error('the series has no source references');
  return v as NiftiVolume & { source: DicomSource };
}

/** A label map on `dims` with boxes [id, x0, x1, y0, y1, z0, z1] (inclusive), later boxes on top. */
export function boxes(dims: [number, number, number], list: number[][]): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(nx * ny * nz);
  for (const [id, x0, x1, y0, y1, z0, z1] of list) {
    for (let z = z0; z <= z1; z++) for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out[z * nx * ny + y * nx + x] = id;
  }
  return out;
}

type Item = Record<string, unknown>;
const seq = (v: unknown): Item[] => (Array.isArray(v) ? (v as Item[]) : v ? [v as Item] : []);

/** A written SEG naturalized by dcmjs. */
export function naturalize(bytes: Uint8Array): Item {
  const dict = dcm.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return { ...dcm.DicomMetaDictionary.naturalizeDataset(dict.dict), _meta: dcm.DicomMetaDictionary.naturalizeDataset(dict.meta) };
}

/**
 * The label map of a written SEG decoded independently of readDicomSeg: dcmjs parses it, the 1-bit
 * frames are unpacked here, each frame goes to the slice of its referenced SOP instance (and frame),
 * each segment to the label id its SegmentLabel names in `idOf`.
 */
export function dcmjsLabels(bytes: Uint8Array, source: DicomSource, idOf: Record<string, number>): Uint8Array {
  const ds = naturalize(bytes);
  const rows = Number(ds.Rows), columns = Number(ds.Columns), plane = rows * columns;
  const segLabel = new Map(seq(ds.SegmentSequence).map((s) => [Number(s.SegmentNumber), String(s.SegmentLabel)]));
  const raw = seq(ds.PixelData)[0] as unknown as ArrayBuffer;
  const px = new Uint8Array(raw);
  const zOf = new Map(source.slices.map((s, z) => [`${s.sopInstanceUid}#${s.frame ?? ''}`, z]));
  const out = new Uint8Array(plane * source.slices.length);
  seq(ds.PerFrameFunctionalGroupsSequence).forEach((fg, k) => {
    const src = seq(seq(fg.DerivationImageSequence)[0]?.SourceImageSequence)[0];
    const z = zOf.get(`${String(src.ReferencedSOPInstanceUID)}#${src.ReferencedFrameNumber ?? ''}`);
    const id = idOf[segLabel.get(Number(seq(fg.SegmentIdentificationSequence)[0].ReferencedSegmentNumber)) ?? ''];
    if (z === undefined || id === undefined) throw new Error(`frame ${k + 1}: no slice or label id`);
    for (let p = 0; p < plane; p++) {
      const bit = k * plane + p;
      if ((px[bit >> 3] >> (bit & 7)) & 1) out[z * plane + p] = id;
    }
  });
  return out;
}

/** How many voxels differ (a large typed array is compared here, not by a deep-equality matcher). */
export function voxelDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

export const DCIODVFY = '/usr/bin/dciodvfy';

/** dciodvfy's report on a file: its exit status and its lines (it writes them to stderr). */
export function dciodvfy(path: string, exe = DCIODVFY): { status: number | null; lines: string[] } {
  if (!existsSync(exe)) throw new Error(`${exe} not found: apt-get install dicom3tools`);
  const r = spawnSync(exe, [path], { encoding: 'utf8' });
  return { status: r.status, lines: `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() !== '') };
}
