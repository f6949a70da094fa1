/**
 * DICOM CT series to the project's `NiftiVolume`. Pure (no DOM, no node:fs): it takes file names and
 * bytes. dicom-parser reads the data sets; compressed pixel data goes through dicomCodecs.ts.
 *
 * - `scanDicom(files)` groups the files that are DICOM by SeriesInstanceUID and describes each series.
 * - `readDicomSeries(series)` sorts its slices along the slice normal by ImagePositionPatient, takes
 *   the geometry from ImageOrientationPatient / PixelSpacing / the slice positions and the HU from
 *   RescaleSlope / RescaleIntercept. Voxels keep the stored order: x = column, y = row, z = the sorted
 *   slice; the affine maps them to NIfTI RAS+ world mm (DICOM's LPS with x and y negated).
 */
import { ReaderError } from './readerError';
import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { DT_FLOAT32, DT_INT16, type Vec3, makeNiftiHeader } from './niftiHeader';
import type { NiftiVolume } from './nifti';
import type { DicomSource } from './dicomSource';
import {
  TRANSFER_SYNTAXES, UNSUPPORTED_SYNTAXES, decodeJpegLossless, decodeRle, decodeWasm, isHtj2k, isJpeg2000, isJpegLossless, isJpegLs, isRle,
} from './dicomCodecs';
import { errorText } from '../../util/errorText';

export class DicomError extends ReaderError {
  override name = 'DicomError';
}

export interface DicomFile {
  name: string;
  bytes: Uint8Array;
}

/** What the UI and the CLI show of a series (plain data: it crosses worker boundaries). */
export interface DicomSeriesInfo {
  uid: string;
  description: string;
  modality: string;
  seriesNumber: number | null;
  sliceCount: number;
  /** columns x rows x slices of the first slice's size. */
  dims: Vec3;
  /** Pixel spacing (column, row) and the slice spacing from the positions (0 when one slice). */
  spacing: Vec3;
  transferSyntax: string;
}

interface Slice {
  name: string;
  ds: DataSet;
  bytes: Uint8Array;
  /**
   * A frame of a multi-frame (enhanced) image: its index and the functional-group data sets that
   * describe it, per-frame first, then shared (PS3.3 C.7.6.16).
   */
  frame?: { index: number; groups: DataSet[] };
}

export interface DicomSeries {
  info: DicomSeriesInfo;
  slices: Slice[];
}

export interface DicomScan {
  series: DicomSeries[];
  /** Files that are not DICOM images (no DICM magic and no parseable data set, or no pixel data), one line each. */
  skipped: string[];
  /** DICOM Segmentation (SEG) instances among the files: results to load onto a series, not series of their own. */
  segmentations: DicomFile[];
}

const TAG = {
  transferSyntax: 'x00020010',
  modality: 'x00080060',
  seriesDescription: 'x0008103e',
  seriesUid: 'x0020000e',
  seriesNumber: 'x00200011',
  instanceNumber: 'x00200013',
  position: 'x00200032',
  orientation: 'x00200037',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  frames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  bitsAllocated: 'x00280100',
  pixelRepresentation: 'x00280103',
  intercept: 'x00281052',
  slope: 'x00281053',
  pixelData: 'x7fe00010',
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  frameOfReferenceUid: 'x00200052',
} as const;

/** Patient and study attributes copied into a derived object (a SEG) so that it files with its source. */
const PATIENT_STUDY = {
  patientName: 'x00100010', patientId: 'x00100020', patientBirthDate: 'x00100030', patientSex: 'x00100040',
  studyInstanceUid: 'x0020000d', studyDate: 'x00080020', studyTime: 'x00080030', studyId: 'x00200010',
  accessionNumber: 'x00080050', referringPhysicianName: 'x00080090', studyDescription: 'x00081030',
} as const;

/** SOP Class UID of the Segmentation Storage SOP class. */
export const SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';

/** True when the bytes carry the Part 10 "DICM" marker at offset 128. */
export function hasDicomMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

const FUNCTIONAL_GROUPS = { perFrame: 'x52009230', shared: 'x52009229' } as const;

