/**
 * Gradients of Conv (1-3 spatial dims, stride, padding, dilation; group 1), following the recipes that
 * measured fastest with onnxruntime on CPU (bench/kernels.ts times a Conv3D layer forward and backward;
 * rerun it when changing a recipe):
 * - kernel == stride, no padding (patch embedding / merging): space-to-depth + Gemm for dW and dX;
 * - pointwise (1x1x1), batch 1: one Gemm each for dW and dX;
 * - otherwise dW from im2col columns and one product (see weightGrad);
 * - dX: zero-insert dY for stride > 1, then Conv with the transposed, spatially flipped weights.
 */
import type { Graph } from './graph';
import * as o from './ops';
import { convParams } from './shapes';
import type { Node, Value } from './types';

export function convGradients(g: Graph, node: Node, dy: Value, needs: (i: number) => boolean): (Value | null)[] {
  const [x, w, b] = node.inputs;
  const r = w.shape.length - 2;
  const k = w.shape.slice(2);
  const { strides, pads, dilations } = convParams(node.attrs, r);
  const spatial = [...Array(r).keys()].map((i) => i + 2);
  const db = b && needs(2) ? o.reduceSum(g, dy, [0, ...spatial], false) : null;
  const patchLike = k.every((kk, i) => kk === strides[i] && dilations[i] === 1 && x.shape[2 + i] % kk === 0) && pads.every((p) => p === 0);
  if (patchLike && x.shape[0] === 1 && k.every((kk) => kk === 1)) {
    // Pointwise conv, batch 1: Y[co, P] = W[co, ci] X[ci, P]; both gradients are one Gemm, no layout copies.
    const p = dy.shape.slice(2).reduce((a, q) => a * q, 1);
    const [co, ci] = w.shape;
    const dy2 = o.reshape(g, dy, [co, p]);
    const dw = needs(1) ? o.reshape(g, o.gemm(g, dy2, o.reshape(g, x, [ci, p]), undefined, { transB: true }), w.shape) : null;
    const dx = needs(0) ? o.reshape(g, o.gemm(g, o.reshape(g, w, [co, ci]), dy2, undefined, { transA: true }), x.shape) : null;
    return b ? [dx, dw, db] : [dx, dw];
  }
  if (patchLike) {
    const [dx, dw] = patchConvGrads(g, x, w, dy, needs(0), needs(1));
    return b ? [dx, dw, db] : [dx, dw];
  }
  const dw = needs(1) ? weightGrad(g, x, w, dy, strides, pads, dilations) : null;
  const dx = needs(0) ? inputGrad(g, x, w, dy, strides, pads, dilations) : null;
  return b ? [dx, dw, db] : [dx, dw];
}

/**
 * Space-to-depth view of a k==s conv. Worked example, 1-D: X [N=1, C=2, L=4], k=s=2 gives 2 patches;
 * patch p holds X[c, 2p + j] at column c*2 + j, so cols is [P=2, C*k=4] and Y^T = cols @ W^T.
 */
function patchConvGrads(g: Graph, x: Value, w: Value, dy: Value, wantX: boolean, wantW: boolean): [Value | null, Value | null] {
  const r = w.shape.length - 2;
  const [n, c] = x.shape;
  const co = w.shape[0];
  const k = w.shape.slice(2);
  const out = dy.shape.slice(2);
  const p = out.reduce((s, d) => s * d, n);
  const kk = k.reduce((s, d) => s * d, c);
  // [N, C, O0, k0, O1, k1, ...] -> [N, O0, O1, .., C, k0, k1, ..]
  const split = [n, c, ...out.flatMap((d, i) => [d, k[i]])];
  const perm = [0, ...out.map((_, i) => 2 + 2 * i), 1, ...out.map((_, i) => 3 + 2 * i)];
  const dyT = o.reshape(g, o.transpose(g, dy, [0, ...[...Array(r).keys()].map((i) => i + 2), 1]), [p, co]);
  let dw: Value | null = null;
  if (wantW) {
    const cols = o.reshape(g, o.transpose(g, o.reshape(g, x, split), perm), [p, kk]);
    dw = o.reshape(g, o.gemm(g, dyT, cols, undefined, { transA: true }), w.shape);
  }
  let dx: Value | null = null;
  if (wantX) {
    const dcols = o.matmul(g, dyT, o.reshape(g, w, [co, kk]));
    const inv = perm.map((_, i) => perm.indexOf(i));
    dx = o.reshape(g, o.transpose(g, o.reshape(g, dcols, [n, ...out, c, ...k]), inv), x.shape);
  }
  return [dx, dw];
}

