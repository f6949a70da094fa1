/**
 * Composite layers built only from primitive ops, so they need no gradient rule of their own:
 * linear, LayerNorm, GELU (erf form), multi-head attention with an additive bias, losses.
 */
import type { Graph } from './graph';
import { unbroadcast } from './grad';
import * as o from './ops';
import type { Value } from './types';

/** y = x W + b over the last axis; W is [in, out]. */
export function linear(g: Graph, x: Value, name: string, inDim: number, outDim: number, bias = true, std = 0.02): Value {
  const w = g.param(`${name}.weight`, [inDim, outDim], { kind: 'truncnormal', std });
  const y = o.matmul(g, x, w);
  return bias ? o.add(g, y, g.param(`${name}.bias`, [outDim], { kind: 'zeros' })) : y;
}

/**
 * (x - mean) / sqrt(var + eps) over `axes`, then gamma x + beta, eps inside the square root as in
 * PyTorch. Its gradient is written out and reuses the forward's normalised x and standard deviation:
 * dx = (dxn - mean(dxn) - xn mean(dxn xn)) / sd with dxn = dy gamma, the means over `axes`.
 */
function normaliseAffine(g: Graph, x: Value, axes: readonly number[], gamma: Value, beta: Value, eps: number): Value {
  return g.composite(() => {
    const mu = o.reduceMean(g, x, axes);
    const xc = o.sub(g, x, mu);
    // Pow(xc, 2), not Mul(xc, xc): the pattern onnxruntime fuses into one LayerNormalization kernel.
    const variance = o.reduceMean(g, o.pow(g, xc, 2), axes);
    const sd = o.sqrt(g, o.add(g, variance, g.float(eps)));
    const xn = o.div(g, xc, sd);
    const out = o.add(g, o.mul(g, xn, gamma), beta);
    return {
      out,
      inputs: [x, gamma, beta],
      grad: (dy, needs) => {
        let dx: Value | null = null;
        if (needs(0)) {
          const dxn = o.mul(g, dy, gamma);
          const m1 = o.reduceMean(g, dxn, axes);
          const m2 = o.reduceMean(g, o.mul(g, dxn, xn), axes);
          dx = o.div(g, o.sub(g, o.sub(g, dxn, m1), o.mul(g, xn, m2)), sd);
        }
        return [dx, needs(1) ? unbroadcast(g, o.mul(g, dy, xn), gamma.shape) : null, needs(2) ? unbroadcast(g, dy, beta.shape) : null];
      },
    };
  });
}

/** LayerNorm over the last axis (Ba et al. 2016). */
export function layerNorm(g: Graph, x: Value, name: string, eps = 1e-5): Value {
  const c = x.shape[x.shape.length - 1];
  const gamma = g.param(`${name}.weight`, [c], { kind: 'ones' });
  const beta = g.param(`${name}.bias`, [c], { kind: 'zeros' });
  return normaliseAffine(g, x, [-1], gamma, beta, eps);
}

/**
 * Instance normalisation (Ulyanov et al. 2016) of channels-first [B, C, ...] over the spatial axes, with
 * a learned scale and shift per channel, as nnU-Net's InstanceNorm3d(affine=True). Built from primitive
 * ops, so the WebGPU and WASM providers need no InstanceNormalization kernel.
 */
export function instanceNorm(g: Graph, x: Value, name: string, eps = 1e-5): Value {
  const c = x.shape[1];
  const perChannel = [c, ...x.shape.slice(2).map(() => 1)];
  const gamma = g.param(`${name}.weight`, perChannel, { kind: 'ones' });
  const beta = g.param(`${name}.bias`, perChannel, { kind: 'zeros' });
  return normaliseAffine(g, x, x.shape.slice(2).map((_, i) => i + 2), gamma, beta, eps);
}

/**
 * GELU, exact erf form: x * (1 + erf(x / sqrt 2)) / 2. Gradient written out on the forward's values:
 * dx = dy ((1 + erf u) / 2 + (x / 2) sqrt(2 / pi) exp(-u^2)), u = x / sqrt 2.
 */
export function gelu(g: Graph, x: Value): Value {
  return g.composite(() => {
    // Div(x, sqrt 2): the pattern onnxruntime fuses into one Gelu kernel.
    const u = o.div(g, x, g.float(Math.SQRT2));
    const e = o.erf(g, u);
    const half = o.scale(g, x, 0.5);
    const a = o.add(g, e, g.float(1));
    const out = o.mul(g, half, a);
    return {
      out,
      inputs: [x],
      grad: (dy) => {
        const bump = o.scale(g, o.mul(g, half, o.exp(g, o.neg(g, o.mul(g, u, u)))), Math.sqrt(2 / Math.PI));
        return [o.mul(g, dy, o.add(g, o.scale(g, a, 0.5), bump))];
      },
    };
  });
}

