/**
 * MISSU (Wang et al., IEEE TMI 2023, "self-distilling TransUNet"): the CNN encoder and decoder of
 * unet.ts, a transformer over the bottleneck tokens (pre-norm, learned position embedding), and, in
 * training only, multi-scale fusion blocks on the first `fusionStages` encoder stages. A fusion block
 * adds 3x3x3 atrous branches (dilations 1, 3, 4, 9: receptive fields 3, 7, 9, 19) of the local
 * features, plus the previous fused stage brought down by a strided conv (bottom-up pyramid). The
 * self-distillation loss pulls each stage's local attention map towards its fused one: the map of F is
 * sum_c |F| over channels, flattened and L2-normalised; the loss is the squared distance, summed over
 * voxels, averaged over stages, weighted by `distillWeight`. Inference graphs carry no fusion branch.
 */
import { type Graph, type Value, layerNorm, mlp, multiHeadAttention, ops as o } from '../graph';
import { MISSU_PRESETS, type MissuConfig } from './cnnConfig';
import type { AuxLoss, GraphMode, NetworkOutputs } from './contract';
import { conv3d, convNormAct, fromTokens, toTokens } from './convBlocks';
import { cnnNetwork, uShape } from './unet';

/** Pre-norm transformer over the bottleneck tokens. */
function transformer(g: Graph, cfg: MissuConfig, x: Value): Value {
  const c = x.shape[1];
  const n = x.shape[2] * x.shape[3] * x.shape[4];
  let t = o.add(g, toTokens(g, x), g.param('transformer.pos', [1, n, c], { kind: 'truncnormal', std: 0.02 }));
  for (let i = 0; i < cfg.transformerDepth; i++) {
    const h = layerNorm(g, t, `transformer.${i}.norm1`);
    t = o.add(g, t, multiHeadAttention(g, h, h, `transformer.${i}.attn`, cfg.heads).out);
    t = o.add(g, t, mlp(g, layerNorm(g, t, `transformer.${i}.norm2`), `transformer.${i}.mlp`, c, c * cfg.mlpRatio));
  }
  return o.add(g, x, fromTokens(g, layerNorm(g, t, 'transformer.norm'), x.shape));
}

const abs = (g: Graph, x: Value): Value => o.where(g, o.greater(g, x, g.float(0)), x, o.neg(g, x));

/** Attention map of features [B, C, z, y, x]: sum_c |F|, flattened to [B, N] and L2-normalised. */
function attentionMap(g: Graph, f: Value): Value {
  const [b, , z, y, x] = f.shape;
  const a = o.reshape(g, o.reduceSum(g, abs(g, f), [1], false), [b, z * y * x]);
  const norm = o.sqrt(g, o.add(g, o.reduceSum(g, o.mul(g, a, a), [1]), g.float(1e-12)));
  return o.div(g, a, norm);
}

/** The training-only fusion pyramid and its self-distillation loss against the local features. */
function distillation(g: Graph, cfg: MissuConfig, local: Value[]): AuxLoss {
  let fused: Value | undefined;
  let total: Value | undefined;
  for (let s = 0; s < cfg.fusionStages; s++) {
    const f = local[s];
    const c = f.shape[1];
    let sum: Value | undefined;
    for (const d of cfg.fusionDilations) {
      const br = conv3d(g, f, `fusion${s}.d${d}`, c, { dilation: d });
      sum = sum ? o.add(g, sum, br) : br;
    }
    if (fused) sum = o.add(g, sum as Value, conv3d(g, fused, `fusion${s}.down`, c, { stride: 2 }));
    fused = convNormAct(g, sum as Value, `fusion${s}.out`, c, 1, cfg.slope);
    const diff = o.sub(g, attentionMap(g, f), attentionMap(g, fused));
    const term = o.reduceSum(g, o.mul(g, diff, diff), [0, 1], false);
    total = total ? o.add(g, total, term) : term;
  }
  return { name: 'self_distillation', value: o.scale(g, total as Value, 1 / cfg.fusionStages), weight: cfg.distillWeight };
}

function build(g: Graph, cfg: MissuConfig, image: Value, mode: GraphMode): NetworkOutputs {
  const u = uShape(g, cfg, image, { bottleneck: (x) => transformer(g, cfg, x) });
  const aux = mode === 'train' && cfg.fusionStages > 0 ? [distillation(g, cfg, u.encoder)] : [];
  return { logits: u.logits, deep: u.deep, aux, attention: {} };
}

export const MISSU = cnnNetwork<MissuConfig>('missu', 'MISSU: CNN encoder-decoder with a transformer bottleneck, self-distilled from training-only multi-scale fusion', MISSU_PRESETS, build);
