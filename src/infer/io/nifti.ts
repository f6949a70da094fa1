/**
 * NIfTI-1 reading and writing for single-file `.nii` / `.nii.gz` volumes. Pure TypeScript (fflate
 * for gzip), so it runs in Node and in a Web Worker. Voxel data is x-fastest:
 * index = x + nx * (y + ny * z).
 */
import type { DicomSource } from './dicomSource';
import { ReaderError } from './readerError';
import { nonMedicalKind } from './fileKind';
import { gunzipSync, gzipSync } from 'fflate';
import {
  DATATYPES, DT_FLOAT32, DT_INT16, DT_UINT8, NIFTI1_HEADER_BYTES, NIFTI1_VOX_OFFSET, OFFSET,
  type Vec3, headerAffine, headerEndianness, readMagic,
} from './niftiHeader';

export { makeNiftiHeader, type Vec3 } from './niftiHeader';

export class NiftiError extends ReaderError {
  override name = 'NiftiError';
}

export interface NiftiVolume {
  dims: Vec3;
  /** Voxel size, mm, (x, y, z). */
  spacing: Vec3;
  /** Voxel values after scl_slope / scl_inter. */
  data: Float32Array;
  /** Row-major 4x4 voxel-to-world (mm). */
  affine: number[];
  /** NIfTI datatype code of the stored voxels. */
  datatype: number;
  /** The raw 348-byte header, kept to write results back with the same geometry. */
  header: Uint8Array;
  warnings: string[];
  /** Set when the volume was read from a DICOM series: what a derived DICOM object must reference. */
  source?: DicomSource;
}

/** What a writer needs from a volume to reproduce its geometry. */
export type NiftiGeometry = Pick<NiftiVolume, 'dims' | 'header'>;

const MAX_DIM = 4096;
const MAX_VOXELS = 2 ** 31;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Uint8Array, fileName: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new NiftiError(
      `${fileName}: the gzip stream is truncated or corrupt (${(e as Error).message}); download or export the file again`,
    );
  }
}

function readDims(view: DataView, le: boolean, fileName: string): Vec3 {
  const dim = Array.from({ length: 8 }, (_, i) => view.getInt16(OFFSET.dim + 2 * i, le));
  const rank = dim[0];
  if (rank < 3 || rank > 7) {
    throw new NiftiError(`${fileName}: dim[0] must be 3 (a 3-D volume), got ${rank}; save the scan as a 3-D NIfTI`);
  }
  for (let i = 4; i <= rank; i++) {
    if (dim[i] !== 1) {
      throw new NiftiError(
        `${fileName}: a ${rank}-D image with dim[${i}] = ${dim[i]} arrived, expected a 3-D volume; extract one 3-D volume first`,
      );
    }
  }
  const dims: Vec3 = [dim[1], dim[2], dim[3]];
  dims.forEach((n, i) => {
    if (!(n > 0) || n > MAX_DIM) {
      throw new NiftiError(`${fileName}: dim[${i + 1}] = ${n}, expected 1..${MAX_DIM}; the header is corrupt`);
    }
  });
  if (dims[0] * dims[1] * dims[2] > MAX_VOXELS) {
    throw new NiftiError(`${fileName}: ${dims.join('x')} voxels exceed 2^31; crop or downsample the volume first`);
  }
  return dims;
}

function readSpacing(view: DataView, le: boolean, fileName: string): Vec3 {
  const spacing = [1, 2, 3].map((i) => view.getFloat32(OFFSET.pixdim + 4 * i, le)) as Vec3;
  spacing.forEach((s, i) => {
    if (!(s > 0) || !Number.isFinite(s)) {
      throw new NiftiError(`${fileName}: pixdim[${i + 1}] (voxel size) = ${s}, expected a positive number of mm`);
    }
  });
  return spacing;
}

function decodeVoxels(view: DataView, start: number, n: number, datatype: number, le: boolean): Float32Array {
  const out = new Float32Array(n);
  const read: Record<number, (o: number) => number> = {
    2: (o) => view.getUint8(o),
    256: (o) => view.getInt8(o),
    4: (o) => view.getInt16(o, le),
    512: (o) => view.getUint16(o, le),
    8: (o) => view.getInt32(o, le),
    768: (o) => view.getUint32(o, le),
    16: (o) => view.getFloat32(o, le),
    64: (o) => view.getFloat64(o, le),
  };
  const get = read[datatype];
  const step = DATATYPES[datatype].bytes;
  for (let i = 0, o = start; i < n; i++, o += step) out[i] = get(o);
  return out;
}

/** A NIfTI file name: `.nii` or `.nii.gz`, any case. */
export const NIFTI_NAME = /\.nii(\.gz)?$/i;

/** A NIfTI file name without its extension (`ct.nii.gz` -> `ct`). */
export function niftiStem(name: string): string {
  return name.replace(NIFTI_NAME, '');
}