/** The functional-group macro (a sequence) that holds a tag in an enhanced image. */
const MACRO: Readonly<Record<string, string>> = {
  x00200032: 'x00209113', // ImagePositionPatient in PlanePositionSequence
  x00200037: 'x00209116', // ImageOrientationPatient in PlaneOrientationSequence
  x00280030: 'x00289110', // PixelSpacing in PixelMeasuresSequence
  x00180050: 'x00289110', // SliceThickness in PixelMeasuresSequence
  x00281052: 'x00289145', // RescaleIntercept in PixelValueTransformationSequence
  x00281053: 'x00289145', // RescaleSlope in PixelValueTransformationSequence
};

/** A slice's attribute: from its frame's functional groups when it is a frame of an enhanced image, else from the data set. */
function attr(s: Slice, tag: string): string | undefined {
  const macro = MACRO[tag];
  if (s.frame && macro) {
    for (const g of s.frame.groups) {
      const v = g.elements[macro]?.items?.[0]?.dataSet?.string(tag);
      if (v !== undefined) return v;
    }
  }
  return s.ds.string(tag);
}

const numbers = (s: Slice, tag: string): number[] => {
  const v = attr(s, tag);
  return v ? v.split('\\').map(Number) : [];
};

/** Most frames read from one multi-frame file (a corrupt NumberOfFrames must not allocate without bound). */
const MAX_FRAMES = 4096;

/** One slice per file, or one per frame of a multi-frame (enhanced) image; a line for `skipped` when the frame count is unusable. */
function slicesOf(file: DicomFile, ds: DataSet): Slice[] | string {
  const frames = Number(ds.string(TAG.frames) ?? '1');
  if (!(frames > 1)) return [{ name: file.name, ds, bytes: file.bytes }];
  if (!Number.isInteger(frames) || frames > MAX_FRAMES) return `${file.name}: NumberOfFrames is ${ds.string(TAG.frames)}; at most ${MAX_FRAMES} frames per file are read`;
  const perFrame = ds.elements[FUNCTIONAL_GROUPS.perFrame]?.items ?? [];
  const shared = ds.elements[FUNCTIONAL_GROUPS.shared]?.items?.[0]?.dataSet;
  return Array.from({ length: frames }, (_, i) => ({
    name: `${file.name} [frame ${i + 1}/${frames}]`, ds, bytes: file.bytes,
    frame: { index: i, groups: [perFrame[i]?.dataSet, shared].filter((g): g is DataSet => g !== undefined) },
  }));
}

function parse(file: DicomFile): DataSet | string {
  try {
    // Part 10 files carry their transfer syntax; a bare data set is read as implicit VR little endian.
    const ds = dicomParser.parseDicom(file.bytes, hasDicomMagic(file.bytes) ? undefined : { TransferSyntaxUID: '1.2.840.10008.1.2' });
    return ds;
  } catch (e) {
    return `${file.name}: not DICOM (${errorText(e)})`;
  }
}

/** A SEG instance (by SOP class or modality); false when those attributes cannot be read (a damaged file). */
function isSegmentation(ds: DataSet): boolean {
  try {
    return (ds.string(TAG.sopClassUid) ?? '').trim() === SEG_SOP_CLASS_UID || (ds.string(TAG.modality) ?? '').trim() === 'SEG';
  } catch {
    return false;
  }
}

function describe(uid: string, slices: Slice[]): DicomSeriesInfo {
  const ds = slices[0].ds;
  const ps = numbers(slices[0], TAG.pixelSpacing);
  const positions = slices.map((s) => numbers(s, TAG.position)).filter((p) => p.length === 3);
  const o = numbers(slices[0], TAG.orientation);
  let dz = 0;
  if (positions.length > 1 && o.length === 6) {
    const n = cross(o.slice(0, 3) as Vec3, o.slice(3, 6) as Vec3);
    const d = positions.map((p) => dot(p as Vec3, n)).sort((a, b) => a - b);
    dz = (d[d.length - 1] - d[0]) / (d.length - 1);
  }
  const sn = ds.string(TAG.seriesNumber);
  return {
    uid,
    description: (ds.string(TAG.seriesDescription) ?? '').trim() || '(no description)',
    modality: (ds.string(TAG.modality) ?? '').trim() || '?',
    seriesNumber: sn !== undefined && sn.trim() !== '' && Number.isFinite(Number(sn)) ? Number(sn) : null,
    sliceCount: slices.length,
    dims: [ds.uint16(TAG.columns) ?? 0, ds.uint16(TAG.rows) ?? 0, slices.length],
    spacing: [ps[1] ?? 0, ps[0] ?? 0, Math.round(dz * 1e4) / 1e4],
    transferSyntax: ds.string(TAG.transferSyntax) ?? '1.2.840.10008.1.2',
  };
}

