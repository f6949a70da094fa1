/**
 * nnU-Net's post-processing: for the organs the cross-validation chose, keep only the largest
 * connected component (6-connectivity, as scipy's default structure) and set the rest to background.
 * Works inside each organ's bounding box, so memory stays proportional to the organ, not the scan.
 */
import type { Vec3 } from '../io/niftiHeader';

/** Bounding box [lo, hi] (inclusive, x, y, z) of `id` in a label map, or undefined when absent. */
function boxOf(labels: Uint8Array, dims: Vec3, id: number): [Vec3, Vec3] | undefined {
  const [nx, ny, nz] = dims;
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-1, -1, -1];
  let i = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) {
    if (labels[i] !== id) continue;
    if (x < lo[0]) lo[0] = x;
    if (x > hi[0]) hi[0] = x;
    if (y < lo[1]) lo[1] = y;
    if (y > hi[1]) hi[1] = y;
    if (z < lo[2]) lo[2] = z;
    if (z > hi[2]) hi[2] = z;
  }
  return hi[0] < 0 ? undefined : [lo, hi];
}

/**
 * In place: every voxel of `id` outside its largest 6-connected component becomes 0. Returns the
 * number of voxels removed.
 */
export function keepLargestComponent(labels: Uint8Array, dims: Vec3, id: number): number {
  const box = boxOf(labels, dims, id);
  if (!box) return 0;
  const [lo, hi] = box;
  const bx = hi[0] - lo[0] + 1, by = hi[1] - lo[1] + 1, bz = hi[2] - lo[2] + 1;
  const [nx, ny] = dims;
  const at = (x: number, y: number, z: number) => lo[0] + x + nx * (lo[1] + y + ny * (lo[2] + z));
  const comp = new Int32Array(bx * by * bz); // 0: not visited / not the organ; k > 0: component k
  const queue = new Int32Array(bx * by * bz);
  const sizes: number[] = [0];
  for (let s = 0; s < comp.length; s++) {
    const sx = s % bx, sy = Math.floor(s / bx) % by, sz = Math.floor(s / (bx * by));
    if (comp[s] || labels[at(sx, sy, sz)] !== id) continue;
    const k = sizes.length;
    let head = 0, tail = 0, size = 0;
    comp[s] = k;
    queue[tail++] = s;
    while (head < tail) {
      const v = queue[head++];
      size++;
      const x = v % bx, y = Math.floor(v / bx) % by, z = Math.floor(v / (bx * by));
      const visit = (u: number, ux: number, uy: number, uz: number) => {
        if (!comp[u] && labels[at(ux, uy, uz)] === id) { comp[u] = k; queue[tail++] = u; }
      };
      if (x > 0) visit(v - 1, x - 1, y, z);
      if (x < bx - 1) visit(v + 1, x + 1, y, z);
      if (y > 0) visit(v - bx, x, y - 1, z);
      if (y < by - 1) visit(v + bx, x, y + 1, z);
      if (z > 0) visit(v - bx * by, x, y, z - 1);
      if (z < bz - 1) visit(v + bx * by, x, y, z + 1);
    }
    sizes.push(size);
  }
  let best = 1;
  for (let k = 2; k < sizes.length; k++) if (sizes[k] > sizes[best]) best = k;
  let removed = 0;
  for (let s = 0; s < comp.length; s++) {
    if (comp[s] && comp[s] !== best) {
      labels[at(s % bx, Math.floor(s / bx) % by, Math.floor(s / (bx * by)))] = 0;
      removed++;
    }
  }
  return removed;
}

/** Applies `keepLargestComponent` for each label id in `ids`; returns voxels removed per id. */
export function keepLargestComponents(labels: Uint8Array, dims: Vec3, ids: readonly number[]): Record<number, number> {
  return Object.fromEntries(ids.map((id) => [id, keepLargestComponent(labels, dims, id)]));
}
