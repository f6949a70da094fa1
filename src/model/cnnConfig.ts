/**
 * Configurations of the convolutional networks (unet, utransformer, missu): typed records, one default
 * per preset. Stage s works at patch / 2^s; channels double per stage as in nnU-Net.
 */
import type { BaseConfig, Triple } from './contract';

export interface CnnConfig extends BaseConfig {
  /** Channels per stage, finest first; its length is the number of stages (stride 2 between stages). */
  features: number[];
  /** LeakyReLU negative slope (nnU-Net: 0.01). */
  slope: number;
}

export interface UNetConfig extends CnnConfig {
  variant: 'unet';
}

export interface UTransformerConfig extends CnnConfig {
  variant: 'utransformer';
  /** Attention heads of the bottleneck self-attention and of every cross-attention module. */
  heads: number;
  /** Self-attention layers at the bottleneck (the paper: 1). */
  bottleneckLayers: number;
  /** How many of the deepest skip connections are gated by cross-attention (the paper: all of them). */
  crossLevels: number;
}

export interface MissuConfig extends CnnConfig {
  variant: 'missu';
  /** Transformer layers over the bottleneck tokens. */
  transformerDepth: number;
  heads: number;
  mlpRatio: number;
  /** Encoder stages with a multi-scale fusion block in training (the paper: the first three). */
  fusionStages: number;
  /** Dilations of the fusion block's 3x3x3 atrous branches: receptive fields 3, 7, 9, 19 (the paper). */
  fusionDilations: number[];
  /** Weight of the self-distillation loss (the paper: lambda = 0.3). */
  distillWeight: number;
}

const TINY_PATCH: Triple = [32, 32, 16];
const SMALL_PATCH: Triple = [64, 64, 32];
const common = { classes: 10, deepSupervision: true, batch: 1, slope: 0.01 };

export const UNET_PRESETS: Readonly<Record<string, UNetConfig>> = Object.freeze({
  tiny: { ...common, variant: 'unet', patch: TINY_PATCH, features: [4, 8, 16, 32] },
  small: { ...common, variant: 'unet', patch: SMALL_PATCH, features: [16, 32, 64, 128, 256] },
  paper: { ...common, classes: 14, variant: 'unet', patch: [128, 128, 64], features: [32, 64, 128, 256, 320, 320] },
});

export const UTRANSFORMER_PRESETS: Readonly<Record<string, UTransformerConfig>> = Object.freeze({
  tiny: { ...common, variant: 'utransformer', patch: TINY_PATCH, features: [4, 8, 16, 32], heads: 2, bottleneckLayers: 1, crossLevels: 3 },
  small: { ...common, variant: 'utransformer', patch: SMALL_PATCH, features: [16, 32, 64, 128, 256], heads: 4, bottleneckLayers: 1, crossLevels: 3 },
  paper: { ...common, classes: 14, variant: 'utransformer', patch: [128, 128, 64], features: [32, 64, 128, 256, 320, 320], heads: 8, bottleneckLayers: 1, crossLevels: 3 },
});

export const MISSU_PRESETS: Readonly<Record<string, MissuConfig>> = Object.freeze({
  tiny: { ...common, variant: 'missu', patch: TINY_PATCH, features: [4, 8, 16, 32], transformerDepth: 1, heads: 2, mlpRatio: 2, fusionStages: 3, fusionDilations: [1, 3, 4, 9], distillWeight: 0.3 },
  small: { ...common, variant: 'missu', patch: SMALL_PATCH, features: [16, 32, 64, 128, 256], transformerDepth: 2, heads: 4, mlpRatio: 4, fusionStages: 3, fusionDilations: [1, 3, 4, 9], distillWeight: 0.3 },
  paper: { ...common, classes: 14, variant: 'missu', patch: [128, 128, 64], features: [32, 64, 128, 256, 512], transformerDepth: 4, heads: 8, mlpRatio: 4, fusionStages: 3, fusionDilations: [1, 3, 4, 9], distillWeight: 0.3 },
});

/** Most tokens one attention layer may see (a [T, T] map per head must fit in memory). */
export const MAX_ATTENTION_TOKENS = 8192;

/** Grid (z, y, x) of stage s. */
export function stageGrid(cfg: CnnConfig, s: number): Triple {
  return [cfg.patch[2], cfg.patch[1], cfg.patch[0]].map((p) => p / 2 ** s) as Triple;
}

const tokens = (t: Triple): number => t[0] * t[1] * t[2];

/** Throws a one-line error for a config the CNN networks cannot build. */
export function validateCnn(cfg: CnnConfig): void {
  const n = cfg.features.length;
  if (n < 2) throw new Error(`config: features needs at least 2 stages, got ${n}`);
  cfg.patch.forEach((p) => {
    if (p % 2 ** (n - 1) !== 0) throw new Error(`config: patch ${cfg.patch} cannot be halved ${n - 1} times (${n} stages in features)`);
  });
  if (cfg.variant === 'utransformer') {
    const u = cfg as UTransformerConfig;
    if (u.crossLevels < 0 || u.crossLevels > n - 1) throw new Error(`config: crossLevels ${u.crossLevels} must be 0..${n - 1}`);
    for (let s = n - 1 - u.crossLevels; s < n - 1; s++) {
      if (tokens(stageGrid(cfg, s + 1)) > MAX_ATTENTION_TOKENS) throw new Error(`config: cross-attention at stage ${s} would attend over ${tokens(stageGrid(cfg, s + 1))} tokens (most ${MAX_ATTENTION_TOKENS}); lower crossLevels`);
    }
    if (cfg.features.some((f) => f % u.heads !== 0)) throw new Error(`config: every stage's channels must be divisible by ${u.heads} heads`);
  }
  if (cfg.variant === 'missu') {
    const m = cfg as MissuConfig;
    if (m.fusionStages < 0 || m.fusionStages > n - 1) throw new Error(`config: fusionStages ${m.fusionStages} must be 0..${n - 1}`);
    if (cfg.features[n - 1] % m.heads !== 0) throw new Error(`config: bottleneck channels ${cfg.features[n - 1]} not divisible by ${m.heads} heads`);
  }
  if (tokens(stageGrid(cfg, n - 1)) > MAX_ATTENTION_TOKENS && cfg.variant !== 'unet') {
    throw new Error(`config: the bottleneck has ${tokens(stageGrid(cfg, n - 1))} tokens (most ${MAX_ATTENTION_TOKENS}); add a stage`);
  }
}
