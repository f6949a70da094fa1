/**
 * Attention heat maps for one clicked voxel, from the outputs of a model card's attention graph
 * (see `AttentionExport`). Pure maths: the caller runs the graph on the tile that holds the voxel.
 *
 * Token layout (src/model/blocks.ts `partition`): the first stage has `tokenGrid` (x, y, z) tokens
 * per tile, each covering stride = patch / tokenGrid voxels. Windows of `window` tokens are in
 * (z, y, x) raster order, so the window index is x-fastest: w = wx + nWx * (wy + nWy * wz), and so
 * is a token inside its window: l = lx + Wx * (ly + Wy * lz). Each window's sequence is its
 * `windowTokens` learned tokens followed by its visual tokens.
 *
 * Worked example: patch (32, 32, 16), tokenGrid (8, 8, 4) -> stride (4, 4, 4); window (4, 4, 2),
 * so 2 x 2 x 2 = 8 windows of 32 visual tokens, 1 window token, T = 33. Tile voxel (13, 2, 9) is in
 * token (3, 0, 2), window (0, 0, 1) = 4, local token (3, 0, 0) = 3, attention row 1 + 3 = 4.
 *
 * Three levels:
 *  - window: the voxel's token's attention row over the visual tokens of its window;
 *  - global: the G-MSA row of the voxel's window token over the window tokens of every window;
 *  - volume: the window token's G-MSA weights on the gathered volume tokens, carried through the
 *    volume-token attention over the whole table, summed per grid cell (constant along z).
 * Heat is painted back on the original grid through the same geometry `preprocess` used.
 */
import type { AttentionExport, VolumeTokenGrid } from '../contract/modelCard';
import type { Vec3 } from '../io/niftiHeader';
import type { PreprocessProps } from '../preprocess/preprocess';
import { fromCanonical, voxelToCanonical } from '../preprocess/orientation';

/** FINE's three levels, or U-Transformer's cross-attention at the skip of encoder stage s (`cross<s>`). */
export type AttentionLevel = 'window' | 'global' | 'volume' | `cross${number}`;

/** The levels a card's attention export offers, in display order (none without an export). */
export function attentionLevelsOf(att: AttentionExport | undefined): AttentionLevel[] {
  if (!att) return [];
  if (att.cross?.length) return att.cross.map((c) => `cross${c.stage}` as const);
  return (['window', 'global', 'volume'] as const).filter((l) => att.outputs[l]);
}

/** Geometry and output name of a cross-attention level: one window covering the tile, no memory tokens. */
export function crossLevel(att: AttentionExport, level: AttentionLevel, patch: Vec3): { output: string; g: AttentionGeometry } | undefined {
  const c = att.cross?.find((x) => `cross${x.stage}` === level);
  return c && { output: c.output, g: { patch, tokenGrid: c.tokenGrid, window: c.tokenGrid, windowTokens: 0 } };
}

export interface AttentionGeometry {
  patch: Vec3;
  tokenGrid: Vec3;
  window: Vec3;
  windowTokens: number;
}

export interface AttentionTensor {
  data: Float32Array;
  dims: readonly number[];
}

function windowCounts(g: AttentionGeometry): Vec3 {
  return g.tokenGrid.map((t, a) => {
    if (t % g.window[a] !== 0 || g.patch[a] % t !== 0) {
      throw new Error(
        `attention: tokenGrid ${g.tokenGrid.join('x')} must divide the patch ${g.patch.join('x')} and be divisible by the window ${g.window.join('x')}; fix the model card's attention field`,
      );
    }
    return t / g.window[a];
  }) as Vec3;
}

/** Token (x, y, z) of a voxel given in tile coordinates. */
export function tokenOfVoxel(local: Vec3, g: AttentionGeometry): Vec3 {
  return local.map((v, a) => {
    const s = g.patch[a] / g.tokenGrid[a];
    return Math.min(g.tokenGrid[a] - 1, Math.max(0, Math.floor(v / s)));
  }) as Vec3;
}

/** Window index and index inside the window of a token. */
export function windowOfToken(token: Vec3, g: AttentionGeometry): { window: number; local: number } {
  const nw = windowCounts(g);
  const w = token.map((t, a) => Math.floor(t / g.window[a]));
  const l = token.map((t, a) => t % g.window[a]);
  return {
    window: w[0] + nw[0] * (w[1] + nw[1] * w[2]),
    local: l[0] + g.window[0] * (l[1] + g.window[1] * l[2]),
  };
}

