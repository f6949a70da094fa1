/**
 * Configuration of the windowed-transformer family (nnformer, glam, fine): one typed record, one default
 * per preset. Triples are (x, y, z) like the rest of the project; the model turns them into ONNX (z, y, x).
 */
import type { BaseConfig, Triple } from './contract';

export type FineVariant = 'nnformer' | 'glam' | 'fine';

export interface FineConfig extends BaseConfig {
  /** nnformer: windows only; glam: + window tokens and G-MSA; fine: + volume tokens. */
  variant: FineVariant;
  /** Overall stride of the conv stem (x, y, z); the official code uses (4, 4, 2). */
  stemStride: Triple;
  /** Channels of the first stage; doubled at every patch merging. */
  embedDim: number;
  /** Transformer blocks per encoder stage; the decoder has one stage fewer with the same depths. */
  depths: number[];
  /** Attention heads per stage. */
  heads: number[];
  /** Window size in tokens (x, y, z), clamped to the stage's token grid. */
  window: Triple;
  /** MLP hidden width over channels. */
  mlpRatio: number;
  /** Learned window tokens prepended to each window (GLAM/FINE; official: 1). */
  windowTokens: number;
  /** Volume-token grid cells (x, y); cell size is the patch extent so a crop meets at most 2 x 2 cells. */
  volumeCells: [number, number];
  /** Volume tokens per grid cell. */
  tokensPerCell: number;
  /** Channels of the full-resolution head (head 'image-branch'). */
  headChannels: number;
  /*
   * Deliberate deviations from the official code (themyrl/fine @ 81039c2), each a switch: the first
   * value is this project's default, 'official' the official code's behaviour (docs/FIDELITY.md says why).
   */
  /**
   * Window tokens: learned per window (truncated normal, std 0.02), or one token per stage repeated to
   * every window, drawn from N(0, 1) like the official `randn` (official).
   */
  windowTokenInit: 'per-window' | 'official';
  /**
   * G-MSA: LayerNormed inputs and a residual; or 'official': for FINE bare attention whose output replaces
   * the window tokens, with one learned position embedding per stage on them; for GLAM a pre-norm
   * residual attention plus a pre-norm residual MLP of its own.
   */
  gmsa: 'residual' | 'official';
  /** Block order: G-MSA then W-MSA, or W-MSA then G-MSA (official: the G-MSA output only reaches the next block). */
  blockOrder: 'global-first' | 'official';
  /**
   * Stem: two convolutions with a GELU, or the official four (conv-GELU-LN pairs, C/2 channels first,
   * stride 2 on every axis first, the rest of the stem stride in the third conv).
   */
  stem: 'two-conv' | 'official';
  /**
   * Volume tokens: a table per block, mixed by self-attention over the whole table with unseen tokens
   * masked, then gathered ('active'); or one table per stage, drawn from N(0, 1), whose gathered rows
   * enter G-MSA as they are ('official': the official volume-token attention never reaches the output,
   * so leaving it out gives the same function).
   */
  volumeAttention: 'active' | 'official';
  /**
   * Output heads: tokens expanded to voxels plus a 3x3x3 conv of the image, and a linear head on every
   * decoder stage for deep supervision; or 'official': a ConvTranspose (kernel = stride = stem stride,
   * with a bias, no norm) on the last decoder stage, and for deep supervision only the second output the
   * official code returns, a ConvTranspose k = s = 4 on decoder stage 1 (none with two stages).
   */
  head: 'image-branch' | 'official';
  /**
   * Patch merging and expanding: LayerNorm(8C) -> Linear on the 2x2x2 neighbours, and LayerNorm ->
   * Linear -> depth-to-space without a bias; or 'official': GELU -> LayerNorm(C) -> Conv k2 s2, and
   * LayerNorm -> ConvTranspose k2 s2, both with their bias.
   */
  merge: 'linear' | 'official';
}

/** This project's choices; `OFFICIAL_SWITCHES` turns every deliberate deviation back to the official code. */
const PROJECT_SWITCHES = { windowTokenInit: 'per-window', gmsa: 'residual', blockOrder: 'global-first', stem: 'two-conv', volumeAttention: 'active', head: 'image-branch', merge: 'linear' } as const;
/**
 * Every switch official, and one volume token per grid cell: the official code gathers 4 tokens per crop,
 * those of the 2 x 2 cells around it (fine.py:1274-1320).
 */
export const OFFICIAL_SWITCHES = { windowTokenInit: 'official', gmsa: 'official', blockOrder: 'official', stem: 'official', volumeAttention: 'official', head: 'official', merge: 'official', tokensPerCell: 1 } as const;
const SWITCH_VALUES: Record<keyof typeof PROJECT_SWITCHES, readonly string[]> = {
  windowTokenInit: ['per-window', 'official'], gmsa: ['residual', 'official'], blockOrder: ['global-first', 'official'], stem: ['two-conv', 'official'], volumeAttention: ['active', 'official'], head: ['image-branch', 'official'], merge: ['linear', 'official'],
};

