/**
 * Small DICOM Part 10 files written here for the reader's tests (explicit VR little endian, or RLE
 * Lossless with an encapsulated frame): just the tags the reader uses.
 */

export interface SliceSpec {
  seriesUid?: string;
  description?: string;
  modality?: string;
  rows: number;
  columns: number;
  position: [number, number, number];
  orientation?: number[];
  pixelSpacing?: [number, number];
  slope?: number;
  intercept?: number;
  /** Stored values, row by row (int16). */
  pixels?: Int16Array;
  rle?: boolean;
  transferSyntax?: string;
  /** An encoded frame for a compressed transfer syntax (JPEG-LS, HTJ2K...): stored as the one fragment. */
  frame?: Uint8Array;
  /** Identification written only when given (a SEG references them): SOP, study, frame of reference, patient. */
  ids?: SourceIds;
}

/** The identifying attributes of a source image; each is written only when given. */
export interface SourceIds {
  sopClassUid?: string;
  sopInstanceUid?: string;
  studyUid?: string;
  frameOfReferenceUid?: string;
  patientName?: string;
  patientId?: string;
  studyDate?: string;
  sliceThickness?: number;
  instanceNumber?: number;
}

/** CT Image Storage. */
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** The elements of `ids`, tagged for sorting into a data set. */
function idElements(ids: SourceIds = {}): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  const add = (group: number, elem: number, vr: string, v: string | number | undefined) => {
    if (v !== undefined) out.push([group * 0x10000 + elem, str(group, elem, vr, String(v))]);
  };
  add(0x0008, 0x0016, 'UI', ids.sopClassUid);
  add(0x0008, 0x0018, 'UI', ids.sopInstanceUid);
  add(0x0008, 0x0020, 'DA', ids.studyDate);
  add(0x0010, 0x0010, 'PN', ids.patientName);
  add(0x0010, 0x0020, 'LO', ids.patientId);
  add(0x0018, 0x0050, 'DS', ids.sliceThickness);
  add(0x0020, 0x000d, 'UI', ids.studyUid);
  add(0x0020, 0x0013, 'IS', ids.instanceNumber);
  add(0x0020, 0x0052, 'UI', ids.frameOfReferenceUid);
  return out;
}

/** Data set elements in ascending tag order, as Part 10 requires. */
function sortedBody(elements: Uint8Array[], ids?: SourceIds): Uint8Array {
  const tag = (e: Uint8Array) => new DataView(e.buffer, e.byteOffset).getUint16(0, true) * 0x10000 + new DataView(e.buffer, e.byteOffset).getUint16(2, true);
  const all: [number, Uint8Array][] = [...elements.map((e): [number, Uint8Array] => [tag(e), e]), ...idElements(ids)];
  return concat(all.sort((a, b) => a[0] - b[0]).map((x) => x[1]));
}

const enc = new TextEncoder();

function element(group: number, elem: number, vr: string, value: Uint8Array): Uint8Array {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const v = new DataView(head.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, elem, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, value.length === 0xffffffff ? 0xffffffff : value.length, true);
  else v.setUint16(6, value.length, true);
  return concat([head, value]);
}

function str(group: number, elem: number, vr: string, s: string): Uint8Array {
  const pad = vr === 'UI' ? '\0' : ' ';
  return element(group, elem, vr, enc.encode(s.length % 2 ? s + pad : s));
}

function us(group: number, elem: number, n: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n, true);
  return element(group, elem, 'US', b);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** PackBits of one byte plane: literal runs of up to 128 bytes (valid RLE, not the smallest). */
function packBits(plane: Uint8Array): Uint8Array {
  const parts: number[] = [];
  for (let i = 0; i < plane.length; i += 128) {
    const n = Math.min(128, plane.length - i);
    parts.push(n - 1, ...plane.subarray(i, i + n));
  }
  if (parts.length % 2) parts.push(0x80); // no-op byte to keep the segment even
  return Uint8Array.from(parts);
}