/**
 * Groups the DICOM image files among `files` by SeriesInstanceUID, largest series first. Files that
 * are not DICOM images are listed in `skipped`, SEG instances in `segmentations`. Throws `DicomError` when no DICOM image is found.
 */
export function scanDicom(files: DicomFile[]): DicomScan {
  const groups = new Map<string, Slice[]>();
  const skipped: string[] = [];
  const segmentations: DicomFile[] = [];
  for (const f of files) {
    const ds = parse(f);
    if (typeof ds === 'string') {
      skipped.push(ds);
      continue;
    }
    if (isSegmentation(ds)) {
      segmentations.push(f);
      continue;
    }
    if (!ds.elements[TAG.pixelData]) {
      skipped.push(`${f.name}: not a DICOM image (no pixel data)`);
      continue;
    }
    const slices = slicesOf(f, ds);
    if (typeof slices === 'string') {
      skipped.push(slices);
      continue;
    }
    const uid = (ds.string(TAG.seriesUid) ?? '').trim() || '(no series UID)';
    if (!groups.has(uid)) groups.set(uid, []);
    groups.get(uid)!.push(...slices);
  }
  // SEG files alone are returned (the app reads them onto the series shown); nothing at all is an error.
  if (groups.size === 0 && segmentations.length === 0) throw noSeries(files.length, 0);
  const series = [...groups].map(([uid, slices]) => ({ info: describe(uid, slices), slices }));
  series.sort((a, b) => b.info.sliceCount - a.info.sliceCount || (a.info.seriesNumber ?? 0) - (b.info.seriesNumber ?? 0));
  return { series, skipped, segmentations };
}

/** The one line for a drop with no image series in it. */
function noSeries(files: number, segmentations: number): DicomError {
  const segs = segmentations ? ` (${segmentations} of them a segmentation, which needs its CT series)` : '';
  const what = files === 0 ? 'no files arrived' : `none of the ${files} files is a DICOM image${segs}`;
  return new DicomError(`No DICOM series found: ${what}; drop the folder of one CT series (.dcm files)`);
}

/**
 * The series a non-interactive reader takes: the CT series with the most slices (any modality when
 * none is CT); throws when the scan holds only SEG files.
 */
export function largestCtSeries(scan: DicomScan): DicomSeries {
  const found = scan.series.find((s) => s.info.modality === 'CT') ?? scan.series[0];
  if (!found) throw noSeries(scan.segmentations.length + scan.skipped.length, scan.segmentations.length);
  return found;
}

/** One line for a series: "CT 'CT Body 3.0', 20 slices, 512x512, 0.98x0.98x2 mm". */
export function seriesLabel(info: DicomSeriesInfo): string {
  const mm = info.spacing.map((s) => Number(s.toFixed(2))).join('x');
  const num = info.seriesNumber !== null ? `#${info.seriesNumber} ` : '';
  return `${num}${info.modality} '${info.description}', ${info.sliceCount} slice${info.sliceCount === 1 ? '' : 's'}, ${info.dims[0]}x${info.dims[1]}, ${mm} mm`;
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: Vec3) => Math.sqrt(dot(a, a));

interface Geometry {
  rows: number;
  columns: number;
  rowDir: Vec3;
  colDir: Vec3;
  normal: Vec3;
  pixel: [number, number];
}

function sliceGeometry(s: Slice): Geometry {
  const rows = s.ds.uint16(TAG.rows) ?? 0;
  const columns = s.ds.uint16(TAG.columns) ?? 0;
  if (!(rows > 0 && columns > 0)) throw new DicomError(`${s.name}: Rows/Columns missing or zero; the file is not a usable image`);
  const o = numbers(s, TAG.orientation);
  if (o.length !== 6 || !o.every(Number.isFinite)) {
    throw new DicomError(`${s.name}: ImageOrientationPatient (0020,0037) is missing or malformed; without it the scan's orientation is unknown`);
  }
  const rowDir = o.slice(0, 3) as Vec3;
  const colDir = o.slice(3, 6) as Vec3;
  const normal = cross(rowDir, colDir);
  if (Math.abs(norm(rowDir) - 1) > 1e-3 || Math.abs(norm(colDir) - 1) > 1e-3 || Math.abs(norm(normal) - 1) > 1e-3) {
    throw new DicomError(`${s.name}: ImageOrientationPatient ${o.join('\\')} is not two orthogonal unit vectors`);
  }
  const ps = numbers(s, TAG.pixelSpacing);
  if (ps.length !== 2 || !ps.every((v) => v > 0 && Number.isFinite(v))) {
    throw new DicomError(`${s.name}: PixelSpacing (0028,0030) is missing or not positive; the voxel size is unknown`);
  }
  // PixelSpacing is (row spacing, column spacing): the step down a column, then along a row.
  return { rows, columns, rowDir, colDir, normal, pixel: [ps[1], ps[0]] };
}