const TINY: FineConfig = {
  variant: 'fine', patch: [32, 32, 16], classes: 10, stemStride: [4, 4, 2], embedDim: 16, depths: [1, 1], heads: [1, 2],
  window: [4, 4, 4], mlpRatio: 2, windowTokens: 1, volumeCells: [3, 3], tokensPerCell: 2, headChannels: 8, deepSupervision: true, batch: 1, ...PROJECT_SWITCHES,
};

const SMALL: FineConfig = {
  variant: 'fine', patch: [64, 64, 32], classes: 10, stemStride: [4, 4, 2], embedDim: 32, depths: [2, 2, 2], heads: [2, 4, 8],
  window: [4, 4, 4], mlpRatio: 3, windowTokens: 1, volumeCells: [3, 3], tokensPerCell: 4, headChannels: 16, deepSupervision: true, batch: 1, ...PROJECT_SWITCHES,
};

/** The official widths (nnFormer Synapse setting: C = 192, depths 2-2-2-2, heads 6-12-24-48, crop 64x128x128). */
const PAPER: FineConfig = {
  variant: 'fine', patch: [128, 128, 64], classes: 14, stemStride: [4, 4, 2], embedDim: 192, depths: [2, 2, 2, 2], heads: [6, 12, 24, 48],
  window: [4, 4, 4], mlpRatio: 4, windowTokens: 1, volumeCells: [3, 3], tokensPerCell: 8, headChannels: 48, deepSupervision: true, batch: 1, ...PROJECT_SWITCHES,
};

export const FINE_PRESETS: Readonly<Record<string, FineConfig>> = Object.freeze({ tiny: TINY, small: SMALL, paper: PAPER });

/** Throws a one-line error for a config the family cannot build. */
export function validateFine(cfg: FineConfig): void {
  if (!['nnformer', 'glam', 'fine'].includes(cfg.variant)) throw new Error(`variant '${cfg.variant}': choose nnformer, glam or fine`);
  for (const [k, allowed] of Object.entries(SWITCH_VALUES)) {
    const v = (cfg as unknown as Record<string, string>)[k];
    if (!allowed.includes(v)) throw new Error(`config: ${k} '${v}': choose ${allowed.join(' or ')}`);
  }
  if (cfg.heads.length !== cfg.depths.length) throw new Error(`config: ${cfg.depths.length} stages in depths but ${cfg.heads.length} in heads`);
  cfg.heads.forEach((h, s) => {
    const dim = cfg.embedDim * 2 ** s;
    if (dim % h !== 0) throw new Error(`config: stage ${s} has ${dim} channels, not divisible by ${h} heads`);
  });
  for (let s = 0; s < cfg.depths.length; s++) {
    const g = tokenGrid(cfg, s), w = stageWindow(cfg, s);
    g.forEach((n, i) => {
      if (n % w[i] !== 0) throw new Error(`config: stage ${s} token grid ${g} is not divisible by its window ${w}`);
      if (n > w[i] && w[i] % 2 !== 0) throw new Error(`config: stage ${s} window ${w} must be even to be shifted by half`);
    });
  }
  if (cfg.head === 'official' && cfg.deepSupervision && cfg.depths.length > 2 && cfg.stemStride.some((v) => v % 2 !== 0)) {
    throw new Error(`config: stem stride ${cfg.stemStride} must be even on every axis for the official deep-supervision head (ConvTranspose k4 on stage 1)`);
  }
  const grid = tokenGrid(cfg, 0);
  cfg.patch.forEach((p, i) => {
    if (p % cfg.stemStride[i] !== 0) throw new Error(`config: patch ${cfg.patch} not divisible by stem stride ${cfg.stemStride}`);
    if (grid[i] % 2 ** (cfg.depths.length - 1) !== 0) throw new Error(`config: token grid ${grid} cannot be halved ${cfg.depths.length - 1} times`);
  });
}

/** Token grid (x, y, z) of stage s. */
export function tokenGrid(cfg: FineConfig, stage: number): Triple {
  return cfg.patch.map((p, i) => p / cfg.stemStride[i] / 2 ** stage) as Triple;
}

export function stageWindow(cfg: FineConfig, stage: number): Triple {
  const grid = tokenGrid(cfg, stage);
  return cfg.window.map((w, i) => Math.min(w, grid[i])) as Triple;
}

export function volumeTokenCount(cfg: FineConfig): number {
  return cfg.volumeCells[0] * cfg.volumeCells[1] * cfg.tokensPerCell;
}

/** Number of int64 volume-token indices per crop: 2 x 2 cells x tokens per cell. */
export function volumeIndexCount(cfg: FineConfig): number {
  return 4 * cfg.tokensPerCell;
}
