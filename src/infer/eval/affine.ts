/** Row-major 4x4 affine helpers (voxel <-> world, mm) for deriving test variants of a volume. */
import type { Vec3 } from '../io/niftiHeader';

export type Affine = number[];

export function matMul(a: readonly number[], b: readonly number[]): Affine {
  const out = new Array<number>(16).fill(0);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += a[4 * r + k] * b[4 * k + c];
    out[4 * r + c] = s;
  }
  return out;
}

/** Inverse of an affine whose last row is 0 0 0 1. */
export function invertAffine(a: readonly number[]): Affine {
  const [m00, m01, m02, t0, m10, m11, m12, t1, m20, m21, m22, t2] = a;
  const c00 = m11 * m22 - m12 * m21, c01 = m02 * m21 - m01 * m22, c02 = m01 * m12 - m02 * m11;
  const c10 = m12 * m20 - m10 * m22, c11 = m00 * m22 - m02 * m20, c12 = m02 * m10 - m00 * m12;
  const c20 = m10 * m21 - m11 * m20, c21 = m01 * m20 - m00 * m21, c22 = m00 * m11 - m01 * m10;
  const det = m00 * c00 + m01 * c10 + m02 * c20;
  if (!(Math.abs(det) > 1e-12)) throw new Error('invertAffine: the affine is singular; the header geometry is broken');
  const r = [c00, c01, c02, c10, c11, c12, c20, c21, c22].map((x) => x / det);
  const t = [0, 1, 2].map((i) => -(r[3 * i] * t0 + r[3 * i + 1] * t1 + r[3 * i + 2] * t2));
  return [r[0], r[1], r[2], t[0], r[3], r[4], r[5], t[1], r[6], r[7], r[8], t[2], 0, 0, 0, 1];
}

export function applyAffine(a: readonly number[], p: readonly number[]): Vec3 {
  return [0, 1, 2].map((r) => a[4 * r] * p[0] + a[4 * r + 1] * p[1] + a[4 * r + 2] * p[2] + a[4 * r + 3]) as Vec3;
}

export function translation(t: Vec3): Affine {
  return [1, 0, 0, t[0], 0, 1, 0, t[1], 0, 0, 1, t[2], 0, 0, 0, 1];
}

/** Rotation by `deg` degrees about world +z (right-handed: +x turns towards +y). */
export function rotationZ(deg: number): Affine {
  const t = (deg * Math.PI) / 180;
  const c = Math.cos(t), s = Math.sin(t);
  return [c, -s, 0, 0, s, c, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
}

/** Voxel sizes (mm) as the lengths of the affine's first three columns. */
export function affineSpacing(a: readonly number[]): Vec3 {
  return [0, 1, 2].map((c) => Math.hypot(a[c], a[4 + c], a[8 + c])) as Vec3;
}

/**
 * How far apart (mm) two grids of the same dims put the same voxel: the largest world distance, over
 * the 8 corner voxels, between `a` and `b` mapping one voxel index. 0 for identical geometry; a shift,
 * flip, rotation or other voxel size shows up as the distance of the worst corner.
 */
export function gridOffsetMm(a: readonly number[], b: readonly number[], dims: Vec3): number {
  let worst = 0;
  for (let c = 0; c < 8; c++) {
    const v = [c & 1 ? dims[0] - 1 : 0, c & 2 ? dims[1] - 1 : 0, c & 4 ? dims[2] - 1 : 0];
    const pa = applyAffine(a, v);
    const pb = applyAffine(b, v);
    worst = Math.max(worst, Math.hypot(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]));
  }
  return worst;
}
