/**
 * The pieces of a FINE stage on channels-last tokens [B, Z, Y, X, C]: window partition and merge,
 * cyclic shift, patch merging and expanding (MatMul + depth-to-space: ConvTranspose3D does not run
 * on WebGPU, and a ConvTranspose with kernel = stride is exactly that map), and the transformer block
 * with window tokens, G-MSA and volume tokens.
 */
import { type Graph, type Value, gelu, layerNorm, linear, mlp, multiHeadAttention, ops as o } from '../graph';
import type { Triple } from './contract';
import { inversePermutation, relativePositionIndex, relativeTableSize, shiftedWindowMask, shiftedWindowOrder } from './windows';

/** [B, Z, Y, X, C] -> [B * nW, T, C], windows in (z, y, x) raster order. */
export function partition(g: Graph, x: Value, w: Triple): Value {
  const [b, z, y, xx, c] = x.shape;
  const r = o.reshape(g, x, [b * (z / w[0]), w[0], y / w[1], w[1], xx / w[2], w[2], c]);
  return o.reshape(g, o.transpose(g, r, [0, 2, 4, 1, 3, 5, 6]), [b * (z / w[0]) * (y / w[1]) * (xx / w[2]), w[0] * w[1] * w[2], c]);
}

/** Inverse of partition. */
export function unpartition(g: Graph, t: Value, w: Triple, shape: readonly number[]): Value {
  const [b, z, y, x, c] = shape;
  const r = o.reshape(g, t, [b * (z / w[0]), y / w[1], x / w[2], w[0], w[1], w[2], c]);
  return o.reshape(g, o.transpose(g, r, [0, 3, 1, 4, 2, 5, 6]), [b, z, y, x, c]);
}

/**
 * Rows of [B, N, C] reordered by a fixed permutation of N (one Gather); its gradient gathers by the
 * inverse permutation (no scatter).
 */
function permuteTokens(g: Graph, x: Value, perm: Int32Array): Value {
  const toIdx = (p: Int32Array): Value => g.constant(BigInt64Array.from(p, (v) => BigInt(v)), [p.length], 'perm');
  return g.composite(() => ({
    out: o.gather(g, x, toIdx(perm), 1),
    inputs: [x],
    grad: (dy) => [o.gather(g, dy, toIdx(inversePermutation(perm)), 1)],
  }));
}

/** [B, Z, Y, X, C] -> [B * nW, T, C]: `partition(roll(x, -s))` as one gather of the tokens. */
export function shiftPartition(g: Graph, x: Value, w: Triple, s: Triple): Value {
  const [b, z, y, xx, c] = x.shape;
  const t = w[0] * w[1] * w[2];
  const rows = permuteTokens(g, o.reshape(g, x, [b, z * y * xx, c]), shiftedWindowOrder([z, y, xx], w, s));
  return o.reshape(g, rows, [(b * z * y * xx) / t, t, c]);
}

/** Inverse of shiftPartition: windows back to [B, Z, Y, X, C] with the shift undone. */
export function shiftUnpartition(g: Graph, t: Value, w: Triple, s: Triple, shape: readonly number[]): Value {
  const [b, z, y, xx, c] = shape;
  const rows = permuteTokens(g, o.reshape(g, t, [b, z * y * xx, c]), inversePermutation(shiftedWindowOrder([z, y, xx], w, s)));
  return o.reshape(g, rows, [b, z, y, xx, c]);
}

/**
 * Patch merging (k = s = 2): space-to-depth, LayerNorm, linear 8C -> 2C; `official`: GELU, LayerNorm(C),
 * then the space-to-depth linear with a bias, which is the official Conv3d k2 s2.
 */
export function mergePatches(g: Graph, x: Value, name: string, official = false): Value {
  const [b, z, y, xx, c] = x.shape;
  const h = official ? layerNorm(g, gelu(g, x), `${name}.norm`) : x;
  const r = o.reshape(g, h, [b * (z / 2), 2, y / 2, 2, xx / 2, 2, c]);
  const s2d = o.reshape(g, o.transpose(g, r, [0, 2, 4, 1, 3, 5, 6]), [b, z / 2, y / 2, xx / 2, 8 * c]);
  if (official) return linear(g, s2d, `${name}.reduction`, 8 * c, 2 * c, true);
  return linear(g, layerNorm(g, s2d, `${name}.norm`), `${name}.reduction`, 8 * c, 2 * c, false);
}

