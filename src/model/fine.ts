/**
 * FINE (Themyr et al., MLMI 2022) on an nnFormer-like U-shaped backbone, written once against
 * src/graph. Read top to bottom: stem -> encoder stages (window attention with window tokens, G-MSA
 * with volume tokens, patch merging) -> decoder (patch expanding + skips) -> full-resolution head.
 *
 * Inputs: `image` [B, 1, Z, Y, X]; for FINE also `vt_index` int64 [B, 4 * tokensPerCell], the volume
 * tokens of the grid cells the crop meets (computed in TypeScript from the crop's position), and the
 * warm-up mask of volume tokens seen in training (an input while training, a constant once exported).
 */
import { type Graph, type Value, gelu, layerNorm, linear, multiHeadAttention, ops as o } from '../graph';
import { type FineConfig, FINE_PRESETS, stageWindow, tokenGrid, validateFine, volumeIndexCount, volumeTokenCount } from './fineConfig';
import { type BlockTaps, type GmsaKind, convTranspose, expandPatches, fineBlock, mergePatches } from './blocks';
import { IO } from './feedNames';
import { type NetworkDef, type NetworkInputs, type NetworkOutputs, type Triple, imageInput, zyx } from './contract';

type FineInputs = NetworkInputs;
type Taps = { window?: Value; global?: Value; volume?: Value };

/** Declares the network inputs on `g`; `seen` given => the warm-up mask becomes a constant. */
export function fineInputs(g: Graph, cfg: FineConfig, seen?: Float32Array): FineInputs {
  const { image } = imageInput(g, cfg);
  if (cfg.variant !== 'fine') return { image };
  const vtIndex = g.input(IO.vtIndex, [cfg.batch, volumeIndexCount(cfg)], 'int64');
  const v = volumeTokenCount(cfg);
  const vtSeen = seen ? g.constant(seen, [v], 'vt_seen_const') : g.input(IO.vtSeen, [v]);
  return { image, vtIndex, vtSeen };
}

const gmsaKind = (cfg: FineConfig): GmsaKind => (cfg.gmsa === 'residual' ? 'residual' : cfg.variant === 'glam' ? 'prenorm-mlp' : 'bare');

const channelsLast = (g: Graph, x: Value): Value => o.transpose(g, x, [0, 2, 3, 4, 1]);
const channelsFirst = (g: Graph, x: Value): Value => o.transpose(g, x, [0, 4, 1, 2, 3]);

/**
 * The official stem (fine.py:818-911): conv k3 stride s1 -> GELU -> LN -> conv k3 -> GELU -> LN, conv k3
 * stride s2 -> GELU -> LN -> conv k3, then LN; C/2 channels in the first pair.
 */
function officialStem(g: Graph, image: Value, cfg: FineConfig, s1: number[], s2: number[]): Value {
  const c = cfg.embedDim;
  const convs: [number, number[], boolean][] = [[c / 2, s1, true], [c / 2, [1, 1, 1], true], [c, s2, true], [c, [1, 1, 1], false]];
  let x = image;
  convs.forEach(([out, stride, act], i) => {
    const inC = x.shape[1];
    const w = g.param(`stem.conv${i + 1}.weight`, [out, inC, 3, 3, 3], { kind: 'normal', std: Math.sqrt(2 / (27 * inC)) });
    const b = g.param(`stem.conv${i + 1}.bias`, [out], { kind: 'zeros' });
    x = o.conv(g, x, w, b, { strides: stride, pads: [1, 1, 1, 1, 1, 1] });
    if (act) x = channelsFirst(g, layerNorm(g, gelu(g, channelsLast(g, x)), `stem.norm${i + 1}`));
  });
  return layerNorm(g, channelsLast(g, x), 'stem.norm');
}

/** Conv stem: two 3x3x3 convolutions whose strides multiply to the stem stride; GELU between. */
function stem(g: Graph, image: Value, cfg: FineConfig): Value {
  const s = zyx(cfg.stemStride);
  if (cfg.stem === 'official') {
    // fine.py:870-876: stride 2 on every axis first, then the rest ((1,2,2) for the patch (2,4,4) in z, y, x).
    const o1 = s.map((v) => (v % 2 === 0 ? 2 : 1));
    return officialStem(g, image, cfg, o1, s.map((v, i) => v / o1[i]));
  }
  const s1 = s.map((v) => (v % 2 === 0 ? v / 2 : 1));
  const s2 = s.map((v, i) => v / s1[i]);
  const c = cfg.embedDim;
  const w1 = g.param('stem.conv1.weight', [c / 2, 1, 3, 3, 3], { kind: 'normal', std: Math.sqrt(2 / 27) });
  const b1 = g.param('stem.conv1.bias', [c / 2], { kind: 'zeros' });
  const w2 = g.param('stem.conv2.weight', [c, c / 2, 3, 3, 3], { kind: 'normal', std: Math.sqrt(2 / (27 * (c / 2))) });
  const b2 = g.param('stem.conv2.bias', [c], { kind: 'zeros' });
  const h = gelu(g, o.conv(g, image, w1, b1, { strides: s1, pads: [1, 1, 1, 1, 1, 1] }));
  const y = o.conv(g, h, w2, b2, { strides: s2, pads: [1, 1, 1, 1, 1, 1] });
  return layerNorm(g, channelsLast(g, y), 'stem.norm');
}

