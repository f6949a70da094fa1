/**
 * NIfTI-1 header layout and geometry (the 348-byte header of the NIfTI-1.1 spec,
 * https://nifti.nimh.nih.gov/pub/dist/src/niftilib/nifti1.h). Field offsets are bytes from the
 * start of the file. The voxel-to-world affine follows the spec's three methods: sform when
 * sform_code > 0, else qform (quaternion) when qform_code > 0, else the pixdim diagonal.
 */

export type Vec3 = [number, number, number];

export const NIFTI1_HEADER_BYTES = 348;
/** Header plus the 4-byte extension flag: where a single-file `.nii` puts its voxels. */
export const NIFTI1_VOX_OFFSET = 352;

export const OFFSET = {
  sizeofHdr: 0,
  dimInfo: 39,
  dim: 40,
  intentCode: 68,
  datatype: 70,
  bitpix: 72,
  pixdim: 76,
  voxOffset: 108,
  sclSlope: 112,
  sclInter: 116,
  xyztUnits: 123,
  calMax: 124,
  calMin: 128,
  qformCode: 252,
  sformCode: 254,
  quaternB: 256,
  qoffsetX: 268,
  srowX: 280,
  magic: 344,
} as const;

/** Datatype codes this reader accepts, with the bytes per voxel. */
export const DATATYPES: Readonly<Record<number, { name: string; bytes: number }>> = {
  2: { name: 'uint8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  64: { name: 'float64', bytes: 8 },
  256: { name: 'int8', bytes: 1 },
  512: { name: 'uint16', bytes: 2 },
  768: { name: 'uint32', bytes: 4 },
};

export const DT_UINT8 = 2;
export const DT_FLOAT32 = 16;
export const DT_INT16 = 4;

/** Returns true for a little-endian NIfTI-1 header, false for big-endian, null when sizeof_hdr is not 348. */
export function headerEndianness(view: DataView): boolean | null {
  if (view.getInt32(OFFSET.sizeofHdr, true) === NIFTI1_HEADER_BYTES) return true;
  if (view.getInt32(OFFSET.sizeofHdr, false) === NIFTI1_HEADER_BYTES) return false;
  return null;
}

/** Reads the `magic` field as text, stopping at the first NUL. */
export function readMagic(header: Uint8Array): string {
  let s = '';
  for (let i = OFFSET.magic; i < OFFSET.magic + 4 && header[i] !== 0; i++) s += String.fromCharCode(header[i]);
  return s;
}

export interface AffineResult {
  /** Row-major 4x4 voxel (i, j, k) to world (mm) matrix. */
  affine: number[];
  source: 'sform' | 'qform' | 'pixdim';
}

/** The voxel-to-world affine of a NIfTI-1 header, by the spec's precedence. */
export function headerAffine(view: DataView, le: boolean): AffineResult {
  const f = (off: number) => view.getFloat32(off, le);
  const pix = [1, 2, 3].map((i) => f(OFFSET.pixdim + 4 * i));
  if (view.getInt16(OFFSET.sformCode, le) > 0) {
    const a: number[] = [];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) a.push(f(OFFSET.srowX + 16 * r + 4 * c));
    if (a.every(Number.isFinite)) return { affine: [...a, 0, 0, 0, 1], source: 'sform' };
  }
  if (view.getInt16(OFFSET.qformCode, le) > 0) {
    const [b, c, d] = [0, 1, 2].map((i) => f(OFFSET.quaternB + 4 * i));
    const [ox, oy, oz] = [0, 1, 2].map((i) => f(OFFSET.qoffsetX + 4 * i));
    const qfac = f(OFFSET.pixdim) < 0 ? -1 : 1;
    const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
    const R = [
      [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
    ];
    const s = [pix[0], pix[1], pix[2] * qfac];
    const o = [ox, oy, oz];
    const affine: number[] = [];
    for (let r = 0; r < 3; r++) affine.push(R[r][0] * s[0], R[r][1] * s[1], R[r][2] * s[2], o[r]);
    if (affine.every(Number.isFinite)) return { affine: [...affine, 0, 0, 0, 1], source: 'qform' };
  }
  return {
    affine: [pix[0], 0, 0, 0, 0, pix[1], 0, 0, 0, 0, pix[2], 0, 0, 0, 0, 1],
    source: 'pixdim',
  };
}

/** Diagonal affine with the volume centred on the world origin. */
export function centredAffine(dims: Vec3, spacing: Vec3): number[] {
  const o = dims.map((n, i) => (-(n - 1) * spacing[i]) / 2);
  return [spacing[0], 0, 0, o[0], 0, spacing[1], 0, o[1], 0, 0, spacing[2], o[2], 0, 0, 0, 1];
}

/**
 * A little-endian NIfTI-1 header for a new volume (e.g. the phantom): mm units, sform_code 2
 * (aligned) set to `affine` (default: diagonal spacing, volume centred on the origin), qform_code 0.
 * Datatype and scaling are set by the writer.
 */
export function makeNiftiHeader(dims: Vec3, spacing: Vec3, affine: number[] = centredAffine(dims, spacing)): Uint8Array {
  if (affine.length !== 16) {
    throw new Error(`makeNiftiHeader: affine must have 16 numbers (row-major 4x4), got ${affine.length}`);
  }
  const header = new Uint8Array(NIFTI1_HEADER_BYTES);
  const v = new DataView(header.buffer);
  v.setInt32(OFFSET.sizeofHdr, NIFTI1_HEADER_BYTES, true);
  v.setInt16(OFFSET.dim, 3, true);
  for (let i = 0; i < 3; i++) v.setInt16(OFFSET.dim + 2 * (i + 1), dims[i], true);
  for (let i = 4; i < 8; i++) v.setInt16(OFFSET.dim + 2 * i, 1, true);
  v.setFloat32(OFFSET.pixdim, 1, true);
  for (let i = 0; i < 3; i++) v.setFloat32(OFFSET.pixdim + 4 * (i + 1), spacing[i], true);
  v.setUint8(OFFSET.xyztUnits, 2 + 8);
  v.setInt16(OFFSET.sformCode, 2, true);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) v.setFloat32(OFFSET.srowX + 16 * r + 4 * c, affine[4 * r + c], true);
  return header;
}
