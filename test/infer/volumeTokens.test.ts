import { describe, expect, it } from 'vitest';
import type { VolumeTokenGrid } from '../../src/infer/contract/modelCard';
import { volumeTokenIndices } from '../../src/infer/runtime/volumeTokens';

const grid: VolumeTokenGrid = {
  cells: [4, 4],
  cellMm: [50, 50],
  tokensPerCell: 2,
  anchor: 'body-bbox-centre',
  huThreshold: -500,
  indexCount: 8,
};

const list = (a: BigInt64Array) => Array.from(a, Number);

describe('volumeTokenIndices', () => {
  it('the worked example of the module comment', () => {
    // Grid 200 mm wide, centred on voxel 50 at 2 mm: origin at voxel 0. Tile x [80, 144) mm -> cells 1..2,
    // y [120, 152) mm -> cells 2..3. Cells 9, 10, 13, 14, two tokens each.
    const idx = volumeTokenIndices(grid, [40, 60, 0], [32, 16, 8], [2, 2, 3], [50, 50, 10]);
    expect(list(idx)).toEqual([18, 19, 20, 21, 26, 27, 28, 29]);
  });

  it('a tile inside one cell repeats that cell', () => {
    // x [0, 20) mm, y [50, 70) mm -> cell (0, 1) = id 4, tokens 8, 9.
    const idx = volumeTokenIndices(grid, [0, 25, 0], [10, 10, 4], [2, 2, 3], [50, 50, 10]);
    expect(list(idx)).toEqual([8, 9, 8, 9, 8, 9, 8, 9]);
  });

  it('a tile ending exactly on a cell edge does not reach the next cell', () => {
    // x [0, 50) mm -> only cell 0.
    const idx = volumeTokenIndices(grid, [0, 0, 0], [25, 25, 4], [2, 2, 3], [50, 50, 10]);
    expect(list(idx)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('clamps tiles beyond the grid to the border cells', () => {
    // Anchor far right: the tile lies left of the grid -> x cell 0; y far below -> y cell 3.
    const idx = volumeTokenIndices(grid, [0, 300, 0], [10, 10, 4], [2, 2, 3], [200, 50, 10]);
    expect(list(idx)).toEqual([24, 25, 24, 25, 24, 25, 24, 25]);
  });

  it('refuses an indexCount that is not 4 x tokensPerCell', () => {
    expect(() => volumeTokenIndices({ ...grid, indexCount: 6 }, [0, 0, 0], [8, 8, 8], [1, 1, 1], [0, 0, 0])).toThrow(
      /indexCount is 6, expected 4 cells x tokensPerCell 2 = 8/,
    );
  });
});