/** Reads a NIfTI-1 volume (`.nii` or `.nii.gz`, either byte order). Throws `NiftiError` on anything it cannot read. */
export function readNifti(input: Uint8Array, fileName = 'input'): NiftiVolume {
  if (input.length === 0) throw new NiftiError(`${fileName}: the file is empty`);
  const bytes = isGzip(input) ? gunzip(input, fileName) : input;
  const other = nonMedicalKind(bytes);
  if (other) throw new NiftiError(`${fileName}: this is ${other}, not a CT scan; open a NIfTI file (.nii, .nii.gz) or a DICOM series`);
  const warnings: string[] = [];
  if (bytes.length < NIFTI1_HEADER_BYTES) {
    throw new NiftiError(
      `${fileName}: ${bytes.length} bytes is too short for a NIfTI-1 header (${NIFTI1_HEADER_BYTES} bytes); the file is truncated or not NIfTI`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = headerEndianness(view);
  if (le === null) {
    const s = view.getInt32(0, true);
    if (s === 540 || view.getInt32(0, false) === 540) {
      throw new NiftiError(`${fileName}: NIfTI-2 is not supported, save as NIfTI-1`);
    }
    throw new NiftiError(`${fileName}: not a NIfTI-1 file: sizeof_hdr is ${s}, expected 348; open a .nii or .nii.gz`);
  }
  const header = bytes.slice(0, NIFTI1_HEADER_BYTES);
  const magic = readMagic(header);
  if (magic === 'ni1') {
    throw new NiftiError(`${fileName}: a two-file NIfTI (.hdr/.img, magic "ni1") arrived; save it as a single .nii`);
  }
  if (magic !== 'n+1') {
    throw new NiftiError(`${fileName}: not a NIfTI-1 file: magic is "${magic}", expected "n+1"`);
  }
  const dims = readDims(view, le, fileName);
  const spacing = readSpacing(view, le, fileName);
  const datatype = view.getInt16(OFFSET.datatype, le);
  if (datatype === 128 || datatype === 2304) {
    throw new NiftiError(`${fileName}: RGB colour images (datatype ${datatype}) are not CT; open a greyscale CT volume`);
  }
  const type = DATATYPES[datatype];
  if (!type) {
    const known = Object.entries(DATATYPES).map(([c, t]) => `${c} ${t.name}`).join(', ');
    throw new NiftiError(`${fileName}: unsupported datatype code ${datatype}; expected one of ${known}`);
  }
  const voxOffset = Math.round(view.getFloat32(OFFSET.voxOffset, le));
  if (!(voxOffset >= NIFTI1_HEADER_BYTES)) {
    throw new NiftiError(`${fileName}: vox_offset = ${voxOffset}, expected at least ${NIFTI1_HEADER_BYTES}; the header is corrupt`);
  }
  const n = dims[0] * dims[1] * dims[2];
  const expected = voxOffset + n * type.bytes;
  if (bytes.length < expected) {
    throw new NiftiError(
      `${fileName}: voxel data is shorter than the header says: expected ${expected} bytes, got ${bytes.length}; the file is truncated`,
    );
  }
  const data = decodeVoxels(view, voxOffset, n, datatype, le);
  const slope = view.getFloat32(OFFSET.sclSlope, le);
  const inter = view.getFloat32(OFFSET.sclInter, le);
  if (slope !== 0 && Number.isFinite(slope) && Number.isFinite(inter) && (slope !== 1 || inter !== 0)) {
    for (let i = 0; i < n; i++) data[i] = data[i] * slope + inter;
  }
  let bad = 0;
  for (let i = 0; i < n; i++) if (!Number.isFinite(data[i])) bad++;
  if (bad > 0) {
    throw new NiftiError(`${fileName}: ${bad} voxels are NaN or Inf; expected finite Hounsfield units, fix the export`);
  }
  const { affine, source } = headerAffine(view, le);
  if (source === 'pixdim') {
    warnings.push(`${fileName}: neither sform nor qform is set; orientation taken from the voxel sizes only`);
  }
  return { dims, spacing, data, affine, datatype, header, warnings };
}

/** Copies `like`'s header and rewrites the fields that describe a new 3-D voxel block. */
/** What a written volume says about itself: descrip (80 bytes) and, for label maps, intent_code 1002 (NIFTI_INTENT_LABEL) with intent_name. */
export interface NiftiText {
  descrip?: string;
  labelMap?: boolean;
}

const DESCRIP = 148, INTENT_NAME = 328;

function writeAscii(view: DataView, offset: number, size: number, text: string): void {
  for (let i = 0; i < size; i++) view.setUint8(offset + i, 0);
  const ascii = text.replace(/[^\x20-\x7e]/g, '?').slice(0, size - 1);
  for (let i = 0; i < ascii.length; i++) view.setUint8(offset + i, ascii.charCodeAt(i));
}

function resultHeader(like: NiftiGeometry, datatype: number, bitpix: number, calMin: number, calMax: number, text: NiftiText = {}): Uint8Array {
  const out = new Uint8Array(NIFTI1_VOX_OFFSET);
  out.set(like.header.subarray(0, NIFTI1_HEADER_BYTES));
  const view = new DataView(out.buffer);
  const le = headerEndianness(view);
  if (le === null) throw new NiftiError('writeNifti: the template header is not NIfTI-1 (sizeof_hdr is not 348)');
  view.setInt16(OFFSET.dim, 3, le);
  for (let i = 0; i < 3; i++) view.setInt16(OFFSET.dim + 2 * (i + 1), like.dims[i], le);
  for (let i = 4; i < 8; i++) view.setInt16(OFFSET.dim + 2 * i, 1, le);
  view.setInt16(OFFSET.intentCode, text.labelMap ? 1002 : 0, le);
  // The template's descrip and intent_name describe the input, not this result: replaced, or cleared.
  writeAscii(view, DESCRIP, 80, text.descrip ?? '');
  writeAscii(view, INTENT_NAME, 16, text.labelMap ? 'labels' : '');
  view.setInt16(OFFSET.datatype, datatype, le);
  view.setInt16(OFFSET.bitpix, bitpix, le);
  view.setFloat32(OFFSET.voxOffset, NIFTI1_VOX_OFFSET, le);
  view.setFloat32(OFFSET.sclSlope, 1, le);
  view.setFloat32(OFFSET.sclInter, 0, le);
  view.setFloat32(OFFSET.calMin, calMin, le);
  view.setFloat32(OFFSET.calMax, calMax, le);
  [0x6e, 0x2b, 0x31, 0].forEach((c, i) => view.setUint8(OFFSET.magic + i, c));
  return out;
}

function checkLength(n: number, like: NiftiGeometry, what: string): void {
  const expected = like.dims[0] * like.dims[1] * like.dims[2];
  if (n !== expected) {
    throw new NiftiError(`${what}: ${n} voxels arrived, expected ${like.dims.join('x')} = ${expected} to match the template`);
  }
}

function finish(head: Uint8Array, body: Uint8Array, gzip: boolean): Uint8Array {
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return gzip ? gzipSync(out, { level: 6 }) : out;
}

/**
 * A uint8 label map with `like`'s geometry, as `.nii` bytes (or `.nii.gz` with `gzip: true`): intent
 * NIFTI_INTENT_LABEL, intent_name "labels", and `descrip` (e.g. which model made it).
 */
export function writeNifti(labels: Uint8Array, like: NiftiGeometry, opts: { gzip?: boolean; descrip?: string } = {}): Uint8Array {
  checkLength(labels.length, like, 'writeNifti');
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return finish(resultHeader(like, DT_UINT8, 8, 0, max, { labelMap: true, descrip: opts.descrip }), labels, opts.gzip ?? false);
}

/** The descrip/intent_name text of a NIfTI-1 header (for tests and the readout). */
export function headerText(header: Uint8Array): { descrip: string; intentName: string; intentCode: number } {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const le = headerEndianness(view) ?? true;
  const ascii = (o: number, n: number) => String.fromCharCode(...header.subarray(o, o + n)).replace(/\0.*$/s, '');
  return { descrip: ascii(DESCRIP, 80), intentName: ascii(INTENT_NAME, 16), intentCode: view.getInt16(OFFSET.intentCode, le) };
}

/** Scalars written in the template header's byte order, with cal_min/cal_max set to their range. */
function writeScalars(
  values: ArrayLike<number>,
  like: NiftiGeometry,
  type: { code: number; bits: number; set: (view: DataView, offset: number, v: number, le: boolean) => void },
  gzip: boolean,
): Uint8Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  const head = resultHeader(like, type.code, type.bits, lo, hi);
  const le = headerEndianness(new DataView(head.buffer)) ?? true;
  const step = type.bits / 8;
  const body = new Uint8Array(values.length * step);
  const view = new DataView(body.buffer);
  for (let i = 0; i < values.length; i++) type.set(view, step * i, values[i], le);
  return finish(head, body, gzip);
}

/** A float32 volume with `like`'s geometry, in the header's byte order. */
export function writeNiftiFloat(data: Float32Array, like: NiftiGeometry, opts: { gzip?: boolean } = {}): Uint8Array {
  checkLength(data.length, like, 'writeNiftiFloat');
  return writeScalars(data, like, { code: DT_FLOAT32, bits: 32, set: (v, o, x, le) => v.setFloat32(o, x, le) }, opts.gzip ?? false);
}

/** An int16 volume (CT in HU, rounded and clamped to the int16 range) with `like`'s geometry. */
export function writeNiftiInt16(data: ArrayLike<number>, like: NiftiGeometry, opts: { gzip?: boolean } = {}): Uint8Array {
  checkLength(data.length, like, 'writeNiftiInt16');
  const values = Int16Array.from(data, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
  return writeScalars(values, like, { code: DT_INT16, bits: 16, set: (v, o, x, le) => v.setInt16(o, x, le) }, opts.gzip ?? false);
}