function position(s: Slice): Vec3 {
  const p = numbers(s, TAG.position);
  if (p.length !== 3 || !p.every(Number.isFinite)) {
    throw new DicomError(`${s.name}: ImagePositionPatient (0020,0032) is missing or malformed; slices cannot be placed`);
  }
  return p as Vec3;
}

/**
 * The compressed bytes of a slice: all fragments of a single-frame image; for a frame of a multi-frame
 * image, its fragment (one per frame) or the fragments the Basic Offset Table points to.
 */
function encapsulatedFrame(s: Slice, el: dicomParser.Element, fragments: dicomParser.Fragment[]) {
  if (!s.frame) return dicomParser.readEncapsulatedPixelDataFromFragments(s.ds, el, 0, fragments.length);
  const frames = Number(s.ds.string(TAG.frames) ?? '1');
  const table = el.basicOffsetTable ?? [];
  if (table.length === frames) return dicomParser.readEncapsulatedImageFrame(s.ds, el, s.frame.index, table, fragments);
  if (fragments.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(s.ds, el, s.frame.index, 1, fragments);
  throw new DicomError(`${s.name}: ${fragments.length} fragments for ${frames} frames and no Basic Offset Table; the frames cannot be told apart`);
}

/** Pixel data of one slice as little-endian samples (decoded when compressed). */
async function pixelBytes(s: Slice, bitsAllocated: number, signed: boolean, rows: number, columns: number): Promise<Uint8Array> {
  const ts = s.ds.string(TAG.transferSyntax) ?? '1.2.840.10008.1.2';
  const el = s.ds.elements[TAG.pixelData];
  const frame = { rows, columns, bitsAllocated, signed };
  const expected = rows * columns * (bitsAllocated / 8);
  if (!TRANSFER_SYNTAXES[ts]) {
    const name = UNSUPPORTED_SYNTAXES[ts] ?? 'an unknown transfer syntax';
    throw new DicomError(`${s.name}: pixel data in ${name} (${ts}) is not supported; export the series uncompressed, as JPEG 2000, HTJ2K, JPEG-LS, JPEG lossless or RLE`);
  }
  const index = s.frame?.index ?? 0;
  if (!el.encapsulatedPixelData) {
    if (el.length < expected * (index + 1)) {
      throw new DicomError(`${s.name}: pixel data has ${el.length} bytes, expected ${expected} per frame for ${columns}x${rows} at ${bitsAllocated} bits; the file is truncated`);
    }
    const start = el.dataOffset + index * expected;
    const raw = s.bytes.slice(start, start + expected);
    if (ts === '1.2.840.10008.1.2.2' && bitsAllocated === 16) {
      for (let i = 0; i < raw.length; i += 2) [raw[i], raw[i + 1]] = [raw[i + 1], raw[i]];
    }
    return raw;
  }
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw new DicomError(`${s.name}: compressed pixel data has no fragments; the file is truncated`);
  const encoded = new Uint8Array(encapsulatedFrame(s, el, fragments));
  try {
    if (isJpeg2000(ts)) return await decodeWasm('openjpeg', encoded, frame);
    if (isHtj2k(ts)) return await decodeWasm('openjph', encoded, frame);
    if (isJpegLs(ts)) return await decodeWasm('charls', encoded, frame);
    if (isJpegLossless(ts)) return await decodeJpegLossless(encoded, frame);
    if (isRle(ts)) return decodeRle(encoded, frame);
  } catch (e) {
    throw new DicomError(`${s.name}: could not decode the ${TRANSFER_SYNTAXES[ts]} pixel data: ${errorText(e)}`);
  }
  throw new DicomError(`${s.name}: compressed pixel data in ${TRANSFER_SYNTAXES[ts]} (${ts}) was not expected`);
}

export interface ReadDicomOptions {
  /** Called after each decoded slice (the app's progress). */
  onSlice?: (done: number, total: number) => void;
}

/**
 * Reads one series as a `NiftiVolume` in HU. Throws `DicomError` with one line on mixed sizes or
 * orientations, missing geometry or pixel data, duplicate slice positions or undecodable pixel data;
 * warns on a non-CT modality, uneven slice spacing and gantry tilt.
 */
export async function readDicomSeries(series: DicomSeries, opts: ReadDicomOptions = {}): Promise<NiftiVolume> {
  const label = `series '${series.info.description}'`;
  const warnings: string[] = [];
  if (series.info.modality !== 'CT') {
    warnings.push(`${label}: modality is ${series.info.modality}, not CT; the models expect CT in Hounsfield units`);
  }
  const geo = sliceGeometry(series.slices[0]);
  for (const s of series.slices) {
    const g = sliceGeometry(s);
    if (g.rows !== geo.rows || g.columns !== geo.columns) {
      throw new DicomError(`${label}: mixed slice sizes (${geo.columns}x${geo.rows} and ${g.columns}x${g.rows} in ${s.name}); pick one series of equal slices`);
    }
    if (dot(g.rowDir, geo.rowDir) < 0.9999 || dot(g.colDir, geo.colDir) < 0.9999) {
      throw new DicomError(`${label}: slices with different orientations (${s.name}); a localizer or a reformatted series is mixed in`);
    }
    if (Math.abs(g.pixel[0] - geo.pixel[0]) > 1e-3 || Math.abs(g.pixel[1] - geo.pixel[1]) > 1e-3) {
      throw new DicomError(`${label}: mixed pixel spacings (${s.name}); pick one series of equal slices`);
    }
    const spp = s.ds.uint16(TAG.samplesPerPixel) ?? 1;
    if (spp !== 1) throw new DicomError(`${s.name}: ${spp} samples per pixel (a colour image); a CT slice has one`);
  }
  const placed = series.slices.map((s) => ({ s, p: position(s), d: dot(position(s), geo.normal) }));
  placed.sort((a, b) => a.d - b.d);
  const nz = placed.length;
  for (let k = 1; k < nz; k++) {
    if (Math.abs(placed[k].d - placed[k - 1].d) < 1e-3) {
      throw new DicomError(`${label}: ${placed[k - 1].s.name} and ${placed[k].s.name} lie at the same position; the series holds more than one volume (e.g. several phases or echoes)`);
    }
  }
  let step: Vec3 = geo.normal;
  if (nz > 1) {
    const first = placed[0].p, last = placed[nz - 1].p;
    step = [0, 1, 2].map((i) => (last[i] - first[i]) / (nz - 1)) as Vec3;
    const gaps = placed.slice(1).map((x, k) => x.d - placed[k].d);
    const mean = (placed[nz - 1].d - placed[0].d) / (nz - 1);
    const worst = gaps.reduce((w, g) => Math.max(w, Math.abs(g - mean)), 0);
    if (worst > Math.max(0.01, 0.02 * mean)) {
      warnings.push(
        `${label}: uneven slice spacing (gaps ${Math.min(...gaps).toFixed(2)}..${Math.max(...gaps).toFixed(2)} mm, mean ${mean.toFixed(2)} mm); slices are placed at the mean spacing, a missing slice shifts what follows`,
      );
    }
    const tilt = (Math.acos(Math.min(1, Math.abs(dot(step, geo.normal)) / norm(step))) * 180) / Math.PI;
    if (tilt > 0.1) warnings.push(`${label}: gantry tilt of ${tilt.toFixed(1)}°; the affine keeps the sheared geometry`);
  } else {
    const thick = Number(attr(series.slices[0], 'x00180050') ?? '');
    step = geo.normal.map((v) => v * (thick > 0 ? thick : 1)) as Vec3;
    warnings.push(`${label}: a single slice; its thickness is taken as the slice spacing`);
  }
  const [nx, ny] = [geo.columns, geo.rows];
  const dims: Vec3 = [nx, ny, nz];
  const spacing: Vec3 = [geo.pixel[0], geo.pixel[1], norm(step)];
  const origin = placed[0].p;
  const lps = [
    [geo.rowDir[0] * spacing[0], geo.colDir[0] * spacing[1], step[0], origin[0]],
    [geo.rowDir[1] * spacing[0], geo.colDir[1] * spacing[1], step[1], origin[1]],
    [geo.rowDir[2] * spacing[0], geo.colDir[2] * spacing[1], step[2], origin[2]],
  ];
  const affine = [...lps[0].map((v) => -v), ...lps[1].map((v) => -v), ...lps[2], 0, 0, 0, 1].map((v) => (Object.is(v, -0) ? 0 : v));

  const plane = nx * ny;
  const data = new Float32Array(plane * nz);
  let integral = true;
  for (let k = 0; k < nz; k++) {
    const s = placed[k].s;
    const bits = s.ds.uint16(TAG.bitsAllocated) ?? 16;
    if (bits !== 16 && bits !== 8) throw new DicomError(`${s.name}: ${bits} bits allocated per pixel; a CT slice has 16 (or 8)`);
    const signed = (s.ds.uint16(TAG.pixelRepresentation) ?? 0) === 1;
    if (!s.ds.elements[TAG.pixelData]) throw new DicomError(`${s.name}: no pixel data (7FE0,0010)`);
    const px = await pixelBytes(s, bits, signed, ny, nx);
    const slopeStr = attr(s, TAG.slope), interStr = attr(s, TAG.intercept);
    const slope = slopeStr !== undefined && Number.isFinite(Number(slopeStr)) && Number(slopeStr) !== 0 ? Number(slopeStr) : 1;
    const inter = interStr !== undefined && Number.isFinite(Number(interStr)) ? Number(interStr) : 0;
    if (!Number.isInteger(slope) || !Number.isInteger(inter)) integral = false;
    const view = new DataView(px.buffer, px.byteOffset, px.byteLength);
    const out = data.subarray(k * plane, (k + 1) * plane);
    if (bits === 16) {
      for (let i = 0; i < plane; i++) out[i] = (signed ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true)) * slope + inter;
    } else {
      for (let i = 0; i < plane; i++) out[i] = (signed ? view.getInt8(i) : view.getUint8(i)) * slope + inter;
    }
    opts.onSlice?.(k + 1, nz);
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < lo) lo = data[i];
    if (data[i] > hi) hi = data[i];
  }
  const datatype = integral && lo >= -32768 && hi <= 32767 ? DT_INT16 : DT_FLOAT32;
  const source = sourceOf(series.info, placed.map((x) => x.s), geo);
  return { dims, spacing, data, affine, datatype, header: makeNiftiHeader(dims, spacing, affine), warnings, source };
}

