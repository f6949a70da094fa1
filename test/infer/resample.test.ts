import { describe, expect, it } from 'vitest';
import { resampleArgmax, resampleLabelsNearest, resampleLinear, resampledDims } from '../../src/infer/preprocess/resample';
import type { Vec3 } from '../../src/infer/io/niftiHeader';

function volume(dims: Vec3, f: (x: number, y: number, z: number) => number): Float32Array {
  const out = new Float32Array(dims[0] * dims[1] * dims[2]);
  let i = 0;
  for (let z = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++) out[i++] = f(x, y, z);
  return out;
}

/** From `spacing` to `target` spacing as preprocessing does it: the dims of the new grid and scale = target / spacing. */
function toSpacing(data: Float32Array, dims: Vec3, spacing: Vec3, target: Vec3): { data: Float32Array; dims: Vec3 } {
  const outDims = resampledDims(dims, spacing, target);
  return { data: resampleLinear(data, dims, outDims, target.map((t, a) => t / spacing[a]) as Vec3), dims: outDims };
}

describe('resample', () => {
  it('output dims are round(n * s / t), at least 1', () => {
    expect(resampledDims([100, 51, 3], [1, 1, 5], [2, 2, 20])).toEqual([50, 26, 1]);
  });

  it('is the identity at equal spacing', () => {
    const dims: Vec3 = [5, 4, 3];
    const v = volume(dims, (x, y, z) => Math.sin(x) + y * z);
    const r = toSpacing(v, dims, [1.5, 1.5, 3], [1.5, 1.5, 3]);
    expect(r.dims).toEqual(dims);
    expect(Array.from(r.data)).toEqual(Array.from(v));
  });

  it('reproduces a linear ramp exactly away from the clamped border', () => {
    const dims: Vec3 = [8, 6, 10];
    const ramp = (x: number, y: number, z: number) => 2 * x - 3 * y + 0.5 * z + 7;
    const v = volume(dims, ramp);
    // 1 mm -> 0.5 mm in x, 1 mm -> 0.75 mm in y, 1 mm -> 2 mm in z.
    const target: Vec3 = [0.5, 0.75, 2];
    const r = toSpacing(v, dims, [1, 1, 1], target);
    expect(r.dims).toEqual([16, 8, 5]);
    const at = (i: number, a: number) => (i + 0.5) * target[a] - 0.5;
    let checked = 0;
    let o = 0;
    for (let k = 0; k < r.dims[2]; k++) {
      for (let j = 0; j < r.dims[1]; j++) {
        for (let i = 0; i < r.dims[0]; i++, o++) {
          const c = [at(i, 0), at(j, 1), at(k, 2)];
          if (c.some((x, a) => x < 0 || x > dims[a] - 1)) continue;
          expect(r.data[o]).toBeCloseTo(ramp(c[0], c[1], c[2]), 4);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('downsampling by 2 averages voxel pairs', () => {
    const v = Float32Array.from([0, 2, 4, 6]);
    expect(Array.from(resampleLinear(v, [4, 1, 1], [2, 1, 1]))).toEqual([1, 5]);
  });

  it('there and back again keeps a smooth field close', () => {
    const dims: Vec3 = [20, 18, 9];
    const v = volume(dims, (x, y, z) => Math.sin(x / 4) + Math.cos(y / 5) + z / 9);
    const down = toSpacing(v, dims, [1, 1, 2], [1.6, 1.3, 2.5]);
    const back = resampleLinear(down.data, down.dims, dims, [1 / 1.6, 1 / 1.3, 2 / 2.5]);
    let err = 0;
    for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(back[i] - v[i]));
    expect(err).toBeLessThan(0.15);
  });

  it('reads one channel at an offset into a caller-supplied buffer, and refuses a short input', () => {
    const dims: Vec3 = [4, 2, 2];
    const a = volume(dims, (x) => x);
    const b = volume(dims, (_x, y) => 10 * y);
    const both = new Float32Array(32);
    both.set(a);
    both.set(b, 16);
    const out = new Float32Array(8);
    expect(resampleLinear(both, dims, [2, 2, 2], undefined, out, 16)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(resampleLinear(b, dims, [2, 2, 2])));
    expect(Array.from(out)).toEqual([0, 0, 10, 10, 0, 0, 10, 10]);
    expect(() => resampleLinear(both, dims, [2, 2, 2], undefined, out, 17)).toThrow(/expected at least 33 for dims 4x2x2/);
  });

  it('nearest neighbour keeps label values', () => {
    const labels = Uint8Array.from([1, 1, 2, 2, 3, 3]);
    expect(Array.from(resampleLabelsNearest(labels, [6, 1, 1], [3, 1, 1]))).toEqual([1, 2, 3]);
    expect(Array.from(resampleLabelsNearest(Uint8Array.from([4, 7]), [2, 1, 1], [4, 1, 1]))).toEqual([4, 4, 7, 7]);
  });
});

describe('resampleArgmax', () => {
  /** The long way: every channel resampled at the output resolution, running maximum (first channel on ties). */
  function slow(data: Float32Array, C: number, dims: Vec3, outDims: Vec3, scale: Vec3, ids: number[]): Uint8Array {
    const n = dims[0] * dims[1] * dims[2];
    const m = outDims[0] * outDims[1] * outDims[2];
    const best = new Float32Array(m).fill(-Infinity);
    const out = new Uint8Array(m);
    for (let c = 0; c < C; c++) {
      const ch = resampleLinear(data, dims, outDims, scale, undefined, c * n);
      for (let v = 0; v < m; v++) if (ch[v] > best[v]) { best[v] = ch[v]; out[v] = ids[c]; }
    }
    return out;
  }

  it('gives the label of every channel resampled, at a fraction of the work', () => {
    const dims: Vec3 = [14, 11, 9];
    const C = 4;
    const n = dims[0] * dims[1] * dims[2];
    // Smooth, overlapping blobs: each channel peaks somewhere else, so borders run through the grid.
    const centres = [[3, 3, 2], [10, 4, 6], [6, 9, 4], [12, 9, 1]];
    const data = new Float32Array(C * n);
    for (let c = 0; c < C; c++) for (let z = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++) {
      const [a, b, d] = centres[c];
      data[c * n + x + dims[0] * (y + dims[1] * z)] = -((x - a) ** 2 + (y - b) ** 2 + 2 * (z - d) ** 2) / 9 + (c === 0 ? 1 : 0);
    }
    const ids = [0, 3, 5, 9];
    for (const [outDims, scale] of [[[40, 30, 20], [14 / 40, 11 / 30, 9 / 20]], [[14, 11, 9], [1, 1, 1]], [[7, 6, 4], [2, 11 / 6, 9 / 4]]] as [Vec3, Vec3][]) {
      const fast = resampleArgmax(data, dims, [0, 0, 0], dims, outDims, scale, [0, 1, 2, 3].map((c) => c * n), ids);
      const ref = slow(data, C, dims, outDims, scale, ids);
      let same = 0;
      for (let i = 0; i < ref.length; i++) if (fast[i] === ref[i]) same++;
      expect(same / ref.length).toBeGreaterThanOrEqual(0.999);
      expect(new Set(fast).size).toBeGreaterThan(2);
    }
  });

  it('reads a box of a padded grid', () => {
    const dims: Vec3 = [6, 5, 4];
    const n = 6 * 5 * 4;
    const data = new Float32Array(2 * n);
    // Channel 1 wins inside the box x 1..4, y 1..3, z 1..2 except its first column.
    for (let z = 1; z <= 2; z++) for (let y = 1; y <= 3; y++) for (let x = 2; x <= 4; x++) data[n + x + 6 * (y + 5 * z)] = 1;
    const out = resampleArgmax(data, dims, [1, 1, 1], [4, 3, 2], [4, 3, 2], [1, 1, 1], [0, n], [0, 7]);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 7, 7, 7]);
  });
});