export function mlp(g: Graph, x: Value, name: string, dim: number, hidden: number): Value {
  return linear(g, gelu(g, linear(g, x, `${name}.fc1`, dim, hidden)), `${name}.fc2`, hidden, dim);
}

export interface AttentionResult {
  out: Value;
  /** Attention probabilities [B, H, T, S]. */
  probs: Value;
}

/**
 * Self-attention's q, k and v [B, H, T, D] from one MatMul: the three weight matrices (and biases) are
 * concatenated in the graph, a constant that onnxruntime folds at inference, and the heads of all three
 * are split by one Transpose. The parameters keep their names and shapes (`<name>.q.weight`, ...).
 */
function selfProjections(g: Graph, x: Value, name: string, heads: number): [Value, Value, Value] {
  const [b, t, c] = x.shape;
  const parts = ['q', 'k', 'v'];
  const w = o.concat(g, parts.map((p) => g.param(`${name}.${p}.weight`, [c, c], { kind: 'truncnormal', std: 0.02 })), 1);
  const bias = o.concat(g, parts.map((p) => g.param(`${name}.${p}.bias`, [c], { kind: 'zeros' })), 0);
  const qkv = o.reshape(g, o.add(g, o.matmul(g, x, w), bias), [b, t, 3, heads, c / heads]);
  const [q, k, v] = o.split(g, o.transpose(g, qkv, [2, 0, 3, 1, 4]), [1, 1, 1], 0).map((p) => o.reshape(g, p, [b, heads, t, c / heads]));
  return [q, k, v];
}

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017). q from `x` [B, T, C], k and v from
 * `kv` [B, S, C] (self-attention when kv = x); `bias` broadcasts to [B, H, T, S] (relative position
 * bias, masks). `vFrom` [B, S, C'] gives the values when they come from another source than the keys
 * (U-Transformer's cross-attention: queries and keys from the decoder, values from the skip).
 */
export function multiHeadAttention(g: Graph, x: Value, kv: Value, name: string, heads: number, bias?: Value, vFrom: Value = kv): AttentionResult {
  const [b, t, c] = x.shape;
  const s = kv.shape[1];
  const d = c / heads;
  if (!Number.isInteger(d)) throw new Error(`${name}: channels ${c} not divisible by ${heads} heads`);
  const split = (v: Value, n: number): Value => o.transpose(g, o.reshape(g, v, [b, n, heads, d]), [0, 2, 1, 3]);
  const [q, k, v] = x === kv && vFrom === kv ? selfProjections(g, x, name, heads) : [split(linear(g, x, `${name}.q`, c, c), t), split(linear(g, kv, `${name}.k`, c, c), s), split(linear(g, vFrom, `${name}.v`, vFrom.shape[2], c), s)];
  const sc = 1 / Math.sqrt(d);
  let probs: Value | undefined;
  const att = g.composite(() => {
    let scores = o.scale(g, o.matmul(g, q, o.transpose(g, k, [0, 1, 3, 2])), sc);
    if (bias) scores = o.add(g, scores, bias);
    const p = o.softmax(g, scores, -1);
    probs = p;
    return {
      out: o.matmul(g, p, v),
      inputs: bias ? [q, k, v, bias] : [q, k, v],
      // dP = dY V^T, dS = P (dP - rowsum(dP P)); the scale goes on the small q and k, not on dS.
      grad: (dy, needs) => {
        const sw = (x: Value): Value => o.transpose(g, x, [0, 1, 3, 2]);
        const dp = o.matmul(g, dy, sw(v));
        const ds = o.mul(g, p, o.sub(g, dp, o.reduceSum(g, o.mul(g, dp, p), [-1], true)));
        return [
          needs(0) ? o.matmul(g, ds, o.scale(g, k, sc)) : null,
          needs(1) ? o.matmul(g, sw(ds), o.scale(g, q, sc)) : null,
          needs(2) ? o.matmul(g, sw(p), dy) : null,
          bias && needs(3) ? unbroadcast(g, ds, bias.shape) : null,
        ];
      },
    };
  });
  const ctx = o.reshape(g, o.transpose(g, att, [0, 2, 1, 3]), [b, t, c]);
  return { out: linear(g, ctx, `${name}.proj`, c, c), probs: probs as Value };
}

/**
 * Softmax and log-softmax over axis 1 from one Exp: z = x - max, p = e^z / sum e^z, log p = z - log sum e^z.
 * (ONNX Softmax/LogSoftmax on a non-last axis transpose internally, which is slow on CPU.) The max is
 * a constant shift for the gradient: log p does not depend on it.
 */
function channelSoftmax(g: Graph, logits: Value): { p: Value; logp: Value } {
  const z = o.sub(g, logits, g.stopGradient(o.reduceMax(g, logits, [1])));
  const e = o.exp(g, z);
  const s = o.reduceSum(g, e, [1]);
  return { p: o.div(g, e, s), logp: o.sub(g, z, o.log(g, s)) };
}

function crossEntropyOf(g: Graph, logp: Value, onehot: Value): Value {
  // -mean over voxels of sum_c t log p: one reduction over everything, then the scale.
  const n = logp.shape.reduce((a, b) => a * b, 1) / logp.shape[1];
  return o.scale(g, o.reduceSum(g, o.mul(g, logp, onehot), [...logp.shape.keys()], false), -1 / n);
}

function diceOf(g: Graph, p: Value, onehot: Value, eps: number): Value {
  const c = p.shape[1];
  const axes = [0, ...[...Array(p.shape.length - 2).keys()].map((i) => i + 2)];
  // Sums per class over all classes, then the foreground 1..C-1 picked from the [C] vectors.
  const fg = (v: Value): Value => o.slice(g, v, [1], [c], [0]);
  const inter = fg(o.reduceSum(g, o.mul(g, p, onehot), axes, false));
  const denom = fg(o.reduceSum(g, o.add(g, p, onehot), axes, false));
  const dice = o.div(g, o.add(g, o.scale(g, inter, 2), g.float(eps)), o.add(g, denom, g.float(eps)));
  return o.sub(g, g.float(1), o.reduceMean(g, dice, [0], false));
}

/** Mean voxel-wise cross-entropy of logits [N, C, ...] against a one-hot target of the same shape. */
export function softmaxCrossEntropy(g: Graph, logits: Value, onehot: Value): Value {
  return crossEntropyOf(g, channelSoftmax(g, logits).logp, onehot);
}

/**
 * Soft Dice loss (Milletari et al. 2016) over foreground classes 1..C-1, batch Dice as in nnU-Net:
 * 1 - mean_c (2 sum p t + eps) / (sum p + sum t + eps).
 */
export function softDiceLoss(g: Graph, logits: Value, onehot: Value, eps = 1e-5): Value {
  return diceOf(g, channelSoftmax(g, logits).p, onehot, eps);
}

/** Cross-entropy + soft Dice (the nnU-Net / FINE loss), sharing one softmax. */
export function crossEntropyDiceLoss(g: Graph, logits: Value, onehot: Value, eps = 1e-5): Value {
  const { p, logp } = channelSoftmax(g, logits);
  return o.add(g, crossEntropyOf(g, logp, onehot), diceOf(g, p, onehot, eps));
}

/**
 * Which classes a training case annotates, as two [C] float inputs: `annotated` (1 for each
 * annotated foreground class, 0 for background and unannotated ones) and `merged` (1 for background
 * and every unannotated class: the classes a voxel labelled 0 may really belong to).
 */
export interface ClassMask {
  annotated: Value;
  merged: Value;
}

/**
 * CE + soft Dice for a case that annotates only some classes (the marginal loss of Shi et al. 2021):
 * a voxel labelled background scores log sum_{c in merged} p_c, so predicting an unannotated organ
 * there costs nothing; Dice averages over annotated classes only. With every class annotated
 * (annotated = [0, 1, ..., 1], merged = [1, 0, ..., 0]) it equals `crossEntropyDiceLoss` up to the
 * 1e-30 floor inside the background log.
 */
export function maskedCrossEntropyDiceLoss(g: Graph, logits: Value, onehot: Value, mask: ClassMask, eps = 1e-5): Value {
  const c = logits.shape[1];
  const { p, logp } = channelSoftmax(g, logits);
  const bcast = (v: Value): Value => o.reshape(g, v, [1, c, ...logits.shape.slice(2).map(() => 1)]);
  const n = logp.shape.reduce((a, b) => a * b, 1) / c;
  const all = [...logp.shape.keys()];
  const fgTerm = o.reduceSum(g, o.mul(g, o.mul(g, logp, onehot), bcast(mask.annotated)), all, false);
  const bg = o.slice(g, onehot, [0], [1], [1]);
  const logq = o.log(g, o.add(g, o.reduceSum(g, o.mul(g, p, bcast(mask.merged)), [1]), g.float(1e-30)));
  const bgTerm = o.reduceSum(g, o.mul(g, bg, logq), all, false);
  const ce = o.scale(g, o.add(g, fgTerm, bgTerm), -1 / n);
  const axes = [0, ...[...Array(p.shape.length - 2).keys()].map((i) => i + 2)];
  const inter = o.reduceSum(g, o.mul(g, p, onehot), axes, false);
  const denom = o.reduceSum(g, o.add(g, p, onehot), axes, false);
  const dice = o.div(g, o.add(g, o.scale(g, inter, 2), g.float(eps)), o.add(g, denom, g.float(eps)));
  const meanDice = o.div(g, o.reduceSum(g, o.mul(g, dice, mask.annotated), [0], false), o.reduceSum(g, mask.annotated, [0], false));
  return o.add(g, ce, o.sub(g, g.float(1), meanDice));
}
