/**
 * Variants of a labelled case (CT + label map) for robustness checks. Each variant is a CT and a label
 * map with a correct header: the affine (and the NIfTI header made from it) puts the same anatomy at
 * the same world position, so a pipeline that reads the geometry right must segment it as well as the
 * original. Storage variants (lps, zyx, slab13) keep every voxel's world position exactly; rot12,
 * noise35 and spacing1.5 change the image the way a different scan would; thick8 averages groups of
 * slices to about 8 mm (the scanner's thick slices; the reference keeps each group's middle slice) and
 * fov200 cuts the scan in-plane to 200 mm around the labelled organs (a targeted reconstruction).
 *
 * Voxel data everywhere is x-fastest: index = x + nx * (y + ny * z). Pure, independent of the
 * pipeline's own reorientation code on purpose (a shared bug would cancel out).
 */
import { type NiftiVolume, makeNiftiHeader } from '../io/nifti';
import type { Vec3 } from '../io/niftiHeader';
import { AIR_HU } from '../preprocess/normalise';
import { resampleLabelsNearest, resampleLinear, resampledAffine, resampledDims } from '../preprocess/resample';
import { safeOrientation } from '../preprocess/applicability';
import { normal, rng } from '../../util/random';
import { type Affine, affineSpacing, applyAffine, invertAffine, matMul, rotationZ, translation } from './affine';
import { labelIds } from '../contract/labels';

export const VARIANTS = ['lps', 'zyx', 'slab13', 'rot12', 'noise35', 'spacing1.5', 'thick8', 'fov200'] as const;
export type VariantName = (typeof VARIANTS)[number];

export interface CasePair {
  ct: NiftiVolume;
  /** Label map (integer ids in `data`) on the CT's grid. */
  ref: NiftiVolume;
}

export interface Variant extends CasePair {
  name: VariantName | 'original';
  /** Storage variants only: a label map on this variant's grid put back on the original grid. */
  toOriginal?: (labels: Uint8Array) => Uint8Array;
}

export interface VariantOptions {
  /** Noise seed (noise35). */
  seed?: number;
  /** Refuse a resampled variant with more voxels than this (spacing1.5 of a coarse scan grows it); default 2^27 (512 MiB as float32). */
  maxVoxels?: number;
}

const SLAB_SLICES = 13;
const ROT_DEG = 12;
const NOISE_HU = 35;
/** Target voxel size of spacing1.5, mm, in patient axes (left-right, front-back, head-foot). */
const FINE_SPACING: Vec3 = [1.5, 1.5, 2];
const MAX_VOXELS = 2 ** 27;
const DT_FLOAT32 = 16;
const DT_UINT8 = 2;

function volume(data: Float32Array, dims: Vec3, affine: Affine, datatype: number): NiftiVolume {
  const spacing = affineSpacing(affine);
  return { dims, spacing, data, affine, datatype, header: makeNiftiHeader(dims, spacing, affine), warnings: [] };
}

function pair(c: CasePair, ct: Float32Array, ref: Float32Array, dims: Vec3, affine: Affine, ctType = c.ct.datatype): CasePair {
  return { ct: volume(ct, dims, affine, ctType), ref: volume(ref, dims, affine, DT_UINT8) };
}

/** A storage order: output axis j is input axis `perm[j]`, read backwards where `flip[j]`. */
interface Storage {
  perm: Vec3;
  flip: [boolean, boolean, boolean];
}

function storedDims(dims: Vec3, s: Storage): Vec3 {
  return s.perm.map((a) => dims[a]) as Vec3;
}

/** Input index of each output voxel, in output (x-fastest) order. */
function storageIndex(dims: Vec3, s: Storage): Uint32Array {
  const stride = [1, dims[0], dims[0] * dims[1]];
  const out = storedDims(dims, s);
  const step = [0, 1, 2].map((j) => (s.flip[j] ? -1 : 1) * stride[s.perm[j]]);
  let base = 0;
  for (let j = 0; j < 3; j++) if (s.flip[j]) base += (dims[s.perm[j]] - 1) * stride[s.perm[j]];
  const idx = new Uint32Array(out[0] * out[1] * out[2]);
  let o = 0;
  for (let z = 0, iz = base; z < out[2]; z++, iz += step[2]) {
    for (let y = 0, iy = iz; y < out[1]; y++, iy += step[1]) {
      for (let x = 0, ix = iy; x < out[0]; x++, ix += step[0]) idx[o++] = ix;
    }
  }
  return idx;
}

