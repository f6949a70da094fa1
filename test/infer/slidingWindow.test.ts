import { describe, expect, it } from 'vitest';
import {
  LogitAccumulator, axisTileOrigins, cropBox, gaussianImportance, slidingWindowTiles,
} from '../../src/infer/runtime/slidingWindow';
import { padToPatch } from '../../src/infer/preprocess/grid';
import { flipChannels } from '../../src/infer/runtime/mirror';
import type { Vec3 } from '../../src/infer/io/niftiHeader';

describe('slidingWindowTiles', () => {
  it('hand-worked origins (nnU-Net: n = ceil((size - patch) / (patch * step)) + 1)', () => {
    expect(axisTileOrigins(160, 64)).toEqual([0, 32, 64, 96]);
    // ceil(36 / 32) + 1 = 3 tiles, step 18.
    expect(axisTileOrigins(100, 64)).toEqual([0, 18, 36]);
    expect(axisTileOrigins(64, 64)).toEqual([0]);
    expect(axisTileOrigins(40, 64)).toEqual([0]);
    expect(axisTileOrigins(100, 64, 1)).toEqual([0, 36]);
  });

  it('tiles cover every voxel', () => {
    const dims: Vec3 = [37, 50, 23];
    const patch: Vec3 = [16, 24, 8];
    const hits = new Uint8Array(dims[0] * dims[1] * dims[2]);
    const tiles = slidingWindowTiles(dims, patch);
    expect(tiles.length).toBe(axisTileOrigins(37, 16).length * axisTileOrigins(50, 24).length * axisTileOrigins(23, 8).length);
    for (const [ox, oy, oz] of tiles) {
      for (let z = oz; z < oz + patch[2]; z++) for (let y = oy; y < oy + patch[1]; y++) for (let x = ox; x < ox + patch[0]; x++) {
        hits[x + dims[0] * (y + dims[1] * z)] = 1;
      }
    }
    expect(hits.every((h) => h === 1)).toBe(true);
  });
});

describe('padToPatch and cropBox', () => {
  it('pads symmetrically and the padding undoes', () => {
    const dims: Vec3 = [3, 2, 5];
    const data = Float32Array.from({ length: 30 }, (_, i) => i);
    const p = padToPatch(data, dims, [6, 4, 4], -9);
    expect(p.dims).toEqual([6, 4, 5]);
    expect(p.padding).toEqual({ before: [1, 1, 0], after: [2, 1, 0] });
    expect(p.data[0]).toBe(-9);
    expect(Array.from(cropBox(p.data, p.dims, p.padding.before, dims))).toEqual(Array.from(data));
    expect(padToPatch(data, dims, [2, 2, 2], 0).data).toBe(data);
  });
});

describe('gaussianImportance', () => {
  it('peaks at 1 in the centre and has no zeros', () => {
    const g = gaussianImportance([8, 6, 4]);
    expect(g[4 + 8 * (3 + 6 * 2)]).toBe(1);
    expect(Math.max(...g)).toBe(1);
    expect(Math.min(...g)).toBeGreaterThan(0);
    expect(g[0]).toBeLessThan(g[1]);
  });
});

describe('LogitAccumulator', () => {
  it('reproduces a constant logit field exactly', () => {
    const dims: Vec3 = [20, 17, 9];
    const patch: Vec3 = [8, 8, 4];
    const acc = new LogitAccumulator(2, dims, patch);
    const m = 8 * 8 * 4;
    const tile = new Float32Array(2 * m);
    tile.fill(0.75, 0, m);
    tile.fill(-3.5, m);
    for (const o of slidingWindowTiles(dims, patch)) acc.add(tile, o);
    const out = acc.finish();
    const n = 20 * 17 * 9;
    for (let v = 0; v < n; v++) {
      expect(out[v]).toBeCloseTo(0.75, 5);
      expect(out[n + v]).toBeCloseTo(-3.5, 5);
    }
  });

  it('rejects tiles of the wrong size or outside the volume', () => {
    const acc = new LogitAccumulator(2, [4, 4, 4], [2, 2, 2]);
    expect(() => acc.add(new Float32Array(8), [0, 0, 0])).toThrow(/expected 2 channels x 2x2x2/);
    expect(() => acc.add(new Float32Array(16), [3, 0, 0])).toThrow(/leaves the volume/);
  });
});

describe('flips', () => {
  it('a flip is its own inverse', () => {
    const dims: Vec3 = [3, 2, 2];
    const d = Float32Array.from({ length: 24 }, (_, i) => i);
    expect(Array.from(flipChannels(d, 2, dims, 1).subarray(0, 3))).toEqual([2, 1, 0]);
    for (let mask = 0; mask < 8; mask++) {
      expect(Array.from(flipChannels(flipChannels(d, 2, dims, mask), 2, dims, mask))).toEqual(Array.from(d));
    }
  });
});
