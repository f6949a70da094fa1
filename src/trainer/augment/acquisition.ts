/**
 * Acquisitions the training scans do not show: thick slices and a cut-off field of view.
 *
 * Thick slices: a scanner with slice thickness t reports, at each slice position, the mean of the
 * anatomy over t mm along z; inference then resamples those slices linearly back to the model grid.
 * `thickSlices` does both on a crop at the model spacing: box means of width `tau` voxels (fractional
 * edges weighted) at slice centres `phase + k * tau`, then linear interpolation between the centres.
 *
 * Field of view: targeted reconstructions cut the body in-plane. `FovRect` is the in-plane rectangle
 * (source voxel coordinates, inclusive bounds) the simulated scan keeps; `spatialCrop` reads air and
 * background outside it. `anchorInFov` is the volume-token anchor inference would compute on that cut
 * scan (the centre of the body's bounding box inside the rectangle), so the model learns the anchor a
 * cut-off scan really gets.
 */
import type { Vec3 } from '../../infer/io/niftiHeader';

export interface FovRect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Mean of `f` over [a, b) where f is piecewise constant on unit cells [i - 0.5, i + 0.5), clamped at the ends. */
function boxMean(f: (i: number) => number, n: number, a: number, b: number): number {
  const lo = Math.max(-0.5, a), hi = Math.min(n - 0.5, b);
  if (hi <= lo) return f(Math.min(n - 1, Math.max(0, Math.round((a + b) / 2))));
  let acc = 0;
  for (let i = Math.max(0, Math.floor(lo + 0.5)); i <= Math.min(n - 1, Math.ceil(hi - 0.5)); i++) {
    const w = Math.min(hi, i + 0.5) - Math.max(lo, i - 0.5);
    if (w > 0) acc += w * f(i);
  }
  return acc / (hi - lo);
}

/**
 * In place on `image` [z][y][x] (x fastest), dims (nx, ny, nz): each column along z becomes the linear
 * interpolation of box means of width `tau` voxels centred at phase + k * tau (k integer).
 */
export function thickSlices(image: Float32Array, dims: Vec3, tau: number, phase: number): void {
  const [nx, ny, nz] = dims;
  if (!(tau > 1)) return;
  const plane = nx * ny;
  const kMin = Math.floor((0 - phase) / tau) - 1;
  const kMax = Math.ceil((nz - 1 - phase) / tau) + 1;
  const centres: number[] = [];
  for (let k = kMin; k <= kMax; k++) centres.push(phase + k * tau);
  const col = new Float64Array(nz);
  const means = new Float64Array(centres.length);
  for (let p = 0; p < plane; p++) {
    for (let z = 0; z < nz; z++) col[z] = image[p + z * plane];
    centres.forEach((c, k) => { means[k] = boxMean((i) => col[i], nz, c - tau / 2, c + tau / 2); });
    for (let z = 0; z < nz; z++) {
      const k = Math.floor((z - centres[0]) / tau);
      const t = (z - centres[k]) / tau;
      image[p + z * plane] = (1 - t) * means[k] + t * means[k + 1];
    }
  }
}

/** A square in-plane field of view of `widthMm` that contains `centre` (source voxels), placed at random. */
export function fovAround(centre: Vec3, widthMm: number, spacing: Vec3, rnd: () => number): FovRect {
  const hx = widthMm / 2 / spacing[0], hy = widthMm / 2 / spacing[1];
  // The rectangle's centre lies within 80 % of a half-width of the crop centre, so the centre stays inside.
  const cx = centre[0] + (rnd() * 2 - 1) * 0.8 * hx;
  const cy = centre[1] + (rnd() * 2 - 1) * 0.8 * hy;
  return { x0: cx - hx, x1: cx + hx, y0: cy - hy, y1: cy + hy };
}

/** Max over z of (HU above the threshold): the in-plane body footprint [y][x] of a case. */
export function bodyFootprint(hu: Float32Array, dims: Vec3, huThreshold: number): Uint8Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const out = new Uint8Array(plane);
  for (let z = 0; z < nz; z++) for (let p = 0; p < plane; p++) if (hu[z * plane + p] > huThreshold) out[p] = 1;
  return out;
}

/**
 * The anchor `bodyAnchor` would give the scan cut to `fov`: in x and y, the centre of the footprint's
 * bounding box inside the rectangle, in the source grid's voxel coordinates; z unchanged.
 * With no body inside, the rectangle's centre (as `bodyAnchor` falls back to the volume centre).
 */
export function anchorInFov(footprint: Uint8Array, dims: Vec3, fov: FovRect, anchor: Vec3): Vec3 {
  const [nx, ny] = dims;
  const xa = Math.max(0, Math.ceil(fov.x0)), xb = Math.min(nx - 1, Math.floor(fov.x1));
  const ya = Math.max(0, Math.ceil(fov.y0)), yb = Math.min(ny - 1, Math.floor(fov.y1));
  let lx = Infinity, hx = -Infinity, ly = Infinity, hy = -Infinity;
  for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) {
    if (!footprint[y * nx + x]) continue;
    if (x < lx) lx = x;
    if (x > hx) hx = x;
    if (y < ly) ly = y;
    if (y > hy) hy = y;
  }
  if (lx === Infinity) return [(xa + xb) / 2, (ya + yb) / 2, anchor[2]];
  return [(lx + hx) / 2, (ly + hy) / 2, anchor[2]];
}