/**
 * Volume tokens of one block: the whole learned table attends to itself (tokens never seen in training
 * masked out as keys), then the crop's cells are gathered by index. Every crop so sees, through these
 * few tokens, a summary of the whole volume.
 */
function volumeTokens(g: Graph, name: string, cfg: FineConfig, dim: number, heads: number, inp: FineInputs, taps?: Taps): Value {
  const v = volumeTokenCount(cfg);
  const table = g.param(`${name}.table`, [1, v, dim], { kind: 'truncnormal', std: 0.02 });
  const seen = inp.vtSeen as Value;
  const keyBias = o.reshape(g, o.scale(g, o.sub(g, seen, g.float(1)), 1e4), [1, 1, 1, v]);
  const normed = layerNorm(g, table, `${name}.norm`);
  const mixed = multiHeadAttention(g, normed, normed, `${name}.attn`, heads, keyBias);
  if (taps && !taps.volume) taps.volume = o.reshape(g, o.reduceMean(g, mixed.probs, [1], false), [v, v]);
  const tokens = o.reshape(g, o.add(g, table, mixed.out), [v, dim]);
  return o.gather(g, tokens, inp.vtIndex as Value, 0);
}

function stage(g: Graph, x: Value, cfg: FineConfig, s: number, name: string, inp: FineInputs, taps?: Taps): Value {
  const dim = x.shape[4];
  const heads = cfg.heads[s];
  const win = zyx(stageWindow(cfg, s));
  const grid = zyx(tokenGrid(cfg, s));
  const nWin = grid.reduce((a, b, i) => a * (b / win[i]), 1);
  const e = cfg.variant === 'nnformer' ? 0 : cfg.windowTokens;
  let w: Value | undefined;
  if (e) {
    const perWindow = cfg.windowTokenInit === 'per-window';
    const init = g.param(`${name}.window_tokens`, [1, perWindow ? nWin : 1, e, dim], perWindow ? { kind: 'truncnormal', std: 0.02 } : { kind: 'normal', std: 1 });
    w = o.reshape(g, o.expand(g, init, [cfg.batch, nWin, e, dim]), [cfg.batch * nWin, e, dim]);
  }
  // Official volume tokens: one table per stage from randn (fine.py:602), its gathered rows used as they are by every block.
  const stageVt = cfg.variant === 'fine' && cfg.volumeAttention === 'official'
    ? o.gather(g, g.param(`${name}.volume.table`, [volumeTokenCount(cfg), dim], { kind: 'normal', std: 1 }), inp.vtIndex as Value, 0)
    : undefined;
  const gmsa = gmsaKind(cfg);
  const gmsaPe = e && gmsa === 'bare' ? g.param(`${name}.gmsa_pe`, [1, nWin * e, dim], { kind: 'truncnormal', std: 0.02 }) : undefined;
  for (let i = 0; i < cfg.depths[s]; i++) {
    const canShift = grid.some((r, k) => r > win[k]);
    const shift = (i % 2 === 1 && canShift ? win.map((v, k) => (grid[k] > v ? v / 2 : 0)) : [0, 0, 0]) as Triple;
    const bname = `${name}.block${i}`;
    const vt = cfg.variant !== 'fine' ? undefined : stageVt ?? volumeTokens(g, `${bname}.volume`, cfg, dim, heads, inp, taps);
    const bt: BlockTaps | undefined = taps && !taps.window ? {} : undefined;
    const r = fineBlock(g, x, w, { name: bname, dim, heads, window: win, shift, mlpHidden: dim * cfg.mlpRatio, windowTokens: e, volumeTokens: vt, gmsa, gmsaPe, windowFirst: cfg.blockOrder === 'official' }, bt);
    if (bt && taps) {
      taps.window = bt.window;
      taps.global = bt.global;
    }
    x = r.x;
    w = r.w;
  }
  return x;
}

/** Logits head on channels-last tokens -> [B, classes, Z, Y, X]. */
function tokenLogits(g: Graph, x: Value, name: string, classes: number): Value {
  return o.transpose(g, linear(g, x, name, x.shape[4], classes), [0, 4, 1, 2, 3]);
}

/**
 * The official heads (fine.py:1239-1243, 1352-1357): a ConvTranspose with kernel = stride = stem stride
 * and a bias on the last decoder stage; for deep supervision the one output the official `zip` keeps, a
 * ConvTranspose k = s = 4 on decoder stage 1. `decoded[s]` is decoder stage s, channels last.
 */