/**
 * ConvTranspose3d with kernel = stride = f (z, y, x) on channels-last tokens: a linear map C -> f C' and
 * depth-to-space; `bias` adds one value per output channel after it, as the ConvTranspose's bias does.
 */
export function convTranspose(g: Graph, x: Value, name: string, outC: number, f: Triple, bias: boolean): Value {
  const [b, z, y, xx, c] = x.shape;
  const k = f[0] * f[1] * f[2];
  const lin = linear(g, x, name, c, k * outC, false);
  const r = o.reshape(g, lin, [b * z, y, xx, f[0], f[1], f[2], outC]);
  const out = o.reshape(g, o.transpose(g, r, [0, 3, 1, 4, 2, 5, 6]), [b, z * f[0], y * f[1], xx * f[2], outC]);
  return bias ? o.add(g, out, g.param(`${name}.bias`, [outC], { kind: 'zeros' })) : out;
}

/** Patch expanding by factor f (z, y, x): LayerNorm, then the ConvTranspose map C -> C' (`bias`: official). */
export function expandPatches(g: Graph, x: Value, name: string, outC: number, f: Triple, bias = false): Value {
  return convTranspose(g, layerNorm(g, x, `${name}.norm`), `${name}.expand`, outC, f, bias);
}

export interface BlockSpec {
  name: string;
  dim: number;
  heads: number;
  window: Triple;
  shift: Triple;
  mlpHidden: number;
  windowTokens: number;
  /** FINE: the gathered volume tokens [B, nIdx, C] of this block, already mixed over the whole table. */
  volumeTokens?: Value;
  /** G-MSA form (default 'residual'). */
  gmsa?: GmsaKind;
  /** `bare` G-MSA: the stage's learned position embedding of the window tokens [1, nW * E, C]. */
  gmsaPe?: Value;
  /** The official order: W-MSA first, then G-MSA (default: G-MSA first). */
  windowFirst?: boolean;
}

export interface BlockTaps {
  window?: Value;
  global?: Value;
}

/** Relative position bias [1, H, S, S] for a window with `extra` leading memory tokens (bias 0 there). */
function windowBias(g: Graph, spec: BlockSpec, batchWindows: number, resZYX: Triple): Value {
  const t = spec.window[0] * spec.window[1] * spec.window[2];
  const table = g.param(`${spec.name}.relpos`, [relativeTableSize(spec.window), spec.heads], { kind: 'truncnormal', std: 0.02 });
  const idx = g.constant(relativePositionIndex(spec.window), [t * t], 'relidx');
  let bias = o.reshape(g, o.transpose(g, o.gather(g, table, idx), [1, 0]), [1, spec.heads, t, t]);
  if (spec.shift.some((s) => s > 0)) {
    const m = shiftedWindowMask(resZYX, spec.window, spec.shift);
    const nW = m.length / (t * t);
    const tiled = new Float32Array(batchWindows * t * t);
    for (let i = 0; i < batchWindows; i++) tiled.set(m.subarray((i % nW) * t * t, ((i % nW) + 1) * t * t), i * t * t);
    bias = o.add(g, bias, g.constant(tiled, [batchWindows, 1, t, t], 'shiftmask'));
  }
  const e = spec.windowTokens;
  return e ? o.pad(g, bias, [0, 0, e, e, 0, 0, 0, 0]) : bias;
}

/** How a block's G-MSA treats the window tokens: see FineConfig.gmsa. */
export type GmsaKind = 'residual' | 'bare' | 'prenorm-mlp';

/**
 * G-MSA over all window tokens of the crop plus the gathered volume tokens. `residual` (this project):
 * LayerNormed inputs, output added; `bare` (official FINE): the stage's learned position embedding on
 * the window tokens (fine.py:627-633), no norm, the output replaces the tokens; `prenorm-mlp` (official
 * GLAM): pre-norm residual attention then a pre-norm residual MLP of its own.
 */
