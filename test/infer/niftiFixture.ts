/**
 * Builds NIfTI-1 bytes field by field, independently of the writer under test, so reader tests
 * can produce every header variant (byte order, datatype, scaling, sform/qform, broken fields).
 */

export interface FixtureOptions {
  dims?: number[];
  /** Full dim[0..7] override (wins over dims). */
  dim?: number[];
  pixdim?: number[];
  datatype?: number;
  bitpix?: number;
  values?: number[];
  littleEndian?: boolean;
  slope?: number;
  inter?: number;
  qform?: { code: number; b: number; c: number; d: number; offset: number[]; qfac?: number };
  sform?: { code: number; rows: number[][] };
  magic?: string;
  sizeofHdr?: number;
  voxOffset?: number;
}

const BYTES: Record<number, number> = { 2: 1, 256: 1, 4: 2, 512: 2, 8: 4, 768: 4, 16: 4, 64: 8, 128: 3, 2304: 4, 1024: 8 };

export function buildNifti(o: FixtureOptions = {}): Uint8Array {
  const le = o.littleEndian ?? true;
  const dims = o.dims ?? [2, 3, 4];
  const dim = o.dim ?? [3, dims[0], dims[1], dims[2], 1, 1, 1, 1];
  const datatype = o.datatype ?? 16;
  const bpv = BYTES[datatype] ?? 4;
  const n = dim.slice(1, 1 + Math.max(0, Math.min(7, dim[0]))).reduce((a, b) => a * Math.max(b, 0), 1);
  const values = o.values ?? Array.from({ length: n }, (_, i) => i);
  const voxOffset = o.voxOffset ?? 352;
  const buf = new Uint8Array(voxOffset + values.length * bpv);
  const v = new DataView(buf.buffer);
  v.setInt32(0, o.sizeofHdr ?? 348, le);
  dim.forEach((d, i) => v.setInt16(40 + 2 * i, d, le));
  v.setInt16(70, datatype, le);
  v.setInt16(72, o.bitpix ?? bpv * 8, le);
  const pixdim = o.pixdim ?? [o.qform?.qfac ?? 1, 1, 1, 1, 1, 1, 1, 1];
  pixdim.forEach((p, i) => v.setFloat32(76 + 4 * i, p, le));
  v.setFloat32(108, voxOffset, le);
  v.setFloat32(112, o.slope ?? 1, le);
  v.setFloat32(116, o.inter ?? 0, le);
  if (o.qform) {
    v.setInt16(252, o.qform.code, le);
    [o.qform.b, o.qform.c, o.qform.d, ...o.qform.offset].forEach((x, i) => v.setFloat32(256 + 4 * i, x, le));
  }
  if (o.sform) {
    v.setInt16(254, o.sform.code, le);
    o.sform.rows.flat().forEach((x, i) => v.setFloat32(280 + 4 * i, x, le));
  }
  const magic = o.magic ?? 'n+1';
  for (let i = 0; i < 4; i++) v.setUint8(344 + i, i < magic.length ? magic.charCodeAt(i) : 0);
  const write: Record<number, (off: number, x: number) => void> = {
    2: (off, x) => v.setUint8(off, x),
    256: (off, x) => v.setInt8(off, x),
    4: (off, x) => v.setInt16(off, x, le),
    512: (off, x) => v.setUint16(off, x, le),
    8: (off, x) => v.setInt32(off, x, le),
    768: (off, x) => v.setUint32(off, x, le),
    16: (off, x) => v.setFloat32(off, x, le),
    64: (off, x) => v.setFloat64(off, x, le),
  };
  const w = write[datatype];
  if (w) values.forEach((x, i) => w(voxOffset + i * bpv, x));
  return buf;
}
