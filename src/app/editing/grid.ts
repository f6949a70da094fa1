/**
 * The drawing layer's grid: NiiVue holds the labels being corrected as one byte per voxel in its
 * RAS-reordered grid (x fastest). These helpers name a voxel of that grid by its coordinates and its
 * slices by axis, and find the input's own voxel under it.
 */
export type Dims = readonly [number, number, number];
export type Axis = 0 | 1 | 2;

/** A slice of the grid: the plane where coordinate `axis` equals `index`. */
export interface SliceKey { axis: Axis; index: number }

export const voxelCount = (d: Dims): number => d[0] * d[1] * d[2];

/** The two in-plane axes of a slice across `axis`, in increasing order. */
export function planeAxes(axis: Axis): [Axis, Axis] {
  return axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
}

/** Index of voxel (x, y, z). */
export const at = (d: Dims, x: number, y: number, z: number): number => x + d[0] * (y + d[1] * z);

/** The voxel indices of slice `index` across `axis`, row by row (first in-plane axis fastest). */
export function sliceIndices(d: Dims, axis: Axis, index: number): Int32Array {
  const [u, v] = planeAxes(axis);
  const out = new Int32Array(d[u] * d[v]);
  const c = [0, 0, 0];
  c[axis] = index;
  let k = 0;
  for (let j = 0; j < d[v]; j++) {
    c[v] = j;
    for (let i = 0; i < d[u]; i++) {
      c[u] = i;
      out[k++] = at(d, c[0], c[1], c[2]);
    }
  }
  return out;
}

/**
 * From an index of the RAS grid to the input's own voxel index: NiiVue's `img2RASstart` (per-axis
 * offsets) and `img2RASstep` (per-axis strides, negative where an axis is flipped).
 */
export function rasToNative(d: Dims, start: readonly number[], step: readonly number[]): (r: number) => number {
  const s0 = start[0] + start[1] + start[2];
  const plane = d[0] * d[1];
  return (r) => {
    const z = Math.floor(r / plane);
    const rem = r - z * plane;
    const y = Math.floor(rem / d[0]);
    const x = rem - y * d[0];
    return s0 + x * step[0] + y * step[1] + z * step[2];
  };
}