/** Drops leading size-1 axes until `rank` remain; checks the trailing shape. */
function squeeze(t: AttentionTensor, rank: number, what: string): number[] {
  const dims = [...t.dims];
  while (dims.length > rank && dims[0] === 1) dims.shift();
  if (dims.length !== rank || dims.reduce((a, b) => a * b, 1) !== t.data.length) {
    throw new Error(`attention: ${what} output has shape [${t.dims.join(', ')}], expected rank ${rank}; check the card's attention.outputs`);
  }
  return dims;
}

function tokenIndex(t: Vec3, grid: Vec3): number {
  return t[0] + grid[0] * (t[1] + grid[1] * t[2]);
}

/** Window level: heat over the tile's tokens (x-fastest), non-zero only inside the voxel's window. */
export function windowLevelHeat(attn: AttentionTensor, token: Vec3, g: AttentionGeometry): Float32Array {
  const nw = windowCounts(g);
  const perWindow = g.window[0] * g.window[1] * g.window[2];
  const T = g.windowTokens + perWindow;
  const [nWin, rows, cols] = squeeze(attn, 3, 'window');
  if (nWin !== nw[0] * nw[1] * nw[2] || rows !== T || cols !== T) {
    throw new Error(`attention: window output is ${nWin}x${rows}x${cols}, expected ${nw[0] * nw[1] * nw[2]}x${T}x${T} for the card's tokenGrid and window`);
  }
  const { window, local } = windowOfToken(token, g);
  const row = (window * T + g.windowTokens + local) * T;
  const heat = new Float32Array(g.tokenGrid[0] * g.tokenGrid[1] * g.tokenGrid[2]);
  const w0 = [window % nw[0], Math.floor(window / nw[0]) % nw[1], Math.floor(window / (nw[0] * nw[1]))];
  for (let j = 0; j < perWindow; j++) {
    const l: Vec3 = [j % g.window[0], Math.floor(j / g.window[0]) % g.window[1], Math.floor(j / (g.window[0] * g.window[1]))];
    const t = l.map((v, a) => w0[a] * g.window[a] + v) as Vec3;
    heat[tokenIndex(t, g.tokenGrid)] = attn.data[row + g.windowTokens + j];
  }
  return heat;
}

/** Row of the voxel's (first) window token in the G-MSA output, and the number of window-token columns. */
function globalRow(attn: AttentionTensor, token: Vec3, g: AttentionGeometry): { row: Float32Array; windowCols: number } {
  if (g.windowTokens < 1) throw new Error('attention: the global level needs window tokens (windowTokens >= 1); this model has none');
  const nw = windowCounts(g);
  const nWin = nw[0] * nw[1] * nw[2];
  const [rows, cols] = squeeze(attn, 2, 'global');
  const windowCols = nWin * g.windowTokens;
  if (cols < windowCols || (rows !== nWin && rows !== windowCols && rows !== cols)) {
    throw new Error(`attention: global output is ${rows}x${cols}, expected ${nWin} or ${windowCols} rows and at least ${windowCols} columns`);
  }
  const { window } = windowOfToken(token, g);
  const r = rows === nWin ? window : window * g.windowTokens;
  return { row: attn.data.subarray(r * cols, (r + 1) * cols), windowCols };
}

/** Global level: heat over the tile's tokens, each window painted with its window tokens' weight. */
export function globalLevelHeat(attn: AttentionTensor, token: Vec3, g: AttentionGeometry): Float32Array {
  const { row } = globalRow(attn, token, g);
  const heat = new Float32Array(g.tokenGrid[0] * g.tokenGrid[1] * g.tokenGrid[2]);
  let i = 0;
  for (let z = 0; z < g.tokenGrid[2]; z++) {
    for (let y = 0; y < g.tokenGrid[1]; y++) {
      for (let x = 0; x < g.tokenGrid[0]; x++, i++) {
        const u = windowOfToken([x, y, z], g).window;
        let s = 0;
        for (let k = 0; k < g.windowTokens; k++) s += row[u * g.windowTokens + k];
        heat[i] = s;
      }
    }
  }
  return heat;
}

/**
 * Volume level: heat per volume-token grid cell (x-fastest, cells[0] x cells[1]). The window token's
 * weights on the gathered tokens (uniform when the G-MSA output is absent) are spread over the table
 * by the volume attention rows of those tokens, then summed over each cell's tokens.
 */
