/**
 * Reverse-mode autodiff over the graph: one table of gradient rules over primitive ops, one row per
 * op, so adding an op means adding one row and the table's keys (DIFFERENTIABLE_OPS) are the list the
 * gradient check must cover. Composite layers are built from these primitives; those whose node-by-node
 * backward is wasteful (LayerNorm, GELU) also carry a hand-written gradient (Graph.composite) that
 * backward() uses when no inner value is read outside the composite.
 */
import type { Composite, Graph } from './graph';
import * as o from './ops';
import { broadcastShapes, sliceParams } from './shapes';
import { convGradients } from './convGrad';
import type { Node, Value } from './types';

export interface GradContext {
  g: Graph;
  node: Node;
  /** Gradient of each output (zeros are filled in for unused outputs). */
  dy: Value[];
  /** Whether input i needs a gradient (so rules skip work, e.g. dX of the input layer). */
  needs: (i: number) => boolean;
}

type Rule = (c: GradContext) => (Value | null)[];

/** Sums a broadcast gradient back to the shape of the operand it flowed to. */
export function unbroadcast(g: Graph, grad: Value, shape: readonly number[]): Value {
  const r = grad.shape.length, t = shape.length;
  const axes: number[] = [];
  for (let i = 0; i < r; i++) {
    const k = i - (r - t);
    if (k < 0 || (shape[k] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  // Only leading axes summed (a bias over the trailing axes): one ReduceSum over the rows of a 2-D view.
  if (axes.length > 1 && axes.every((a, i) => a === i)) {
    const rows = axes.reduce((p, a) => p * grad.shape[a], 1);
    const cols = grad.shape.reduce((p, q) => p * q, 1) / rows;
    return o.reshape(g, o.reduceSum(g, o.reshape(g, grad, [rows, cols]), [0], false), shape);
  }
  const summed = axes.length ? o.reduceSum(g, grad, axes, true) : grad;
  return o.reshape(g, summed, shape);
}

const lastTwoSwapped = (v: Value): number[] => {
  const p = [...v.shape.keys()];
  [p[p.length - 1], p[p.length - 2]] = [p[p.length - 2], p[p.length - 1]];
  return p;
};

const binaryRule = (fa: (c: GradContext) => Value, fb: (c: GradContext) => Value): Rule => (c) => [
  c.needs(0) ? unbroadcast(c.g, fa(c), c.node.inputs[0].shape) : null,
  c.needs(1) ? unbroadcast(c.g, fb(c), c.node.inputs[1].shape) : null,
];

function constScalar(c: GradContext, i: number): number {
  const k = c.g.constants.get(c.node.inputs[i].name);
  if (!k || !(k.data instanceof Float32Array) || k.data.length !== 1) throw new Error(`${c.node.op} (${c.node.name}): gradient needs input ${i} to be a float32 scalar constant`);
  return k.data[0];
}

const RULES: Record<string, Rule> = {
  Identity: ({ dy }) => [dy[0]],
  Add: binaryRule(({ dy }) => dy[0], ({ dy }) => dy[0]),
  Sub: binaryRule(({ dy }) => dy[0], ({ g, dy }) => o.neg(g, dy[0])),
  Mul: binaryRule(({ g, dy, node }) => o.mul(g, dy[0], node.inputs[1]), ({ g, dy, node }) => o.mul(g, dy[0], node.inputs[0])),
  Div: binaryRule(
    ({ g, dy, node }) => o.div(g, dy[0], node.inputs[1]),
    ({ g, dy, node }) => o.neg(g, o.div(g, o.mul(g, dy[0], node.outputs[0]), node.inputs[1])),
  ),
  Pow: (c) => {
    const p = constScalar(c, 1);
    const { g, dy, node } = c;
    return [o.mul(g, dy[0], o.scale(g, o.pow(g, node.inputs[0], p - 1), p)), null];
  },
  Neg: ({ g, dy }) => [o.neg(g, dy[0])],
  Sqrt: ({ g, dy, node }) => [o.div(g, o.scale(g, dy[0], 0.5), node.outputs[0])],
  Exp: ({ g, dy, node }) => [o.mul(g, dy[0], node.outputs[0])],
  Log: ({ g, dy, node }) => [o.div(g, dy[0], node.inputs[0])],
  Erf: ({ g, dy, node }) => {
    const x = node.inputs[0];
    return [o.mul(g, dy[0], o.scale(g, o.exp(g, o.neg(g, o.mul(g, x, x))), 2 / Math.sqrt(Math.PI)))];
  },
  Tanh: ({ g, dy, node }) => {
    const y = node.outputs[0];
    return [o.mul(g, dy[0], o.sub(g, g.float(1), o.mul(g, y, y)))];
  },
  Sigmoid: ({ g, dy, node }) => {
    const y = node.outputs[0];
    return [o.mul(g, dy[0], o.mul(g, y, o.sub(g, g.float(1), y)))];
  },
  Relu: ({ g, dy, node }) => [o.where(g, o.greater(g, node.inputs[0], g.float(0)), dy[0], g.float(0))],
  LeakyRelu: ({ g, dy, node }) => {
    const alpha = (node.attrs.alpha as number | undefined) ?? 0.01;
    return [o.where(g, o.greater(g, node.inputs[0], g.float(0)), dy[0], o.scale(g, dy[0], alpha))];
  },
  Softmax: ({ g, dy, node }) => {
    const y = node.outputs[0];
    const axis = (node.attrs.axis as number | undefined) ?? -1;
    const dot = o.reduceSum(g, o.mul(g, dy[0], y), [axis], true);
    return [o.mul(g, y, o.sub(g, dy[0], dot))];
  },
  LogSoftmax: ({ g, dy, node }) => {
    const axis = (node.attrs.axis as number | undefined) ?? -1;
    const p = o.exp(g, node.outputs[0]);
    return [o.sub(g, dy[0], o.mul(g, p, o.reduceSum(g, dy[0], [axis], true)))];
  },
  ReduceSum: (c) => [reduceBack(c, 1)],
  ReduceMean: (c) => {
    const x = c.node.inputs[0], y = c.node.outputs[0];
    return [reduceBack(c, y.shape.reduce((p, q) => p * q, 1) / x.shape.reduce((p, q) => p * q, 1))];
  },
  MatMul: ({ g, dy, node, needs }) => {
    const [a, b] = node.inputs;
    if (b.shape.length === 2) {
      // x W with W [K, N] shared over every leading axis of x: flatten to [M, K] and use two Gemms, so
      // dW is one product (no batched MatMul then ReduceSum) and no Transpose is materialised.
      const [k, n] = b.shape;
      const m = a.shape.reduce((p, q) => p * q, 1) / k;
      const d2 = o.reshape(g, dy[0], [m, n]);
      return [
        needs(0) ? o.reshape(g, o.gemm(g, d2, b, undefined, { transB: true }), a.shape) : null,
        needs(1) ? o.gemm(g, o.reshape(g, a, [m, k]), d2, undefined, { transA: true }) : null,
      ];
    }
    return [
      needs(0) ? unbroadcast(g, o.matmul(g, dy[0], o.transpose(g, b, lastTwoSwapped(b))), a.shape) : null,
      needs(1) ? unbroadcast(g, o.matmul(g, o.transpose(g, a, lastTwoSwapped(a)), dy[0]), b.shape) : null,
    ];
  },
  Gemm: ({ g, dy, node, needs }) => {
    const [a, b, c] = node.inputs;
    const tA = node.attrs.transA === 1, tB = node.attrs.transB === 1;
    const alpha = (node.attrs.alpha as number | undefined) ?? 1, beta = (node.attrs.beta as number | undefined) ?? 1;
    const d = dy[0];
    // Y = alpha * A' B' + beta * C with A' = tA ? A^T : A and B' = tB ? B^T : B.
    const dA = !needs(0) ? null : tA ? o.gemm(g, b, d, undefined, { transA: tB, transB: true, alpha }) : o.gemm(g, d, b, undefined, { transB: !tB, alpha });
    const dB = !needs(1) ? null : tB ? o.gemm(g, d, a, undefined, { transA: true, transB: tA, alpha }) : o.gemm(g, a, d, undefined, { transA: !tA, alpha });
    const dC = c && needs(2) ? unbroadcast(g, o.scale(g, d, beta), c.shape) : null;
    return c ? [dA, dB, dC] : [dA, dB];
  },
  Conv: (c) => convGradients(c.g, c.node, c.dy[0], c.needs),
  Reshape: ({ g, dy, node }) => [o.reshape(g, dy[0], node.inputs[0].shape), null],
  Unsqueeze: ({ g, dy, node }) => [o.reshape(g, dy[0], node.inputs[0].shape), null],
  Transpose: ({ g, dy, node }) => {
    const perm = (node.attrs.perm as number[] | undefined) ?? [...node.inputs[0].shape.keys()].reverse();
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [o.transpose(g, dy[0], inv)];
  },
  Concat: ({ g, dy, node }) => {
    const axis = node.attrs.axis as number;
    const ax = axis < 0 ? axis + node.inputs[0].shape.length : axis;
    return o.split(g, dy[0], node.inputs.map((v) => v.shape[ax]), ax);
  },
  Split: ({ g, dy, node }) => [o.concat(g, dy, (node.attrs.axis as number) ?? 0), null],
  Slice: ({ g, dy, node }) => {
    const x = node.inputs[0];
    const { starts, ends, steps } = sliceParams('Slice', node.inputs, g.readInts);
    const r = x.shape.length;
    if (steps.every((s) => s === 1)) {
      const pads = [...starts, ...ends.map((e, i) => x.shape[i] - e)];
      return [o.pad(g, dy[0], pads), ...node.inputs.slice(1).map(() => null)];
    }
    const flips = steps.map((s, i) => s === -1 && starts[i] === x.shape[i] - 1 && ends[i] === -1);
    if (steps.every((s, i) => s === 1 ? starts[i] === 0 && ends[i] === x.shape[i] : flips[i])) {
      const axes = [...Array(r).keys()].filter((i) => flips[i]);
      return [o.slice(g, dy[0], axes.map(() => -1), axes.map(() => -(2 ** 62)), axes, axes.map(() => -1)), ...node.inputs.slice(1).map(() => null)];
    }
    throw new Error(`Slice (${node.name}): gradient supports unit steps or whole-axis reversal, got steps [${steps}]`);
  },
  Gather: ({ g, dy, node }) => {
    const [data, idx] = node.inputs;
    const axis = (node.attrs.axis as number | undefined) ?? 0;
    if (axis !== 0) throw new Error(`Gather (${node.name}): gradient implemented for axis 0, got ${axis}`);
    // d data = ScatterND(zeros, indices[..., None], dy, reduction=add): repeated indices accumulate.
    const ind = o.unsqueeze(g, idx.dtype === 'int64' ? idx : o.cast(g, idx, 'int64'), [idx.shape.length]);
    return [g.op1('ScatterND', [o.zeros(g, data.shape), ind, dy[0]], { reduction: 'add' }), null];
  },
  Expand: ({ g, dy, node }) => [unbroadcast(g, dy[0], node.inputs[0].shape), null],
  Pad: ({ g, dy, node }) => {
    const pads = g.readInts(node.inputs[1]);
    const x = node.inputs[0];
    if (!pads || pads.some((p) => p < 0) || (node.attrs.mode ?? 'constant') !== 'constant') throw new Error(`Pad (${node.name}): gradient needs constant mode with non-negative constant pads`);
    const r = x.shape.length;
    const axes = [...Array(r).keys()];
    return [o.slice(g, dy[0], pads.slice(0, r), axes.map((i) => pads[i] + x.shape[i]), axes), null, null];
  },
  Where: ({ g, dy, node, needs }) => {
    const [cond, a, b] = node.inputs;
    const z = g.float(0);
    return [
      null,
      needs(1) ? unbroadcast(g, o.where(g, cond, dy[0], z), a.shape) : null,
      needs(2) ? unbroadcast(g, o.where(g, cond, z, dy[0]), b.shape) : null,
    ];
  },
};

function reduceBack(c: GradContext, factor: number): Value {
  const { g, dy, node } = c;
  const x = node.inputs[0];
  const r = x.shape.length;
  const axes = node.inputs[1] ? (g.readInts(node.inputs[1]) ?? []).map((a) => (a < 0 ? a + r : a)) : [...Array(r).keys()];
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const d = o.reshape(g, dy[0], keptShape);
  return o.expand(g, o.scale(g, d, factor), x.shape);
}

/** Ops whose output has no gradient by its type: comparisons and logic give booleans. */
const BOOLEAN_OPS = new Set(['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'Not']);

/**
 * Whether no gradient flows through `n` by construction: a boolean or integer result, or a value cut by
 * `Graph.stopGradient`. Any other op without a rule (ReduceMax, a float Cast) on a path to a parameter
 * makes backward throw rather than train with a silent zero.
 */
function cutsGradient(g: Graph, n: Graph['nodes'][number]): boolean {
  return BOOLEAN_OPS.has(n.op) || n.outputs.every((v) => v.dtype !== 'float32' || g.stopped.has(v.name));
}

export const DIFFERENTIABLE_OPS: readonly string[] = Object.keys(RULES);

/**
 * Appends to `g` the gradient of scalar `loss` with respect to each of `wrt`, and returns them by name.
 * Values that do not reach the loss get a zero gradient.
 */
export function backward(g: Graph, loss: Value, wrt: readonly Value[]): Map<string, Value> {
  if (loss.shape.reduce((p, q) => p * q, 1) !== 1) throw new Error(`backward: loss must be a scalar, got shape [${loss.shape}]`);
  const requires = new Set(wrt.map((v) => v.name));
  const forward = [...g.nodes];
  for (const n of forward) {
    if (cutsGradient(g, n)) continue;
    if (n.inputs.some((v) => requires.has(v.name))) for (const v of n.outputs) requires.add(v.name);
  }
  const grads = new Map<string, Value>();
  grads.set(loss.name, o.reshape(g, g.float(1), loss.shape));
  const accumulate = (v: Value, d: Value | null): void => {
    if (!d || !requires.has(v.name)) return;
    const shape = broadcastShapes('backward', [d, v]);
    if (shape.length !== v.shape.length || shape.some((s, j) => s !== v.shape[j])) throw new Error(`backward: gradient of shape [${d.shape}] for '${v.name}' of shape [${v.shape}]`);
    const prev = grads.get(v.name);
    grads.set(v.name, prev ? o.add(g, prev, d) : d);
  };
  // Composites by last node, outermost (smallest first) first.
  const byLast = new Map<number, Composite[]>();
  for (const c of [...g.composites].sort((a, b) => a.first - b.first)) if (c.last < forward.length) byLast.set(c.last, [...(byLast.get(c.last) ?? []), c]);
  for (let k = forward.length - 1; k >= 0; k--) {
    const node = forward[k];
    if (!node.outputs.some((v) => grads.has(v.name))) continue;
    const comp = byLast.get(k)?.find((c) => c.inputs.some((v) => requires.has(v.name)) && !forward.slice(c.first, c.last).some((n) => n.outputs.some((v) => grads.has(v.name))));
    if (comp) {
      const dx = comp.grad(grads.get(comp.output.name) as Value, (i) => requires.has(comp.inputs[i]?.name ?? ''));
      comp.inputs.forEach((v, i) => accumulate(v, dx[i] ?? null));
      k = comp.first;
      continue;
    }
    if (!node.inputs.some((v) => requires.has(v.name))) continue;
    const rule = RULES[node.op];
    if (!rule) throw new Error(`backward: no gradient rule for op '${node.op}' (${node.name}); differentiable ops: ${DIFFERENTIABLE_OPS.join(', ')}`);
    const dy = node.outputs.map((v) => grads.get(v.name) ?? o.zeros(g, v.shape));
    const dx = rule({ g, node, dy, needs: (i) => requires.has(node.inputs[i]?.name ?? '') });
    node.inputs.forEach((v, i) => {
      const d = dx[i];
      if (!d || !requires.has(v.name)) return;
      const shape = broadcastShapes('backward', [d, v]);
      if (shape.length !== v.shape.length || shape.some((s, j) => s !== v.shape[j])) throw new Error(`backward: rule for ${node.op} returned [${d.shape}] for input [${v.shape}]`);
      const prev = grads.get(v.name);
      grads.set(v.name, prev ? o.add(g, prev, d) : d);
    });
  }
  const out = new Map<string, Value>();
  for (const v of wrt) out.set(v.name, grads.get(v.name) ?? o.zeros(g, v.shape));
  return out;
}
