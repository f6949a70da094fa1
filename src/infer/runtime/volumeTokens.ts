/**
 * Which FINE volume tokens a tile gathers. The grid lies in-plane (x, y), in millimetres, centred on
 * the body anchor: grid origin = anchor - cells * cellMm / 2. A tile covers [x0, x1) mm relative to
 * that origin; it touches cells floor(x0 / c) .. floor((x1 - eps) / c), clamped to the grid, and
 * gathers the four corner cells (ix0, iy0), (ix1, iy0), (ix0, iy1), (ix1, iy1), each expanded to
 * tokensPerCell consecutive tokens: token = (iy * cellsX + ix) * tokensPerCell + t.
 *
 * Worked example: grid cells [4, 4], cellMm [50, 50], tokensPerCell 2 (indexCount 8); spacing
 * [2, 2, 3] mm; anchor voxel (50, 50, 10); tile origin (40, 60, 0), patch (32, 16, 8).
 *   grid half-width = 4 * 50 / 2 = 100 mm = 50 voxels, so the grid origin is voxel (0, 0)
 *   x: [(40 - 0) * 2, + 32 * 2) = [80, 144) mm -> cells floor(80/50) = 1 .. floor(143.99/50) = 2
 *   y: [(60 - 0) * 2, + 16 * 2) = [120, 152) mm -> cells 2 .. 3
 *   cells (1,2), (2,2), (1,3), (2,3) -> cell ids 9, 10, 13, 14
 *   indices [18, 19, 20, 21, 26, 27, 28, 29]
 */
import type { VolumeTokenGrid } from '../contract/modelCard';
import type { Vec3 } from '../io/niftiHeader';

const EPS = 1e-6;

/** Cell range [first, last] an interval [a, b) mm covers along an axis of `cells` cells of `size` mm. */
function cellRange(a: number, b: number, size: number, cells: number): [number, number] {
  const clamp = (i: number) => Math.min(cells - 1, Math.max(0, i));
  return [clamp(Math.floor(a / size)), clamp(Math.floor((b - EPS) / size))];
}

export function volumeTokenIndices(
  grid: VolumeTokenGrid,
  tileOriginVoxel: Vec3,
  patchSize: Vec3,
  spacing: Vec3,
  anchorVoxel: Vec3,
): BigInt64Array {
  const [cx, cy] = grid.cells;
  const [mx, my] = grid.cellMm;
  const t = grid.tokensPerCell;
  if (grid.indexCount !== 4 * t) {
    throw new Error(
      `volumeTokenIndices: volumeTokens.indexCount is ${grid.indexCount}, expected 4 cells x tokensPerCell ${t} = ${4 * t}; fix the model card`,
    );
  }
  const start = (a: 0 | 1, cells: number, mm: number) => (tileOriginVoxel[a] - anchorVoxel[a]) * spacing[a] + (cells * mm) / 2;
  const x0 = start(0, cx, mx);
  const y0 = start(1, cy, my);
  const [ix0, ix1] = cellRange(x0, x0 + patchSize[0] * spacing[0], mx, cx);
  const [iy0, iy1] = cellRange(y0, y0 + patchSize[1] * spacing[1], my, cy);
  const corners: [number, number][] = [[ix0, iy0], [ix1, iy0], [ix0, iy1], [ix1, iy1]];
  const out = new BigInt64Array(4 * t);
  corners.forEach(([ix, iy], k) => {
    const base = (iy * cx + ix) * t;
    for (let j = 0; j < t; j++) out[k * t + j] = BigInt(base + j);
  });
  return out;
}