/** An RLE Lossless frame of 16-bit samples: header, high-byte segment, low-byte segment. */
export function rleFrame(px: Int16Array): Uint8Array {
  const u8 = new Uint8Array(px.buffer, px.byteOffset, px.byteLength);
  const hi = packBits(Uint8Array.from({ length: px.length }, (_, i) => u8[2 * i + 1]));
  const lo = packBits(Uint8Array.from({ length: px.length }, (_, i) => u8[2 * i]));
  const header = new Uint8Array(64);
  const v = new DataView(header.buffer);
  v.setUint32(0, 2, true);
  v.setUint32(4, 64, true);
  v.setUint32(8, 64 + hi.length, true);
  return concat([header, hi, lo]);
}

function item(bytes: Uint8Array): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, 0xfffe, true);
  v.setUint16(2, 0xe000, true);
  v.setUint32(4, bytes.length, true);
  return concat([h, bytes]);
}

export function dicomSlice(s: SliceSpec): Uint8Array {
  const ts = s.transferSyntax ?? (s.rle ? '1.2.840.10008.1.2.5' : '1.2.840.10008.1.2.1');
  const meta = concat([str(0x0002, 0x0010, 'UI', ts)]);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, meta.length, true);
  const px = s.pixels ?? new Int16Array(s.rows * s.columns);
  let pixel: Uint8Array;
  if (s.rle || ts !== '1.2.840.10008.1.2.1') {
    const frame = s.frame ?? (s.rle ? rleFrame(px) : new Uint8Array(px.buffer.slice(0)));
    const end = new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
    pixel = concat([element(0x7fe0, 0x0010, 'OB', new Uint8Array(0)).subarray(0, 8), new Uint8Array([0xff, 0xff, 0xff, 0xff]), item(new Uint8Array(0)), item(frame), end]);
  } else {
    pixel = element(0x7fe0, 0x0010, 'OW', new Uint8Array(px.buffer.slice(0)));
  }
  const body = sortedBody([
    str(0x0008, 0x0060, 'CS', s.modality ?? 'CT'),
    str(0x0008, 0x103e, 'LO', s.description ?? 'test series'),
    str(0x0020, 0x000e, 'UI', s.seriesUid ?? '1.2.3.4'),
    str(0x0020, 0x0032, 'DS', s.position.join('\\')),
    str(0x0020, 0x0037, 'DS', (s.orientation ?? [1, 0, 0, 0, 1, 0]).join('\\')),
    us(0x0028, 0x0002, 1),
    str(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    us(0x0028, 0x0010, s.rows),
    us(0x0028, 0x0011, s.columns),
    str(0x0028, 0x0030, 'DS', (s.pixelSpacing ?? [1, 1]).join('\\')),
    us(0x0028, 0x0100, 16),
    us(0x0028, 0x0101, 16),
    us(0x0028, 0x0102, 15),
    us(0x0028, 0x0103, 1),
    str(0x0028, 0x1052, 'DS', String(s.intercept ?? -1024)),
    str(0x0028, 0x1053, 'DS', String(s.slope ?? 1)),
    pixel,
  ], s.ids);
  const preamble = new Uint8Array(132);
  preamble.set(enc.encode('DICM'), 128);
  return concat([preamble, element(0x0002, 0x0000, 'UL', groupLength), meta, body]);
}

const sq = (group: number, elem: number, items: Uint8Array[]) => element(group, elem, 'SQ', concat(items.map(item)));

export interface MultiFrameSpec {
  rows: number;
  columns: number;
  /** One position and one pixel array per frame, in the file's frame order. */
  frames: { position: [number, number, number]; pixels: Int16Array }[];
  orientation?: number[];
  pixelSpacing?: [number, number];
  slope?: number;
  intercept?: number;
  /** A compressed syntax with one encoded frame per fragment (`encoded`), or uncompressed frames back to back. */
  transferSyntax?: string;
  encoded?: Uint8Array[];
  ids?: SourceIds;
}

/**
 * An enhanced (multi-frame) CT image: geometry and rescale in the shared functional groups, one
 * ImagePositionPatient per frame in the per-frame functional groups (PS3.3 C.7.6.16).
 */