export function volumeLevelCellHeat(
  volumeAttn: AttentionTensor,
  gathered: BigInt64Array,
  grid: VolumeTokenGrid,
  globalAttn?: { attn: AttentionTensor; token: Vec3; g: AttentionGeometry },
): Float32Array {
  const V = grid.cells[0] * grid.cells[1] * grid.tokensPerCell;
  const [r, c] = squeeze(volumeAttn, 2, 'volume');
  if (r !== V || c !== V) throw new Error(`attention: volume output is ${r}x${c}, expected ${V}x${V} (cells x tokensPerCell of the card's volumeTokens)`);
  let weights = new Float32Array(gathered.length).fill(1 / gathered.length);
  if (globalAttn) {
    const { row, windowCols } = globalRow(globalAttn.attn, globalAttn.token, globalAttn.g);
    if (row.length - windowCols === gathered.length) weights = Float32Array.from(row.subarray(windowCols));
  }
  const cells = new Float32Array(grid.cells[0] * grid.cells[1]);
  gathered.forEach((idx, k) => {
    const q0 = Number(idx) * V;
    for (let q = 0; q < V; q++) cells[Math.floor(q / grid.tokensPerCell)] += weights[k] * volumeAttn.data[q0 + q];
  });
  return cells;
}

/** Position on the padded model grid of an input voxel (through `preprocess`'s reorientation and resampling). */
export function originalToModel(v: Vec3, props: PreprocessProps): Vec3 {
  const c = voxelToCanonical(v, props.inputDims, props.orientation);
  return c.map((x, a) => (x + 0.5) * props.scaleBack[a] - 0.5 + props.padding.before[a]) as Vec3;
}

/** Origin of the tile whose centre is nearest to a model-grid position. */
export function nearestTile(p: Vec3, tiles: Vec3[], patch: Vec3): Vec3 {
  let best = tiles[0];
  let bestD = Infinity;
  for (const t of tiles) {
    const d = t.reduce((s, o, a) => s + (o + patch[a] / 2 - p[a]) ** 2, 0);
    if (d < bestD) { bestD = d; best = t; }
  }
  return best;
}

/** Paints per-model-voxel values onto the input's grid: `value(p)` at each voxel's model position. */
function paint(props: PreprocessProps, value: (p: Vec3) => number): Float32Array {
  const [nx, ny, nz] = props.canonicalDims;
  const out = new Float32Array(nx * ny * nz);
  const axis = (a: number, n: number) => Float64Array.from({ length: n }, (_, i) => (i + 0.5) * props.scaleBack[a] - 0.5 + props.padding.before[a]);
  const px = axis(0, nx);
  const py = axis(1, ny);
  const pz = axis(2, nz);
  let i = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) out[i++] = value([px[x], py[y], pz[z]]);
  return fromCanonical(out, props.inputDims, props.orientation);
}

/** Token heat of one tile painted onto the original grid (zero outside the tile). */
export function paintTileHeat(heat: Float32Array, tileOrigin: Vec3, g: AttentionGeometry, props: PreprocessProps): Float32Array {
  return paint(props, (p) => {
    const local = p.map((v, a) => Math.round(v) - tileOrigin[a]) as Vec3;
    if (local.some((v, a) => v < 0 || v >= g.patch[a])) return 0;
    return heat[tokenIndex(tokenOfVoxel(local, g), g.tokenGrid)];
  });
}

/**
 * Cell heat painted onto the original grid through the volume-token grid (constant along z). With
 * `outlines`, the model-grid voxels that straddle a boundary between two cells stay 0, so the cells read
 * as a grid of tiles over the scan.
 */
export function paintCellHeat(cells: Float32Array, grid: VolumeTokenGrid, modelSpacing: Vec3, props: PreprocessProps, opts: { outlines?: boolean } = {}): Float32Array {
  const mmOf = (p: number, a: 0 | 1) => (p - props.anchorVoxel[a]) * modelSpacing[a] + (grid.cells[a] * grid.cellMm[a]) / 2;
  const cellAt = (mm: number, a: 0 | 1) => Math.min(grid.cells[a] - 1, Math.max(0, Math.floor(mm / grid.cellMm[a])));
  const onBoundary = (mm: number, a: 0 | 1) => {
    const k = Math.round(mm / grid.cellMm[a]);
    return k > 0 && k < grid.cells[a] && Math.abs(mm - k * grid.cellMm[a]) < modelSpacing[a] / 2;
  };
  return paint(props, (p) => {
    const mx = mmOf(p[0], 0), my = mmOf(p[1], 1);
    if (opts.outlines && (onBoundary(mx, 0) || onBoundary(my, 1))) return 0;
    return cells[cellAt(mx, 0) + grid.cells[0] * cellAt(my, 1)];
  });
}
