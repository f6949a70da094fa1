/**
 * Spatial augmentation: one resampling per crop. Each crop voxel d (offset from the crop centre, in
 * voxels) reads the source at centre + M d, where M = R(angles) / scale, with x negated first when
 * mirrored. Image trilinear, labels nearest; outside the source, air and background. With no rotation,
 * no scaling and an integer-aligned centre every read lands exactly on a voxel, so the plain crop is
 * the special case of the same code.
 */
import type { Vec3 } from '../../infer/io/niftiHeader';
import type { FovRect } from './acquisition';

export interface SpatialParams {
  /** Rotation angles about x, y and z (radians), applied z, then y, then x. */
  angles: Vec3;
  /** Isotropic zoom: > 1 makes anatomy larger in the crop. */
  scale: number;
  /** Mirror along x (the left-right axis in canonical RAS order). */
  mirror: boolean;
  /** A cut-off field of view: source reads outside this in-plane rectangle are air and background. */
  fov?: FovRect;
}

export const IDENTITY: SpatialParams = { angles: [0, 0, 0], scale: 1, mirror: false };

/** Row-major 3x3 matrix mapping a crop offset to a source offset (voxels; isotropic spacing assumed). */
export function spatialMatrix(p: SpatialParams): number[] {
  const [ax, ay, az] = p.angles;
  const cx = Math.cos(ax), sx = Math.sin(ax), cy = Math.cos(ay), sy = Math.sin(ay), cz = Math.cos(az), sz = Math.sin(az);
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const mul = (a: number[], b: number[]) => Array.from({ length: 9 }, (_, k) => {
    const r = Math.floor(k / 3), c = k % 3;
    return a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
  });
  const m = mul(rx, mul(ry, rz)).map((v) => v / p.scale);
  if (p.mirror) for (let r = 0; r < 3; r++) m[3 * r] = -m[3 * r];
  return m;
}

export interface SpatialOut {
  image: Float32Array;
  labels: Uint8Array;
}

/**
 * Resamples a crop of `patch` voxels centred at `centre` (source voxel coordinates, may be fractional
 * and may lie near or past the borders) through `p`. `fill` is the image value outside the source
 * (and outside `p.fov`, when given).
 */
export function spatialCrop(
  image: Float32Array, labels: Uint8Array, dims: Vec3, centre: Vec3, patch: Vec3, p: SpatialParams, fill: number,
  out: SpatialOut = { image: new Float32Array(patch[0] * patch[1] * patch[2]), labels: new Uint8Array(patch[0] * patch[1] * patch[2]) },
): SpatialOut {
  const m = spatialMatrix(p);
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const half = patch.map((n) => (n - 1) / 2);
  const f = p.fov ?? { x0: -Infinity, x1: Infinity, y0: -Infinity, y1: Infinity };
  let o = 0;
  for (let k = 0; k < patch[2]; k++) {
    const dz = k - half[2];
    for (let j = 0; j < patch[1]; j++) {
      const dy = j - half[1];
      // Source position of the row's first voxel; each step in i adds column 0 of m.
      let X = centre[0] + m[1] * dy + m[2] * dz - m[0] * half[0];
      let Y = centre[1] + m[4] * dy + m[5] * dz - m[3] * half[0];
      let Z = centre[2] + m[7] * dy + m[8] * dz - m[6] * half[0];
      for (let i = 0; i < patch[0]; i++, o++, X += m[0], Y += m[3], Z += m[6]) {
        // Snap reads that are within rounding of a voxel, so the identity transform copies exactly.
        const xs = Math.abs(X - Math.round(X)) < 1e-6 ? Math.round(X) : X;
        const ys = Math.abs(Y - Math.round(Y)) < 1e-6 ? Math.round(Y) : Y;
        const zs = Math.abs(Z - Math.round(Z)) < 1e-6 ? Math.round(Z) : Z;
        const x0 = Math.floor(xs), y0 = Math.floor(ys), z0 = Math.floor(zs);
        if (x0 < -1 || y0 < -1 || z0 < -1 || x0 >= nx || y0 >= ny || z0 >= nz || xs < f.x0 || xs > f.x1 || ys < f.y0 || ys > f.y1) {
          out.image[o] = fill;
          out.labels[o] = 0;
          continue;
        }
        const fx = xs - x0, fy = ys - y0, fz = zs - z0;
        let acc = 0;
        for (let c = 0; c < 8; c++) {
          const ox = c & 1, oy = (c >> 1) & 1, oz = c >> 2;
          const w = (ox ? fx : 1 - fx) * (oy ? fy : 1 - fy) * (oz ? fz : 1 - fz);
          if (w === 0) continue;
          const x = x0 + ox, y = y0 + oy, z = z0 + oz;
          acc += w * (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz ? fill : image[x + nx * y + sxy * z]);
        }
        out.image[o] = acc;
        const xr = Math.round(xs), yr = Math.round(ys), zr = Math.round(zs);
        out.labels[o] = xr < 0 || yr < 0 || zr < 0 || xr >= nx || yr >= ny || zr >= nz ? 0 : labels[xr + nx * yr + sxy * zr];
      }
    }
  }
  return out;
}

/** Swaps lateral labels in place (kidney_right <-> kidney_left) after a left-right mirror. */
export function swapLabels(labels: Uint8Array, partner: Uint8Array): void {
  for (let i = 0; i < labels.length; i++) labels[i] = partner[labels[i]];
}
