/**
 * Seeded synthetic abdominal CT phantom: an elliptic body (fat rim, muscle wall, fatty interior)
 * with a vertebral body and organs as smoothly perturbed ellipsoids roughly where they sit in a
 * patient, plus Gaussian noise. Deterministic per seed, so tests and smoke training can run on a
 * fresh clone without the real data. Orientation assumes the default diagonal `makeNiftiHeader`
 * affine read as RAS: the liver at +x (patient right), the spine at -y (posterior), +z superior.
 */
import { CASE_LABELS } from '../contract/labels';
import type { Vec3 } from '../io/niftiHeader';
import { normal, rng } from '../../util/random';

/** The phantom draws the organs of the real cases, with their ids. */
export const PHANTOM_LABELS = CASE_LABELS;

export interface PhantomOptions {
  dims: Vec3;
  /** Voxel size, mm. */
  spacing: Vec3;
  seed: number;
  /** Noise standard deviation, HU (default 10). */
  noiseHu?: number;
}

export interface Phantom {
  image: Float32Array;
  labels: Uint8Array;
}

/** Seeded PRNG (mulberry32), re-exported for tests. */
export const seededRandom = rng;

/**
 * An organ in body-normalised coordinates: u = x / body semi-axis x, v = y / body semi-axis y,
 * w = z / half the volume's z extent; all in [-1, 1]. Cylinders ignore w.
 */
interface OrganShape {
  label: number;
  hu: number;
  centre: Vec3;
  radii: Vec3;
  cylinder?: boolean;
}

const ORGANS: OrganShape[] = [
  { label: 1, hu: 60, centre: [0.42, 0.02, 0.3], radii: [0.4, 0.55, 0.65] },
  { label: 5, hu: 10, centre: [-0.35, 0.3, 0.35], radii: [0.26, 0.28, 0.4] },
  { label: 2, hu: 50, centre: [-0.62, -0.22, 0.35], radii: [0.18, 0.28, 0.38] },
  { label: 3, hu: 30, centre: [0.4, -0.5, -0.3], radii: [0.14, 0.2, 0.4] },
  { label: 4, hu: 30, centre: [-0.4, -0.48, -0.2], radii: [0.14, 0.2, 0.4] },
  { label: 6, hu: 40, centre: [-0.1, -0.08, -0.05], radii: [0.38, 0.1, 0.2] },
  { label: 7, hu: 5, centre: [0.32, 0.42, -0.1], radii: [0.1, 0.12, 0.25] },
  { label: 8, hu: 150, centre: [-0.08, -0.4, 0], radii: [0.08, 0.1, 1], cylinder: true },
  { label: 9, hu: 120, centre: [0.14, -0.38, 0], radii: [0.09, 0.11, 1], cylinder: true },
];

/** Per-organ random jitter and a smooth radial perturbation. */
function jitterOrgan(o: OrganShape, rand: () => number): (u: number, v: number, w: number) => boolean {
  const j = (s: number) => (rand() * 2 - 1) * s;
  const c = o.centre.map((x) => x + j(0.03)) as Vec3;
  const r = o.radii.map((x) => x * (1 + j(0.08))) as Vec3;
  const phase = [rand(), rand(), rand()].map((p) => p * 2 * Math.PI);
  const amp = 0.08 + 0.06 * rand();
  return (u, v, w) => {
    const a = (u - c[0]) / r[0];
    const b = (v - c[1]) / r[1];
    const g = o.cylinder ? 0 : (w - c[2]) / r[2];
    const d2 = a * a + b * b + g * g;
    if (d2 > 1.6) return false;
    const theta = Math.atan2(b, a);
    const bump = 1 + amp * (Math.sin(3 * theta + phase[0]) * 0.6 + Math.sin(2 * g * Math.PI + phase[1]) * 0.4);
    return d2 < bump * bump;
  };
}

function gaussian(rand: () => number): () => number {
  return () => normal(rand);
}

export function makePhantom(opts: PhantomOptions): Phantom {
  const { dims, spacing, seed } = opts;
  const noiseHu = opts.noiseHu ?? 10;
  dims.forEach((n, a) => {
    if (!Number.isInteger(n) || n < 1) throw new Error(`makePhantom: dims[${a}] must be a positive integer, got ${n}`);
    if (!(spacing[a] > 0)) throw new Error(`makePhantom: spacing[${a}] must be positive mm, got ${spacing[a]}`);
  });
  const rand = seededRandom(seed);
  const shapes = ORGANS.map((o) => ({ o, inside: jitterOrgan(o, rand) }));
  const noise = gaussian(seededRandom(seed ^ 0x9e3779b9));
  const [nx, ny, nz] = dims;
  const half = dims.map((n, a) => (n * spacing[a]) / 2);
  const body: Vec3 = [half[0] * 0.9, half[1] * 0.72, half[2]];
  const bodyShiftY = -0.05 * half[1];
  const n = nx * ny * nz;
  const image = new Float32Array(n);
  const labels = new Uint8Array(n);
  let i = 0;
  for (let z = 0; z < nz; z++) {
    const w = ((z + 0.5) * spacing[2] - half[2]) / body[2];
    for (let y = 0; y < ny; y++) {
      const v = ((y + 0.5) * spacing[1] - half[1] - bodyShiftY) / body[1];
      for (let x = 0; x < nx; x++, i++) {
        const u = ((x + 0.5) * spacing[0] - half[0]) / body[0];
        const r = Math.sqrt(u * u + v * v);
        let hu = -1000;
        let label = 0;
        if (r < 1) {
          hu = r > 0.9 ? -100 : r > 0.82 ? 40 : -40 + 15 * Math.sin(5 * u + 3 * w) * Math.cos(4 * v);
          for (const { o, inside } of shapes) {
            if (inside(u, v, w)) { hu = o.hu; label = o.label; }
          }
          const sv = Math.hypot((u - 0) / 0.16, (v + 0.66) / 0.2);
          if (sv < 1) { hu = sv > 0.7 ? 700 : 250; label = 0; }
        }
        image[i] = hu + noiseHu * noise();
        labels[i] = label;
      }
    }
  }
  return { image, labels };
}