/**
 * dW[co, ci, k] = sum_{n, p} Xpad[n, ci, s p + d k] dY[n, co, p]: the strided slices of the padded input
 * for every kernel offset stacked into columns [ci * K, P] (im2col), then one product with dY, which so
 * is read once. Columns are ci-major, the layout of W, so no transpose follows.
 */
function weightGrad(g: Graph, x: Value, w: Value, dy: Value, s: number[], pads: number[], d: number[]): Value {
  const r = w.shape.length - 2;
  const [n, ci] = x.shape;
  const co = w.shape[0];
  const k = w.shape.slice(2);
  const out = dy.shape.slice(2);
  const p = out.reduce((a, b) => a * b, 1);
  const kk = k.reduce((a, b) => a * b, 1);
  const xp = o.pad(g, x, [0, 0, ...pads.slice(0, r), 0, 0, ...pads.slice(r)]);
  const axes = [...Array(r).keys()].map((i) => i + 2);
  const offsets = k.reduce<number[][]>((acc, kd) => acc.flatMap((pre) => [...Array(kd).keys()].map((j) => [...pre, j])), [[]]);
  const slices = offsets.map((off) => {
    const starts = off.map((j, i) => j * d[i]);
    const ends = starts.map((st, i) => st + s[i] * (out[i] - 1) + 1);
    return o.reshape(g, o.slice(g, xp, starts, ends, axes, s.some((v) => v !== 1) ? s : undefined), [n, ci, 1, p]);
  });
  const cols = o.reshape(g, o.concat(g, slices, 2), [n, ci * kk, p]);
  if (n === 1) return o.reshape(g, o.gemm(g, o.reshape(g, dy, [co, p]), o.reshape(g, cols, [ci * kk, p]), undefined, { transB: true }), w.shape);
  const per = o.matmul(g, o.reshape(g, dy, [n, co, p]), o.transpose(g, cols, [0, 2, 1]));
  return o.reshape(g, o.reduceSum(g, per, [0], false), w.shape);
}

function inputGrad(g: Graph, x: Value, w: Value, dy: Value, s: number[], pads: number[], d: number[]): Value {
  const r = w.shape.length - 2;
  const k = w.shape.slice(2);
  const out = dy.shape.slice(2);
  const axes = [...Array(r).keys()].map((i) => i + 2);
  const wFlip = o.slice(g, o.transpose(g, w, [1, 0, ...axes]), axes.map(() => -1), axes.map(() => -(2 ** 62)), axes, axes.map(() => -1));
  let dyd = dy;
  if (s.some((v) => v !== 1)) {
    // Zero insertion: [N, C, O0, 1, O1, 1, ..] padded to [N, C, O0, s0, ..], flattened, trimmed to s*(O-1)+1.
    const [n, c] = dy.shape;
    const inter = o.reshape(g, dy, [n, c, ...out.flatMap((v) => [v, 1])]);
    const rr = 2 + 2 * r;
    const padEnd = Array<number>(rr).fill(0);
    out.forEach((_, i) => (padEnd[3 + 2 * i] = s[i] - 1));
    const z = o.pad(g, inter, [...Array<number>(rr).fill(0), ...padEnd]);
    const flat = o.reshape(g, z, [n, c, ...out.map((v, i) => v * s[i])]);
    dyd = o.slice(g, flat, axes.map(() => 0), out.map((v, i) => s[i] * (v - 1) + 1), axes);
  }
  // Full correlation with the flipped kernel covers the padded input's used span; crop to the input.
  const begin: number[] = [], end: number[] = [];
  for (let i = 0; i < r; i++) {
    const padded = x.shape[2 + i] + pads[i] + pads[r + i];
    const used = s[i] * (out[i] - 1) + d[i] * (k[i] - 1) + 1;
    begin.push(d[i] * (k[i] - 1) - pads[i]);
    end.push(d[i] * (k[i] - 1) + (padded - used) - pads[r + i]);
  }
  const cb = begin.map((v) => Math.max(v, 0)), ce = end.map((v) => Math.max(v, 0));
  let dx = o.conv(g, dyd, wFlip, undefined, { pads: [...cb, ...ce], dilations: d });
  if (begin.some((v) => v < 0) || end.some((v) => v < 0)) {
    const st = begin.map((v) => (v < 0 ? -v : 0));
    dx = o.slice(g, dx, st, st.map((v, i) => v + x.shape[2 + i]), axes);
  }
  return dx;
}
