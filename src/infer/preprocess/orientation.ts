/**
 * Canonical voxel orientation (RAS+), as nibabel's `as_closest_canonical`: from the voxel-to-world
 * affine, find for each world axis (x = left->Right, y = posterior->Anterior, z = inferior->Superior)
 * the voxel axis closest to it and whether it runs backwards, then permute and flip the voxels so that
 * voxel axis 0 runs towards +x (patient Right), 1 towards +y (Anterior), 2 towards +z (Superior). An
 * oblique affine is taken to its closest axes and the angle it was off is reported.
 *
 * Voxel data everywhere is x-fastest: index = x + nx * (y + ny * z).
 */
import type { Vec3 } from '../io/niftiHeader';
import { PreprocessError } from './grid';

export interface Orientation {
  /** For canonical axis j, the input voxel axis it comes from. */
  source: Vec3;
  /** For canonical axis j, whether the input axis runs against the world axis (read backwards). */
  flip: [boolean, boolean, boolean];
  /** Largest angle, degrees, between an input voxel axis and the world axis it was assigned to. */
  obliqueDeg: number;
  /** Axis codes of the input voxel order, e.g. "LPS" or "RAS". */
  inputCode: string;
}

const CODES = [['L', 'R'], ['P', 'A'], ['I', 'S']];

/**
 * The closest canonical orientation of a row-major 4x4 voxel-to-world affine (NIfTI world is RAS+).
 * Greedy on the normalised direction cosines: the largest |cosine| picks its pair of axes first.
 */
export function orientationOf(affine: readonly number[]): Orientation {
  // cos[w][v]: component of voxel axis v's unit direction along world axis w.
  const cos = [0, 1, 2].map(() => [0, 0, 0]);
  for (let v = 0; v < 3; v++) {
    const col = [affine[v], affine[4 + v], affine[8 + v]];
    const len = Math.hypot(col[0], col[1], col[2]);
    if (!(len > 0)) throw new PreprocessError(`orientation: voxel axis ${v} has a zero direction in the affine; the header's geometry is broken`);
    for (let w = 0; w < 3; w++) cos[w][v] = col[w] / len;
  }
  const source: number[] = [-1, -1, -1];
  const flip = [false, false, false];
  const usedV = new Set<number>();
  let worst = 1;
  for (let k = 0; k < 3; k++) {
    let best = -1, bw = -1, bv = -1;
    for (let w = 0; w < 3; w++) {
      if (source[w] >= 0) continue;
      for (let v = 0; v < 3; v++) {
        if (usedV.has(v)) continue;
        if (Math.abs(cos[w][v]) > best) { best = Math.abs(cos[w][v]); bw = w; bv = v; }
      }
    }
    source[bw] = bv;
    flip[bw] = cos[bw][bv] < 0;
    usedV.add(bv);
    worst = Math.min(worst, best);
  }
  let inputCode = '';
  for (let v = 0; v < 3; v++) {
    const w = source.indexOf(v);
    inputCode += CODES[w][flip[w] ? 0 : 1];
  }
  const obliqueDeg = (Math.acos(Math.min(1, worst)) * 180) / Math.PI;
  return { source: source as Vec3, flip: flip as [boolean, boolean, boolean], obliqueDeg, inputCode };
}

export function isIdentity(o: Orientation): boolean {
  return o.source.every((s, j) => s === j) && o.flip.every((f) => !f);
}

/** Dims (or any per-axis triple) of the input, in canonical axis order. */
export function toCanonicalTriple<T>(t: readonly [T, T, T], o: Orientation): [T, T, T] {
  return [t[o.source[0]], t[o.source[1]], t[o.source[2]]];
}

/** Per-axis triple in canonical order back to the input's axis order. */
export function fromCanonicalTriple<T>(t: readonly [T, T, T], o: Orientation): [T, T, T] {
  const out = [t[0], t[1], t[2]] as [T, T, T];
  for (let j = 0; j < 3; j++) out[o.source[j]] = t[j];
  return out;
}

type Voxels = Float32Array | Uint8Array | Int16Array;

/**
 * Walks the canonical grid in x-fastest order and yields, for each canonical voxel, its input index:
 * `visit(canonicalIndex, inputIndex)`. One pass, no per-voxel arithmetic beyond additions.
 */
function walk(inputDims: Vec3, o: Orientation, visit: (c: number, i: number) => void): void {
  const stride = [1, inputDims[0], inputDims[0] * inputDims[1]];
  const cdims = toCanonicalTriple(inputDims, o);
  const step = [0, 1, 2].map((j) => (o.flip[j] ? -1 : 1) * stride[o.source[j]]);
  let base = 0;
  for (let j = 0; j < 3; j++) if (o.flip[j]) base += (inputDims[o.source[j]] - 1) * stride[o.source[j]];
  let c = 0;
  for (let z = 0, iz = base; z < cdims[2]; z++, iz += step[2]) {
    for (let y = 0, iy = iz; y < cdims[1]; y++, iy += step[1]) {
      for (let x = 0, ix = iy; x < cdims[0]; x++, ix += step[0]) visit(c++, ix);
    }
  }
}

/** Voxels in input order to canonical (RAS) order; returns a new array of the same type. */
export function toCanonical<T extends Voxels>(data: T, inputDims: Vec3, o: Orientation): T {
  if (isIdentity(o)) return data;
  const out = new (data.constructor as new (n: number) => T)(data.length);
  walk(inputDims, o, (c, i) => { out[c] = data[i]; });
  return out;
}

/** Voxels in canonical order back to the input's order (the inverse of `toCanonical`). */
export function fromCanonical<T extends Voxels>(data: T, inputDims: Vec3, o: Orientation): T {
  if (isIdentity(o)) return data;
  const out = new (data.constructor as new (n: number) => T)(data.length);
  walk(inputDims, o, (c, i) => { out[i] = data[c]; });
  return out;
}

/** An input voxel coordinate (x, y, z) as a canonical voxel coordinate. */
export function voxelToCanonical(v: Vec3, inputDims: Vec3, o: Orientation): Vec3 {
  return [0, 1, 2].map((j) => {
    const a = o.source[j];
    return o.flip[j] ? inputDims[a] - 1 - v[a] : v[a];
  }) as Vec3;
}

/** The canonical grid's voxel-to-world affine (row-major 4x4), from the input affine. */
export function canonicalAffine(affine: readonly number[], inputDims: Vec3, o: Orientation): number[] {
  const out = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  for (let r = 0; r < 3; r++) {
    let t = affine[4 * r + 3];
    for (let j = 0; j < 3; j++) {
      const a = o.source[j];
      const col = affine[4 * r + a];
      out[4 * r + j] = o.flip[j] ? -col : col;
      if (o.flip[j]) t += col * (inputDims[a] - 1);
    }
    out[4 * r + 3] = t;
  }
  return out;
}
