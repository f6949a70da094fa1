/**
 * A synthetic task where the right label of a voxel depends on something outside any crop: identical
 * bright blobs inside a wide body are `blob_right` when they lie right of the body's midline and
 * `blob_left` when they lie left of it. A blob sits 20-34 voxels from the midline and the body is
 * 56-62 voxels wide on each side, so a 32-voxel crop centred on a blob shows neither the midline nor
 * the body's edge: only a network that sees the whole volume (FINE's volume tokens) can tell the two
 * apart; a network that sees one crop can at best guess. Fat lobules everywhere are distractors.
 * Orientation: the default `makeNiftiHeader` affine read as RAS, +x = patient right.
 */
import type { LabelInfo } from '../contract/modelCard';
import type { Vec3 } from '../io/niftiHeader';
import { normal, rng } from '../../util/random';

export const CONTEXT_LABELS: LabelInfo[] = [
  { id: 0, name: 'background', color: [0, 0, 0] },
  { id: 1, name: 'blob_right', color: [230, 25, 75], mirror: 2 },
  { id: 2, name: 'blob_left', color: [0, 130, 200], mirror: 1 },
];

export interface ContextCase {
  image: Float32Array;
  labels: Uint8Array;
  dims: Vec3;
  spacing: Vec3;
}

const BODY_HU = 40, BLOB_HU = 120, FAT_HU = -90, AIR_HU = -1000;

/** One seeded case, 128 x 96 x 24 voxels of 3 mm. */
export function makeContextCase(seed: number, noiseHu = 20): ContextCase {
  const r = rng(seed);
  const dims: Vec3 = [128, 96, 24];
  const [nx, ny, nz] = dims;
  const uni = (a: number, b: number): number => a + (b - a) * r();
  const cx = nx / 2 + uni(-4, 4), cy = ny / 2 + uni(-3, 3);
  const ax = uni(56, 62), ay = uni(40, 44);
  type Ball = { c: Vec3; rad: Vec3; hu: number; label: number };
  const balls: Ball[] = [];
  for (let i = 0; i < 14; i++) {
    balls.push({ c: [cx + uni(-44, 44), cy + uni(-28, 28), uni(0, nz)], rad: [uni(2, 5), uni(2, 5), uni(2, 4)], hu: FAT_HU, label: 0 });
  }
  const blobs = 3 + Math.floor(r() * 3);
  for (let tries = 0; balls.length < 14 + blobs && tries < 200; tries++) {
    const side = r() < 0.5 ? 1 : -1;
    const c: Vec3 = [cx + side * uni(20, 34), cy + uni(-20, 20), uni(5, nz - 5)];
    if (balls.slice(14).some((b) => Math.hypot(b.c[0] - c[0], b.c[1] - c[1], b.c[2] - c[2]) < 16)) continue;
    balls.push({ c, rad: [uni(4, 6), uni(4, 6), uni(3, 4)], hu: BLOB_HU, label: side > 0 ? 1 : 2 });
  }
  const n = nx * ny * nz;
  const image = new Float32Array(n);
  const labels = new Uint8Array(n);
  for (let z = 0, i = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) {
    const inBody = ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1;
    let hu = inBody ? BODY_HU : AIR_HU;
    if (inBody) {
      for (const b of balls) {
        if (((x - b.c[0]) / b.rad[0]) ** 2 + ((y - b.c[1]) / b.rad[1]) ** 2 + ((z - b.c[2]) / b.rad[2]) ** 2 <= 1) {
          hu = b.hu;
          labels[i] = b.label;
        }
      }
    }
    image[i] = hu + noiseHu * normal(r);
  }
  return { image, labels, dims, spacing: [3, 3, 3] };
}