function globalStep(g: Graph, w: Value, b: number, spec: BlockSpec, taps?: BlockTaps): Value {
  const [bwin, e, c] = w.shape;
  const nWin = bwin / b;
  const kind = spec.gmsa ?? 'residual';
  const gw = o.reshape(g, w, [b, nWin * e, c]);
  const pe = kind === 'bare' ? spec.gmsaPe : undefined;
  if (kind === 'bare' && !pe) throw new Error(`${spec.name}: bare G-MSA needs the stage's position embedding`);
  const parts = [pe ? o.add(g, gw, pe) : layerNorm(g, gw, `${spec.name}.normg`)];
  if (spec.volumeTokens) parts.push(kind === 'bare' ? spec.volumeTokens : layerNorm(g, spec.volumeTokens, `${spec.name}.normv`));
  const gseq = o.concat(g, parts, 1);
  const ga = multiHeadAttention(g, gseq, gseq, `${spec.name}.gmsa`, spec.heads);
  if (taps) taps.global = o.reduceMean(g, ga.probs, [1], false);
  const gOut = o.reshape(g, spec.volumeTokens ? o.slice(g, ga.out, [0], [nWin * e], [1]) : ga.out, [bwin, e, c]);
  if (kind === 'bare') return gOut;
  const r = o.add(g, w, gOut);
  return kind === 'residual' ? r : o.add(g, r, mlp(g, layerNorm(g, r, `${spec.name}.norm4`), `${spec.name}.mlp2`, c, spec.mlpHidden));
}

/** W-MSA of each window's voxel tokens with the window's memory tokens prepended, then the MLPs. */
function windowStep(g: Graph, x: Value, w: Value | undefined, spec: BlockSpec, taps?: BlockTaps): { x: Value; w?: Value } {
  const [, z, y, xx, c] = x.shape;
  const res: Triple = [z, y, xx];
  const shifted = spec.shift.some((s) => s > 0);
  const e = w ? spec.windowTokens : 0;
  const h = layerNorm(g, x, `${spec.name}.norm1`);
  const win = shifted ? shiftPartition(g, h, spec.window, spec.shift) : partition(g, h, spec.window);
  const bw = win.shape[0];
  const seq = w ? o.concat(g, [layerNorm(g, w, `${spec.name}.normw`), win], 1) : win;
  const attn = multiHeadAttention(g, seq, seq, `${spec.name}.wmsa`, spec.heads, windowBias(g, spec, bw, res));
  if (taps) taps.window = o.reduceMean(g, attn.probs, [1], false);
  const [wOut, xOut] = w ? o.split(g, attn.out, [e, attn.out.shape[1] - e], 1) : [undefined, attn.out];
  const back = shifted ? shiftUnpartition(g, xOut, spec.window, spec.shift, x.shape) : unpartition(g, xOut, spec.window, x.shape);
  let xr = o.add(g, x, back);
  let wr = w;
  if (wr && wOut) {
    wr = o.add(g, wr, wOut);
    wr = o.add(g, wr, mlp(g, layerNorm(g, wr, `${spec.name}.norm2w`), `${spec.name}.mlpw`, c, spec.mlpHidden));
  }
  xr = o.add(g, xr, mlp(g, layerNorm(g, xr, `${spec.name}.norm2`), `${spec.name}.mlp`, c, spec.mlpHidden));
  return { x: xr, w: wr };
}

/**
 * One FINE block (Themyr et al. 2022, Fig. 1). `w` is [B * nW, E, C] window tokens (undefined for
 * nnformer). This project's order: G-MSA first, over all window tokens of the crop plus the gathered
 * volume tokens, so the window tokens carry crop- and volume-wide context into the W-MSA that follows,
 * where each window's voxel tokens attend to their own window tokens; then an MLP on both. (With G-MSA
 * last, a stage of depth 1 would discard everything the memory tokens gathered.) `windowFirst` is the
 * official order: W-MSA, then G-MSA, whose output only the next block sees.
 */
export function fineBlock(g: Graph, x: Value, w: Value | undefined, spec: BlockSpec, taps?: BlockTaps): { x: Value; w?: Value } {
  const b = x.shape[0];
  if (!w) return windowStep(g, x, undefined, spec, taps);
  if (spec.windowFirst) {
    const r = windowStep(g, x, w, spec, taps);
    return { x: r.x, w: globalStep(g, r.w as Value, b, spec, taps) };
  }
  return windowStep(g, x, globalStep(g, w, b, spec, taps), spec, taps);
}