/** Output voxel j sits where input voxel (perm, flip) did: new columns and origin. */
function storedAffine(a: readonly number[], dims: Vec3, s: Storage): Affine {
  const out = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  for (let r = 0; r < 3; r++) {
    let t = a[4 * r + 3];
    for (let j = 0; j < 3; j++) {
      const col = a[4 * r + s.perm[j]];
      out[4 * r + j] = s.flip[j] ? -col : col;
      if (s.flip[j]) t += col * (dims[s.perm[j]] - 1);
    }
    out[4 * r + 3] = t;
  }
  return out;
}

function restore(c: CasePair, s: Storage): Variant['toOriginal'] {
  const idx = storageIndex(c.ct.dims, s);
  return (labels) => {
    const out = new Uint8Array(labels.length);
    for (let o = 0; o < idx.length; o++) out[idx[o]] = labels[o];
    return out;
  };
}

function stored(c: CasePair, s: Storage): CasePair {
  const idx = storageIndex(c.ct.dims, s);
  const ct = new Float32Array(idx.length);
  const ref = new Float32Array(idx.length);
  for (let o = 0; o < idx.length; o++) { ct[o] = c.ct.data[idx[o]]; ref[o] = c.ref.data[idx[o]]; }
  return pair(c, ct, ref, storedDims(c.ct.dims, s), storedAffine(c.ct.affine, c.ct.dims, s));
}

/** `count` slices from `start` along voxel axis `axis`. */
function cropAxis(data: Float32Array, dims: Vec3, axis: number, start: number, count: number): Float32Array {
  const out = dims.slice() as Vec3;
  out[axis] = count;
  const res = new Float32Array(out[0] * out[1] * out[2]);
  let o = 0;
  for (let z = 0; z < out[2]; z++) for (let y = 0; y < out[1]; y++) for (let x = 0; x < out[0]; x++) {
    const p = [x, y, z];
    p[axis] += start;
    res[o++] = data[p[0] + dims[0] * (p[1] + dims[1] * p[2])];
  }
  return res;
}

/** The voxel axis closest to head-foot, and the labelled range along it. */
function labelledRange(c: CasePair): { axis: number; lo: number; hi: number } {
  const axis = safeOrientation(c.ct.affine).source[2];
  return { axis, ...labelledAlong(c, axis) };
}

function slab(c: CasePair): CasePair {
  const { axis, lo, hi } = labelledRange(c);
  const n = c.ct.dims[axis];
  if (n < SLAB_SLICES) throw new Error(`variants: slab13 needs at least ${SLAB_SLICES} slices head-foot, the case has ${n}`);
  const start = Math.max(0, Math.min(n - SLAB_SLICES, Math.round((lo + hi) / 2) - (SLAB_SLICES - 1) / 2));
  const dims = c.ct.dims.slice() as Vec3;
  dims[axis] = SLAB_SLICES;
  const a = c.ct.affine.slice();
  for (let r = 0; r < 3; r++) a[4 * r + 3] += a[4 * r + axis] * start;
  return pair(c, cropAxis(c.ct.data, c.ct.dims, axis, start, SLAB_SLICES), cropAxis(c.ref.data, c.ct.dims, axis, start, SLAB_SLICES), dims, a);
}

/**
 * The anatomy turned by `deg` about the head-foot (world z) axis through the volume's centre, on the
 * same grid: output voxel at world p shows the input at c + R(-deg)(p - c). Image trilinear, labels
 * nearest; outside the input: -1024 HU and background.
 */