function officialHeads(g: Graph, cfg: FineConfig, decoded: Value[]): { logits: Value; deep: Value[] } {
  const first = (v: Value): Value => o.transpose(g, v, [0, 4, 1, 2, 3]);
  const logits = first(convTranspose(g, decoded[0], 'head.up', cfg.classes, zyx(cfg.stemStride), true));
  const deep = cfg.deepSupervision && decoded.length > 1 ? [first(convTranspose(g, decoded[1], 'ds1.up', cfg.classes, [4, 4, 4], true))] : [];
  return { logits, deep };
}

/** Full-resolution head: expand the stem-resolution tokens back to voxels, add a 3x3x3 conv of the image. */
function imageBranchHead(g: Graph, cfg: FineConfig, x: Value, image: Value): Value {
  const hc = cfg.headChannels;
  const up = expandPatches(g, x, 'head.up', hc, zyx(cfg.stemStride));
  const wImg = g.param('head.image.weight', [hc, 1, 3, 3, 3], { kind: 'normal', std: Math.sqrt(2 / 27) });
  const bImg = g.param('head.image.bias', [hc], { kind: 'zeros' });
  const fromImage = o.conv(g, image, wImg, bImg, { pads: [1, 1, 1, 1, 1, 1] });
  const h = gelu(g, o.add(g, o.transpose(g, up, [0, 4, 1, 2, 3]), fromImage));
  const wOut = g.param('head.out.weight', [cfg.classes, hc, 1, 1, 1], { kind: 'normal', std: Math.sqrt(1 / hc) });
  const bOut = g.param('head.out.bias', [cfg.classes], { kind: 'zeros' });
  return o.conv(g, h, wOut, bOut);
}

export function fineNetwork(g: Graph, cfg: FineConfig, inp: FineInputs, withTaps = false): NetworkOutputs {
  const taps: Taps = {};
  const nStages = cfg.depths.length;
  let x = stem(g, inp.image, cfg);
  const skips: Value[] = [];
  for (let s = 0; s < nStages; s++) {
    x = stage(g, x, cfg, s, `enc${s}`, inp, withTaps ? taps : undefined);
    if (s < nStages - 1) {
      skips.push(x);
      x = mergePatches(g, x, `merge${s}`, cfg.merge === 'official');
    }
  }
  const official = cfg.head === 'official';
  let deep: Value[] = [];
  const decoded: Value[] = [];
  for (let s = nStages - 2; s >= 0; s--) {
    x = o.add(g, expandPatches(g, x, `expand${s}`, x.shape[4] / 2, [2, 2, 2], cfg.merge === 'official'), skips[s]);
    x = stage(g, x, cfg, s, `dec${s}`, inp);
    decoded[s] = x;
    if (!official && cfg.deepSupervision && s > 0) deep.unshift(tokenLogits(g, x, `ds${s}`, cfg.classes));
  }
  let logits: Value;
  if (official) ({ logits, deep } = officialHeads(g, cfg, decoded));
  else {
    if (cfg.deepSupervision) deep.unshift(tokenLogits(g, x, 'ds0', cfg.classes));
    logits = imageBranchHead(g, cfg, x, inp.image);
  }
  const attention: Record<string, Value> = {};
  if (taps.window) attention.attn_window = taps.window;
  if (taps.global) attention.attn_global = taps.global;
  if (taps.volume) attention.attn_volume = taps.volume;
  return { logits, deep, aux: [], attention };
}

const SUMMARY: Record<FineConfig['variant'], string> = {
  nnformer: 'nnFormer-style windowed 3-D transformer (local windows only)',
  glam: 'GLAM: windowed transformer with window tokens and global attention over the crop',
  fine: 'FINE: GLAM plus volume tokens, a learned memory of the whole volume',
};

/** The windowed-transformer family; `variant` picks nnformer, glam or fine. */
export function fineFamily(kind: FineConfig['variant']): NetworkDef<FineConfig> {
  return {
    kind,
    summary: SUMMARY[kind],
    presets: Object.fromEntries(Object.entries(FINE_PRESETS).map(([k, v]) => [k, { ...v, variant: kind }])),
    validate: validateFine,
    inputs: fineInputs,
    build: (g, cfg, inp, mode) => fineNetwork(g, cfg, inp, mode === 'attention'),
    ...(kind === 'fine'
      ? {
          volumeTokens: (cfg: FineConfig, spacing: Triple) => ({
            cells: cfg.volumeCells, cellMm: [cfg.patch[0] * spacing[0], cfg.patch[1] * spacing[1]] as [number, number],
            tokensPerCell: cfg.tokensPerCell, indexCount: volumeIndexCount(cfg), count: volumeTokenCount(cfg),
          }),
        }
      : {}),
    attentionGeometry: (cfg, outs) => ({
      outputs: {
        window: 'attn_window',
        ...(outs.has('attn_global') ? { global: 'attn_global' } : {}),
        ...(outs.has('attn_volume') ? { volume: 'attn_volume' } : {}),
      },
      tokenGrid: tokenGrid(cfg, 0),
      window: stageWindow(cfg, 0),
      windowTokens: kind === 'nnformer' ? 0 : cfg.windowTokens,
    }),
  };
}
