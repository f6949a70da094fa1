/** Typed helpers over Graph.op for the primitive ops. Each returns the output value(s). */
import type { Graph } from './graph';
import { convParams } from './shapes';
import type { Value } from './types';

export const add = (g: Graph, a: Value, b: Value): Value => g.op1('Add', [a, b]);
export const sub = (g: Graph, a: Value, b: Value): Value => g.op1('Sub', [a, b]);
export const mul = (g: Graph, a: Value, b: Value): Value => g.op1('Mul', [a, b]);
export const div = (g: Graph, a: Value, b: Value): Value => g.op1('Div', [a, b]);
export const pow = (g: Graph, a: Value, p: number): Value => g.op1('Pow', [a, g.float(p)]);
export const neg = (g: Graph, a: Value): Value => g.op1('Neg', [a]);
export const sqrt = (g: Graph, a: Value): Value => g.op1('Sqrt', [a]);
export const exp = (g: Graph, a: Value): Value => g.op1('Exp', [a]);
export const log = (g: Graph, a: Value): Value => g.op1('Log', [a]);
export const erf = (g: Graph, a: Value): Value => g.op1('Erf', [a]);
export const tanh = (g: Graph, a: Value): Value => g.op1('Tanh', [a]);
export const sigmoid = (g: Graph, a: Value): Value => g.op1('Sigmoid', [a]);
export const relu = (g: Graph, a: Value): Value => g.op1('Relu', [a]);
export const leakyRelu = (g: Graph, a: Value, alpha = 0.01): Value => g.op1('LeakyRelu', [a], { alpha });
export const identity = (g: Graph, a: Value): Value => g.op1('Identity', [a]);
export const matmul = (g: Graph, a: Value, b: Value): Value => g.op1('MatMul', [a, b]);
export const softmax = (g: Graph, a: Value, axis = -1): Value => g.op1('Softmax', [a], { axis });
export const logSoftmax = (g: Graph, a: Value, axis = -1): Value => g.op1('LogSoftmax', [a], { axis });
export const where = (g: Graph, c: Value, a: Value, b: Value): Value => g.op1('Where', [c, a, b]);
export const greater = (g: Graph, a: Value, b: Value): Value => g.op1('Greater', [a, b]);
export const cast = (g: Graph, a: Value, to: 'float32' | 'int64' | 'bool'): Value => g.op1('Cast', [a], { to: { float32: 1, int64: 7, bool: 9 }[to] });

export function gemm(g: Graph, a: Value, b: Value, c?: Value, o: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {}): Value {
  const attrs: Record<string, number> = {};
  if (o.transA) attrs.transA = 1;
  if (o.transB) attrs.transB = 1;
  if (o.alpha !== undefined && o.alpha !== 1) attrs.alpha = o.alpha;
  if (o.beta !== undefined && o.beta !== 1) attrs.beta = o.beta;
  return g.op1('Gemm', c ? [a, b, c] : [a, b], attrs);
}

export function reduceSum(g: Graph, a: Value, axes: readonly number[], keepdims = true): Value {
  return g.op1('ReduceSum', [a, g.ints(axes)], { keepdims: keepdims ? 1 : 0 });
}
export function reduceMean(g: Graph, a: Value, axes: readonly number[], keepdims = true): Value {
  return g.op1('ReduceMean', [a, g.ints(axes)], { keepdims: keepdims ? 1 : 0 });
}

export function reduceMax(g: Graph, a: Value, axes: readonly number[], keepdims = true): Value {
  return g.op1('ReduceMax', [a, g.ints(axes)], { keepdims: keepdims ? 1 : 0 });
}

export function reshape(g: Graph, a: Value, shape: readonly number[]): Value {
  if (shape.length === a.shape.length && shape.every((d, i) => d === a.shape[i])) return a;
  return g.op1('Reshape', [a, g.ints(shape)]);
}

export function transpose(g: Graph, a: Value, perm: readonly number[]): Value {
  if (perm.every((p, i) => p === i)) return a;
  return g.op1('Transpose', [a], { perm: [...perm] });
}

export const concat = (g: Graph, xs: readonly Value[], axis: number): Value => (xs.length === 1 ? xs[0] : g.op1('Concat', xs, { axis }));

export function split(g: Graph, a: Value, sizes: readonly number[], axis: number): Value[] {
  return g.op('Split', [a, g.ints(sizes)], { axis });
}

/** Slice with explicit per-axis starts/ends/steps on the listed axes. */
export function slice(g: Graph, a: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): Value {
  const inputs = [a, g.ints(starts), g.ints(ends), g.ints(axes)];
  if (steps) inputs.push(g.ints(steps));
  return g.op1('Slice', inputs);
}

export const gather = (g: Graph, data: Value, indices: Value, axis = 0): Value => g.op1('Gather', [data, indices], { axis });

export function expand(g: Graph, a: Value, shape: readonly number[]): Value {
  if (shape.length === a.shape.length && shape.every((d, i) => d === a.shape[i])) return a;
  return g.op1('Expand', [a, g.ints(shape)]);
}

/** Constant-mode Pad; pads = [begin per axis..., end per axis...]. */
export function pad(g: Graph, a: Value, pads: readonly number[], value = 0): Value {
  if (pads.every((p) => p === 0)) return a;
  const inputs = [a, g.ints(pads)];
  if (value !== 0) inputs.push(g.float(value));
  return g.op1('Pad', inputs, { mode: 'constant' });
}

export const unsqueeze = (g: Graph, a: Value, axes: readonly number[]): Value => g.op1('Unsqueeze', [a, g.ints(axes)]);

export function zeros(g: Graph, shape: readonly number[]): Value {
  return expand(g, g.float(0), shape);
}

export interface ConvOpts {
  strides?: number[];
  pads?: number[];
  dilations?: number[];
}

export function conv(g: Graph, x: Value, w: Value, b?: Value, o: ConvOpts = {}): Value {
  const r = w.shape.length - 2;
  const p = convParams(o as Record<string, number[]>, r);
  return g.op1('Conv', b ? [x, w, b] : [x, w], { kernel_shape: w.shape.slice(2), strides: p.strides, pads: p.pads, dilations: p.dilations });
}

/** Scalar multiply by a constant. */
export const scale = (g: Graph, a: Value, s: number): Value => (s === 1 ? a : mul(g, a, g.float(s)));