export function rotateAboutZ(c: CasePair, deg: number): CasePair {
  const A = c.ct.affine;
  const dims = c.ct.dims;
  const [nx, ny, nz] = dims;
  const centre = applyAffine(A, [(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2]);
  const M = matMul(invertAffine(A), matMul(translation(centre), matMul(rotationZ(-deg), matMul(translation(centre.map((x) => -x) as Vec3), A))));
  const ct = new Float32Array(nx * ny * nz);
  const ref = new Float32Array(nx * ny * nz);
  const src = c.ct.data, lab = c.ref.data;
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v > n - 1 ? n - 1 : v);
  let o = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) {
    // Input coordinate of (x, y, z) = row start + x * first column of M.
    const r0 = M[1] * y + M[2] * z + M[3], r1 = M[5] * y + M[6] * z + M[7], r2 = M[9] * y + M[10] * z + M[11];
    for (let x = 0; x < nx; x++, o++) {
      const ux = r0 + M[0] * x, uy = r1 + M[4] * x, uz = r2 + M[8] * x;
      if (ux < -0.5 || uy < -0.5 || uz < -0.5 || ux >= nx - 0.5 || uy >= ny - 0.5 || uz >= nz - 0.5) { ct[o] = AIR_HU; continue; }
      ref[o] = lab[clamp(Math.round(ux), nx) + nx * (clamp(Math.round(uy), ny) + ny * clamp(Math.round(uz), nz))];
      const px = clamp(ux, nx), py = clamp(uy, ny), pz = clamp(uz, nz);
      const fx = Math.floor(px), fy = Math.floor(py), fz = Math.floor(pz);
      const gx = Math.min(nx - 1, fx + 1), gy = Math.min(ny - 1, fy + 1), gz = Math.min(nz - 1, fz + 1);
      const wx = px - fx, wy = py - fy, wz = pz - fz;
      const at = (i: number, j: number, k: number) => src[i + nx * (j + ny * k)];
      const lo = (at(fx, fy, fz) * (1 - wx) + at(gx, fy, fz) * wx) * (1 - wy) + (at(fx, gy, fz) * (1 - wx) + at(gx, gy, fz) * wx) * wy;
      const hi = (at(fx, fy, gz) * (1 - wx) + at(gx, fy, gz) * wx) * (1 - wy) + (at(fx, gy, gz) * (1 - wx) + at(gx, gy, gz) * wx) * wy;
      ct[o] = lo * (1 - wz) + hi * wz;
    }
  }
  return pair(c, ct, ref, dims, A.slice(), DT_FLOAT32);
}

/** Gaussian noise of `sigma` HU, seeded. */
export function addNoise(c: CasePair, sigma: number, seed: number): CasePair {
  const next = rng(seed);
  const ct = Float32Array.from(c.ct.data, (v) => v + sigma * normal(next));
  return pair(c, ct, Float32Array.from(c.ref.data), c.ct.dims, c.ct.affine.slice(), DT_FLOAT32);
}

/**
 * Resampled to `target` mm given in patient axes (left-right, front-back, head-foot), sharing the outer
 * corner of the grid (as preprocess/resample.ts): image trilinear, labels nearest.
 */
export function resampleCase(c: CasePair, target: Vec3, maxVoxels = MAX_VOXELS): CasePair {
  const o = safeOrientation(c.ct.affine);
  const perAxis = [0, 1, 2].map((a) => target[o.source.indexOf(a)]) as Vec3;
  const dims = resampledDims(c.ct.dims, c.ct.spacing, perAxis);
  const n = dims[0] * dims[1] * dims[2];
  if (n > maxVoxels) throw new Error(`variants: resampling to ${target.join('x')} mm gives ${dims.join('x')} voxels, over the limit of ${maxVoxels}`);
  const scale = perAxis.map((t, a) => t / c.ct.spacing[a]) as Vec3;
  const ct = resampleLinear(c.ct.data, c.ct.dims, dims, scale);
  const ref = Float32Array.from(resampleLabelsNearest(labelIds(c.ref.data, 'reference'), c.ct.dims, dims, scale));
  return pair(c, ct, ref, dims, resampledAffine(c.ct.affine, scale), DT_FLOAT32);
}

const THICK_MM = 8;
const FOV_MM = 200;

/** Groups of round(8 mm / slice spacing) slices (at least 2) averaged head-foot; the reference keeps each group's middle slice. */
export function thickSlab(c: CasePair, mm = THICK_MM): CasePair {
  const axis = safeOrientation(c.ct.affine).source[2];
  const k = Math.max(2, Math.round(mm / c.ct.spacing[axis]));
  const n = Math.floor(c.ct.dims[axis] / k);
  if (n < 2) throw new Error(`variants: thick8 needs at least ${2 * k} slices head-foot, the case has ${c.ct.dims[axis]}`);
  const dims = c.ct.dims.slice() as Vec3;
  dims[axis] = n;
  const ct = new Float32Array(dims[0] * dims[1] * dims[2]);
  let ref: Float32Array<ArrayBuffer> = new Float32Array(0);
  for (let j = 0; j < k; j++) {
    // Slice j of every group: every k-th slice from j.
    const sub = everyKth(c.ct.data, c.ct.dims, axis, j, k, n);
    for (let i = 0; i < ct.length; i++) ct[i] += sub[i] / k;
    if (j === Math.floor(k / 2)) ref = everyKth(c.ref.data, c.ct.dims, axis, j, k, n);
  }
  const a = c.ct.affine.slice();
  for (let r = 0; r < 3; r++) {
    a[4 * r + 3] += a[4 * r + axis] * ((k - 1) / 2);
    a[4 * r + axis] *= k;
  }
  return pair(c, ct, ref, dims, a, DT_FLOAT32);
}

