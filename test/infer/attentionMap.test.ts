import { describe, expect, it } from 'vitest';
import {
  type AttentionGeometry, globalLevelHeat, nearestTile, originalToModel, paintCellHeat, paintTileHeat, tokenOfVoxel,
  volumeLevelCellHeat, windowLevelHeat, windowOfToken,
} from '../../src/infer/attention/attentionMap';
import type { VolumeTokenGrid } from '../../src/infer/contract/modelCard';
import type { PreprocessProps } from '../../src/infer/preprocess/preprocess';
import { orientationOf } from '../../src/infer/preprocess/orientation';

const g: AttentionGeometry = { patch: [32, 32, 16], tokenGrid: [8, 8, 4], window: [4, 4, 2], windowTokens: 1 };

describe('token and window indices', () => {
  it('matches the worked example in the module comment', () => {
    const t = tokenOfVoxel([13, 2, 9], g);
    expect(t).toEqual([3, 0, 2]);
    expect(windowOfToken(t, g)).toEqual({ window: 4, local: 3 });
  });

  it('orders windows and tokens x-fastest', () => {
    expect(windowOfToken([4, 0, 0], g).window).toBe(1);
    expect(windowOfToken([0, 4, 0], g).window).toBe(2);
    expect(windowOfToken([5, 1, 1], g)).toEqual({ window: 1, local: 1 + 4 * (1 + 4 * 1) });
  });
});

describe('window level', () => {
  it('paints the voxel token row over its own window only', () => {
    const T = 1 + 32;
    const data = new Float32Array(8 * T * T);
    const { window, local } = windowOfToken([5, 1, 1], g);
    const row = (window * T + 1 + local) * T;
    for (let j = 0; j < 32; j++) data[row + 1 + j] = j;
    const heat = windowLevelHeat({ data, dims: [1, 8, T, T] }, [5, 1, 1], g);
    expect(heat[4 + 8 * (0 + 8 * 0)]).toBe(0);
    expect(heat[7 + 8 * (3 + 8 * 1)]).toBe(3 + 4 * (3 + 4 * 1));
    expect(heat.reduce((a, b) => a + b, 0)).toBe((31 * 32) / 2);
  });

  it('rejects a shape that does not match the card', () => {
    expect(() => windowLevelHeat({ data: new Float32Array(4), dims: [1, 2, 2] }, [0, 0, 0], g)).toThrow(/expected 8x33x33/);
  });
});

describe('global and volume levels', () => {
  const nWin = 8;
  const V = 4 * 3 * 1;
  const cols = nWin + 4;
  const global = new Float32Array(nWin * cols);
  for (let w = 0; w < nWin; w++) for (let c = 0; c < cols; c++) global[w * cols + c] = w === 4 ? c : 0;

  it('gives each window the weight of its window token', () => {
    const heat = globalLevelHeat({ data: global, dims: [nWin, cols] }, [3, 0, 2], g);
    expect(heat[0]).toBe(0);
    expect(heat[7 + 8 * (7 + 8 * 3)]).toBe(7);
  });

  it('carries gathered-token weights through the volume attention onto cells', () => {
    const grid: VolumeTokenGrid = { cells: [4, 3], cellMm: [10, 10], tokensPerCell: 1, anchor: 'body-bbox-centre', huThreshold: -500, indexCount: 4 };
    const vol = new Float32Array(V * V);
    for (let q = 0; q < V; q++) vol[q * V + q] = 1;
    const gathered = BigInt64Array.from([0n, 1n, 4n, 5n]);
    const cells = volumeLevelCellHeat({ data: vol, dims: [V, V] }, gathered, grid, { attn: { data: global, dims: [nWin, cols] }, token: [3, 0, 2], g });
    expect(Array.from(cells)).toEqual([8, 9, 0, 0, 10, 11, 0, 0, 0, 0, 0, 0]);
    const uniform = volumeLevelCellHeat({ data: vol, dims: [V, V] }, gathered, grid);
    expect(uniform[0]).toBeCloseTo(0.25);
  });
});

describe('painting back to the original grid', () => {
  const props: PreprocessProps = {
    inputDims: [4, 2, 1], orientation: orientationOf([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]),
    canonicalDims: [4, 2, 1], canonicalSpacing: [2, 2, 2], resampledDims: [8, 4, 2], forwardScale: [0.5, 0.5, 0.5], scaleBack: [2, 2, 2],
    padding: { before: [0, 0, 0], after: [0, 0, 0] }, paddedDims: [8, 4, 2], anchorVoxel: [3.5, 1.5, 0.5],
  };

  it('maps voxel centres through the resampling', () => {
    expect(originalToModel([0, 0, 0], props)).toEqual([0.5, 0.5, 0.5]);
    expect(originalToModel([3, 1, 0], props)).toEqual([6.5, 2.5, 0.5]);
  });

  it('picks the tile whose centre is nearest', () => {
    expect(nearestTile([30, 0, 0], [[0, 0, 0], [16, 0, 0], [32, 0, 0]], [32, 32, 32])).toEqual([16, 0, 0]);
  });

  it('paints token heat inside the tile and zero outside', () => {
    const small: AttentionGeometry = { patch: [4, 4, 2], tokenGrid: [2, 2, 1], window: [2, 2, 1], windowTokens: 1 };
    const heat = Float32Array.from([1, 2, 3, 4]);
    const out = paintTileHeat(heat, [0, 0, 0], small, props);
    expect(Array.from(out)).toEqual([1, 2, 0, 0, 3, 4, 0, 0]);
  });

  it('paints cell heat through the body-anchored grid', () => {
    const grid: VolumeTokenGrid = { cells: [2, 1], cellMm: [8, 8], tokensPerCell: 1, anchor: 'body-bbox-centre', huThreshold: -500, indexCount: 4 };
    const out = paintCellHeat(Float32Array.from([1, 2]), grid, [1, 1, 1], props);
    expect(Array.from(out)).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });

  it('with outlines, the voxels on a boundary between cells stay 0', () => {
    // Three 2 mm cells centred on the anchor (x 3.5): boundaries at model x 2.5 and 4.5, i.e. input x 1 and 2.
    const grid: VolumeTokenGrid = { cells: [3, 1], cellMm: [2, 8], tokensPerCell: 1, anchor: 'body-bbox-centre', huThreshold: -500, indexCount: 4 };
    const plain = paintCellHeat(Float32Array.from([1, 2, 3]), grid, [1, 1, 1], props);
    const lined = paintCellHeat(Float32Array.from([1, 2, 3]), grid, [1, 1, 1], props, { outlines: true });
    expect(Array.from(lined)).toEqual([1, 0, 0, 3, 1, 0, 0, 3]);
    const zeroed = Array.from(lined).map((v, i) => (v === 0 && plain[i] !== 0 ? i : -1)).filter((i) => i >= 0);
    expect(zeroed.length).toBeGreaterThan(0);
    expect(zeroed.length).toBeLessThan(lined.length);
    lined.forEach((v, i) => { if (v !== 0) expect(v).toBe(plain[i]); });
  });
});