/** The source references of the slices in volume order (see dicomSource.ts). */
function sourceOf(info: DicomSeriesInfo, slices: Slice[], geo: Geometry): DicomSource {
  const ds = slices[0].ds;
  const text = (tag: string) => (ds.string(tag) ?? '').trim();
  const ps = Object.fromEntries(Object.entries(PATIENT_STUDY).map(([k, tag]) => [k, text(tag)])) as Record<keyof typeof PATIENT_STUDY, string>;
  const thick = Number(attr(slices[0], 'x00180050') ?? '');
  return {
    ...ps,
    seriesInstanceUid: info.uid,
    seriesNumber: info.seriesNumber,
    frameOfReferenceUid: text(TAG.frameOfReferenceUid),
    orientation: [...geo.rowDir, ...geo.colDir] as DicomSource['orientation'],
    pixelSpacing: [geo.pixel[1], geo.pixel[0]],
    sliceThickness: thick > 0 ? thick : null,
    rows: geo.rows,
    columns: geo.columns,
    slices: slices.map((s) => ({
      sopClassUid: (s.ds.string(TAG.sopClassUid) ?? '').trim(),
      sopInstanceUid: (s.ds.string(TAG.sopInstanceUid) ?? '').trim(),
      ...(s.frame ? { frame: s.frame.index + 1 } : {}),
      position: position(s),
    })),
  };
}

/** Scans `files` and reads the one series they hold, or the largest CT series (saying so in a warning). */
export async function readDicomFiles(files: DicomFile[], opts: ReadDicomOptions = {}): Promise<{ volume: NiftiVolume; series: DicomSeriesInfo; scan: DicomScan }> {
  const scan = scanDicom(files);
  const chosen = largestCtSeries(scan);
  const volume = await readDicomSeries(chosen, opts);
  if (scan.series.length > 1) {
    volume.warnings.unshift(`${scan.series.length} series found; read ${seriesLabel(chosen.info)}`);
  }
  return { volume, series: chosen.info, scan };
}