/** `count` slices j, j + k, j + 2k, ... along `axis`. */
function everyKth(data: Float32Array, dims: Vec3, axis: number, j: number, k: number, count: number): Float32Array<ArrayBuffer> {
  const out = dims.slice() as Vec3;
  out[axis] = count;
  const res = new Float32Array(out[0] * out[1] * out[2]);
  let o = 0;
  for (let z = 0; z < out[2]; z++) for (let y = 0; y < out[1]; y++) for (let x = 0; x < out[0]; x++) {
    const p = [x, y, z];
    p[axis] = j + k * p[axis];
    res[o++] = data[p[0] + dims[0] * (p[1] + dims[1] * p[2])];
  }
  return res;
}

/** The scan cut in-plane to a `mm` square around the labelled organs' centre (a targeted reconstruction). */
export function fieldOfView(c: CasePair, mm = FOV_MM): CasePair {
  const o = safeOrientation(c.ct.affine);
  let ct = c.ct.data, ref = c.ref.data;
  let dims = c.ct.dims.slice() as Vec3;
  const a = c.ct.affine.slice();
  for (const axis of [o.source[0], o.source[1]]) {
    const { lo, hi } = labelledAlong(c, axis);
    const count = Math.min(dims[axis], Math.round(mm / c.ct.spacing[axis]));
    const start = Math.max(0, Math.min(dims[axis] - count, Math.round((lo + hi) / 2 - count / 2)));
    ct = cropAxis(ct, dims, axis, start, count);
    ref = cropAxis(ref, dims, axis, start, count);
    dims = dims.slice() as Vec3;
    dims[axis] = count;
    for (let r = 0; r < 3; r++) a[4 * r + 3] += a[4 * r + axis] * start;
  }
  return pair(c, Float32Array.from(ct), Float32Array.from(ref), dims, a);
}

/** Labelled voxel range along voxel axis `axis`. */
function labelledAlong(c: CasePair, axis: number): { lo: number; hi: number } {
  const [nx, ny, nz] = c.ct.dims;
  let lo = Infinity, hi = -1, i = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) {
    if (c.ref.data[i] === 0) continue;
    const p = axis === 0 ? x : axis === 1 ? y : z;
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  if (hi < 0) throw new Error('variants: the reference label map is empty; pass a labelled case');
  return { lo, hi };
}

const LPS: Storage = { perm: [0, 1, 2], flip: [true, true, false] };
const ZYX: Storage = { perm: [2, 1, 0], flip: [false, false, false] };

/** One variant of the case. */
export function makeVariant(c: CasePair, name: VariantName, opts: VariantOptions = {}): Variant {
  switch (name) {
    case 'lps': return { name, ...stored(c, LPS), toOriginal: restore(c, LPS) };
    case 'zyx': return { name, ...stored(c, ZYX), toOriginal: restore(c, ZYX) };
    case 'slab13': return { name, ...slab(c) };
    case 'rot12': return { name, ...rotateAboutZ(c, ROT_DEG) };
    case 'noise35': return { name, ...addNoise(c, NOISE_HU, opts.seed ?? 35) };
    case 'spacing1.5': return { name, ...resampleCase(c, FINE_SPACING, opts.maxVoxels) };
    case 'thick8': return { name, ...thickSlab(c) };
    case 'fov200': return { name, ...fieldOfView(c) };
  }
}

/** Parses a comma-separated list of variant names; throws naming the valid ones. */
export function parseVariants(text: string | undefined): VariantName[] {
  if (text === undefined || text.trim() === '') return [...VARIANTS];
  return text.split(',').map((s) => {
    const v = s.trim();
    if (!(VARIANTS as readonly string[]).includes(v)) throw new Error(`unknown variant "${v}"; valid: ${VARIANTS.join(', ')}`);
    return v as VariantName;
  });
}