export function dicomMultiFrame(s: MultiFrameSpec): Uint8Array {
  const ts = s.transferSyntax ?? '1.2.840.10008.1.2.1';
  const meta = concat([str(0x0002, 0x0010, 'UI', ts)]);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, meta.length, true);
  const shared = concat([
    sq(0x0020, 0x9116, [str(0x0020, 0x0037, 'DS', (s.orientation ?? [1, 0, 0, 0, 1, 0]).join('\\'))]),
    sq(0x0028, 0x9110, [concat([str(0x0018, 0x0050, 'DS', '2'), str(0x0028, 0x0030, 'DS', (s.pixelSpacing ?? [1, 1]).join('\\'))])]),
    sq(0x0028, 0x9145, [concat([str(0x0028, 0x1052, 'DS', String(s.intercept ?? -1024)), str(0x0028, 0x1053, 'DS', String(s.slope ?? 1))])]),
  ]);
  const perFrame = s.frames.map((f) => sq(0x0020, 0x9113, [str(0x0020, 0x0032, 'DS', f.position.join('\\'))]));
  let pixel: Uint8Array;
  if (s.encoded) {
    const end = new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
    pixel = concat([element(0x7fe0, 0x0010, 'OB', new Uint8Array(0)).subarray(0, 8), new Uint8Array([0xff, 0xff, 0xff, 0xff]), item(new Uint8Array(0)), ...s.encoded.map(item), end]);
  } else {
    pixel = element(0x7fe0, 0x0010, 'OW', concat(s.frames.map((f) => new Uint8Array(f.pixels.buffer.slice(0)))));
  }
  const body = sortedBody([
    str(0x0008, 0x0060, 'CS', 'CT'),
    str(0x0008, 0x103e, 'LO', 'enhanced test series'),
    str(0x0020, 0x000e, 'UI', '1.2.3.9'),
    us(0x0028, 0x0002, 1),
    str(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    str(0x0028, 0x0008, 'IS', String(s.frames.length)),
    us(0x0028, 0x0010, s.rows),
    us(0x0028, 0x0011, s.columns),
    us(0x0028, 0x0100, 16),
    us(0x0028, 0x0101, 16),
    us(0x0028, 0x0102, 15),
    us(0x0028, 0x0103, 1),
    sq(0x5200, 0x9229, [shared]),
    element(0x5200, 0x9230, 'SQ', concat(perFrame.map(item))),
    pixel,
  ], s.ids);
  const preamble = new Uint8Array(132);
  preamble.set(enc.encode('DICM'), 128);
  return concat([preamble, element(0x0002, 0x0000, 'UL', groupLength), meta, body]);
}

type Encoder = { getDecodedBuffer(info: object): Uint8Array; encode(): void; getEncodedBuffer(): Uint8Array; delete(): void };

/** Encodes a signed 16-bit frame with a codec's own encoder (the full WASM builds): JPEG-LS or HTJ2K test frames. */
export async function encodeFrame(pkg: string, cls: string, px: Int16Array, rows: number, columns: number): Promise<Uint8Array> {
  const m = (await import(pkg)) as { default: (o: object) => Promise<Record<string, new () => Encoder>> };
  const mod = await m.default({ print: () => {}, printErr: () => {} });
  const enc = new mod[cls]();
  try {
    enc.getDecodedBuffer({ width: columns, height: rows, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false }).set(new Uint8Array(px.buffer.slice(0)));
    enc.encode();
    return enc.getEncodedBuffer().slice();
  } finally {
    enc.delete();
  }
}

/** The compressed syntaxes the tests encode frames for: name, package, encoder class, transfer syntax UID. */
export const ENCODED_SYNTAXES: readonly [string, string, string, string][] = [
  ['JPEG-LS', '@cornerstonejs/codec-charls/wasmjs', 'JpegLSEncoder', '1.2.840.10008.1.2.4.80'],
  ['HTJ2K', '@cornerstonejs/codec-openjph/wasmjs', 'HTJ2KEncoder', '1.2.840.10008.1.2.4.201'],
];
