/**
 * U-Transformer (Petit et al., MLMI 2021), adapted from 2-D to 3-D by this project: the U-Net of unet.ts
 * with (1) multi-head self-attention over the bottleneck voxels plus a fixed sinusoidal positional
 * encoding, and (2) a multi-head cross-attention module on each of the `crossLevels` deepest skips. In
 * each module the decoder features Y just below the skip S (semantically richer, half the resolution)
 * give queries and keys, the skip, filtered by a 3x3x3 conv-norm-act (the paper's filter is 1x1) and
 * pooled to Y's grid, gives the values; the result passes a 1x1x1 conv, InstanceNorm and a sigmoid, is
 * upsampled to S's grid and gates S voxel by voxel. The 3-D adaptation: volumes instead of images,
 * InstanceNorm instead of BatchNorm (batch 1), average pooling instead of max pooling and nearest
 * upsampling of the gate. The attention graph exports each module's attention as `attn_cross<s>`.
 */
import { type Graph, type Value, instanceNorm, multiHeadAttention, ops as o } from '../graph';
import { UTRANSFORMER_PRESETS, type UTransformerConfig, stageGrid } from './cnnConfig';
import { type AttentionGeometry, type GraphMode, type NetworkOutputs, type Triple, zyx } from './contract';
import { avgPool2, conv3d, convNormAct, fromTokens, nearest2, sinusoidalEncoding, toTokens } from './convBlocks';
import { cnnNetwork, uShape } from './unet';

export const crossOutputName = (s: number): string => `attn_cross${s}`;

function positional(g: Graph, x: Value): Value {
  const [, c, z, y, xx] = x.shape;
  return g.constant(sinusoidalEncoding([z, y, xx] as Triple, c), [1, z * y * xx, c], 'posenc');
}

/** Self-attention over the bottleneck voxels with positional encoding, residual. */
function bottleneck(g: Graph, cfg: UTransformerConfig, x: Value): Value {
  for (let i = 0; i < cfg.bottleneckLayers; i++) {
    const t = o.add(g, toTokens(g, x), positional(g, x));
    const a = multiHeadAttention(g, t, t, `mhsa${i}`, cfg.heads);
    x = o.add(g, x, fromTokens(g, a.out, x.shape));
  }
  return x;
}

/** The cross-attention gate of skip s; `below` is the decoder feature at stage s + 1. */
function crossGate(g: Graph, cfg: UTransformerConfig, s: number, skip: Value, below: Value, taps?: Record<string, Value>): Value {
  const c = skip.shape[1];
  const name = `mhca${s}`;
  const yf = convNormAct(g, below, `${name}.y`, c, 1, cfg.slope);
  const sf = avgPool2(g, convNormAct(g, skip, `${name}.s`, c, 1, cfg.slope));
  const qk = o.add(g, toTokens(g, yf), positional(g, yf));
  const a = multiHeadAttention(g, qk, qk, `${name}.attn`, cfg.heads, undefined, o.add(g, toTokens(g, sf), positional(g, sf)));
  if (taps) {
    const n = a.probs.shape[2];
    taps[crossOutputName(s)] = o.reshape(g, o.reduceMean(g, a.probs, [1], false), [n, n]);
  }
  const z = fromTokens(g, a.out, yf.shape);
  const gate = o.sigmoid(g, instanceNorm(g, conv3d(g, z, `${name}.gate`, c, { k: 1 }), `${name}.gate_norm`));
  return o.mul(g, skip, nearest2(g, gate));
}

function build(g: Graph, cfg: UTransformerConfig, image: Value, mode: GraphMode): NetworkOutputs {
  const n = cfg.features.length;
  const attention: Record<string, Value> = {};
  const taps = mode === 'attention' ? attention : undefined;
  const u = uShape(g, cfg, image, {
    bottleneck: (x) => bottleneck(g, cfg, x),
    skip: (s, skip, below) => (s >= n - 1 - cfg.crossLevels ? crossGate(g, cfg, s, skip, below, taps) : skip),
  });
  return { logits: u.logits, deep: u.deep, aux: [], attention };
}

/** The cross-attention maps the attention graph exports, one per gated skip, each on the grid below its skip (x, y, z). */
function crossGeometry(cfg: UTransformerConfig): AttentionGeometry | undefined {
  if (cfg.crossLevels === 0) return undefined;
  const n = cfg.features.length;
  const cross = [];
  for (let s = n - 1 - cfg.crossLevels; s < n - 1; s++) cross.push({ output: crossOutputName(s), stage: s, tokenGrid: zyx(stageGrid(cfg, s + 1)) });
  const first = cross[0].tokenGrid;
  return { outputs: {}, tokenGrid: first, window: first, windowTokens: 0, cross };
}

export const UTRANSFORMER = cnnNetwork<UTransformerConfig>('utransformer', 'U-Transformer (3-D): U-Net with bottleneck self-attention and cross-attention gates on the skips', UTRANSFORMER_PRESETS, build, crossGeometry);
