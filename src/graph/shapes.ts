/**
 * Static shape and dtype inference, one entry per op the builder offers. Every entry checks what it
 * receives and throws a ShapeError naming the op, the shapes that arrived and what was expected.
 */
import { type Attrs, type DType, type Value, numel, shapeStr } from './types';

export class ShapeError extends Error {
  constructor(op: string, inputs: readonly Value[], expected: string) {
    super(`${op}: got inputs ${inputs.map((v) => `${v.name}${shapeStr(v.shape)}:${v.dtype}`).join(', ')}; expected ${expected}`);
    this.name = 'ShapeError';
  }
}

export interface OutInfo {
  shape: number[];
  dtype: DType;
}

/** Reads the integer contents of a constant input (shapes, axes, pads); undefined if not constant. */
export type ConstReader = (v: Value) => number[] | undefined;

type Infer = (op: string, x: readonly Value[], a: Attrs, c: ConstReader) => OutInfo[];

export function broadcastShapes(op: string, vals: readonly Value[]): number[] {
  const rank = Math.max(...vals.map((v) => v.shape.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const v of vals) {
      const k = v.shape.length - rank + i;
      const s = k >= 0 ? v.shape[k] : 1;
      if (s !== 1 && d !== 1 && s !== d) throw new ShapeError(op, vals, 'shapes that broadcast (numpy rules)');
      if (s !== 1) d = s;
    }
    out.push(d);
  }
  return out;
}

function need(op: string, x: readonly Value[], n: number): void {
  if (x.length < n) throw new ShapeError(op, x, `${n} inputs`);
}

function constInts(op: string, x: readonly Value[], i: number, c: ConstReader): number[] {
  const v = x[i];
  const d = v ? c(v) : undefined;
  if (!d) throw new ShapeError(op, x, `input ${i} to be a constant int64 tensor (static shapes only)`);
  return d;
}

export function normAxis(op: string, x: readonly Value[], axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(op, x, `axis ${axis} within rank ${rank}`);
  return a;
}

const same: Infer = (_op, x) => [{ shape: [...x[0].shape], dtype: x[0].dtype }];
const binary: Infer = (op, x) => {
  need(op, x, 2);
  if (x[0].dtype !== x[1].dtype) throw new ShapeError(op, x, 'both inputs of the same dtype');
  return [{ shape: broadcastShapes(op, x), dtype: x[0].dtype }];
};
const compare: Infer = (op, x) => [{ shape: broadcastShapes(op, x), dtype: 'bool' }];

function reduce(op: string, x: readonly Value[], a: Attrs, c: ConstReader): OutInfo[] {
  const rank = x[0].shape.length;
  const axes = x.length > 1 ? constInts(op, x, 1, c).map((ax) => normAxis(op, x, ax, rank)) : [...Array(rank).keys()];
  const keep = (a.keepdims ?? 1) === 1;
  const shape: number[] = [];
  x[0].shape.forEach((d, i) => {
    if (!axes.includes(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ shape, dtype: x[0].dtype }];
}

function matmul(op: string, x: readonly Value[]): OutInfo[] {
  need(op, x, 2);
  const [a, b] = x;
  if (a.shape.length < 2 || b.shape.length < 2) throw new ShapeError(op, x, 'rank >= 2 operands');
  const m = a.shape[a.shape.length - 2], k = a.shape[a.shape.length - 1];
  const k2 = b.shape[b.shape.length - 2], n = b.shape[b.shape.length - 1];
  if (k !== k2) throw new ShapeError(op, x, `inner dimensions equal (${k} vs ${k2})`);
  const batch = broadcastShapes(op, [
    { ...a, shape: a.shape.slice(0, -2) },
    { ...b, shape: b.shape.slice(0, -2) },
  ]);
  return [{ shape: [...batch, m, n], dtype: 'float32' }];
}

function gemm(op: string, x: readonly Value[], a: Attrs): OutInfo[] {
  need(op, x, 2);
  const [A, B] = x;
  if (A.shape.length !== 2 || B.shape.length !== 2) throw new ShapeError(op, x, 'rank-2 A and B');
  const [m, k] = a.transA ? [A.shape[1], A.shape[0]] : [A.shape[0], A.shape[1]];
  const [k2, n] = a.transB ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]];
  if (k !== k2) throw new ShapeError(op, x, `inner dimensions equal (${k} vs ${k2})`);
  if (x[2]) broadcastShapes(op, [{ ...x[2] }, { ...A, shape: [m, n] }]);
  return [{ shape: [m, n], dtype: 'float32' }];
}

function conv(op: string, x: readonly Value[], a: Attrs): OutInfo[] {
  need(op, x, 2);
  const [X, W] = x;
  const r = X.shape.length - 2;
  if (r < 1 || r > 3 || W.shape.length !== r + 2) throw new ShapeError(op, x, 'X [N,C,...spatial] and W [Co,Ci,...k] with 1-3 spatial dims');
  if ((a.group ?? 1) !== 1) throw new ShapeError(op, x, 'group = 1');
  if (X.shape[1] !== W.shape[1]) throw new ShapeError(op, x, `X channels ${X.shape[1]} = W input channels ${W.shape[1]}`);
  if (x[2] && (x[2].shape.length !== 1 || x[2].shape[0] !== W.shape[0])) throw new ShapeError(op, x, `bias [${W.shape[0]}]`);
  const { strides, pads, dilations } = convParams(a, r);
  const k = W.shape.slice(2);
  const out = [X.shape[0], W.shape[0]];
  for (let i = 0; i < r; i++) {
    const o = Math.floor((X.shape[2 + i] + pads[i] + pads[r + i] - dilations[i] * (k[i] - 1) - 1) / strides[i]) + 1;
    if (o < 1) throw new ShapeError(op, x, 'an input at least as large as the dilated kernel');
    out.push(o);
  }
  return [{ shape: out, dtype: 'float32' }];
}

export function convParams(a: Attrs, r: number): { strides: number[]; pads: number[]; dilations: number[] } {
  const ones = Array<number>(r).fill(1);
  return {
    strides: (a.strides as number[] | undefined) ?? ones,
    pads: (a.pads as number[] | undefined) ?? Array<number>(2 * r).fill(0),
    dilations: (a.dilations as number[] | undefined) ?? ones,
  };
}

/** Normalised [start, end) and step of Slice per axis, following the ONNX clamping rules. */
export function sliceParams(op: string, x: readonly Value[], c: ConstReader): { starts: number[]; ends: number[]; steps: number[] } {
  const shape = x[0].shape;
  const r = shape.length;
  const st = constInts(op, x, 1, c), en = constInts(op, x, 2, c);
  const axes = x[3] ? constInts(op, x, 3, c).map((a) => normAxis(op, x, a, r)) : st.map((_, i) => i);
  const stp = x[4] ? constInts(op, x, 4, c) : st.map(() => 1);
  const starts = Array<number>(r).fill(0), ends = [...shape], steps = Array<number>(r).fill(1);
  axes.forEach((ax, i) => {
    const d = shape[ax], s = stp[i];
    if (s === 0) throw new ShapeError(op, x, 'non-zero steps');
    let b = st[i] < 0 ? st[i] + d : st[i];
    let e = en[i] < 0 ? en[i] + d : en[i];
    if (s > 0) {
      b = Math.min(Math.max(b, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      b = Math.min(Math.max(b, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    starts[ax] = b;
    ends[ax] = e;
    steps[ax] = s;
  });
  return { starts, ends, steps };
}

const TABLE: Record<string, Infer> = {
  Add: binary, Sub: binary, Mul: binary, Div: binary, Pow: binary, Max: binary, Min: binary,
  Equal: compare, Greater: compare, Less: compare, GreaterOrEqual: compare,
  Neg: same, Sqrt: same, Exp: same, Log: same, Erf: same, Tanh: same, Sigmoid: same, Relu: same,
  LeakyRelu: same, Identity: same, Abs: same, Reciprocal: same, Not: same, Softmax: same, LogSoftmax: same,
  Cast: (_op, x, a) => [{ shape: [...x[0].shape], dtype: dtypeOfCode(a.to as number) }],
  Where: (op, x) => {
    need(op, x, 3);
    if (x[0].dtype !== 'bool') throw new ShapeError(op, x, 'a bool condition');
    return [{ shape: broadcastShapes(op, x), dtype: x[1].dtype }];
  },
  MatMul: matmul,
  Gemm: gemm,
  Conv: conv,
  ReduceSum: reduce, ReduceMean: reduce, ReduceMax: reduce,
  Reshape: (op, x, _a, c) => {
    const target = constInts(op, x, 1, c);
    const n = numel(x[0].shape);
    const known = target.map((d, i) => (d === 0 ? x[0].shape[i] : d));
    const free = known.indexOf(-1);
    if (free >= 0) known[free] = n / numel(known.filter((d) => d !== -1));
    if (numel(known) !== n || !Number.isInteger(known[free] ?? 0)) throw new ShapeError(op, x, `a target shape with ${n} elements, got ${shapeStr(target)}`);
    return [{ shape: known, dtype: x[0].dtype }];
  },
  Transpose: (op, x, a) => {
    const perm = (a.perm as number[] | undefined) ?? [...x[0].shape.keys()].reverse();
    if (perm.length !== x[0].shape.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) throw new ShapeError(op, x, `perm of rank ${x[0].shape.length}, got [${perm}]`);
    return [{ shape: perm.map((p) => x[0].shape[p]), dtype: x[0].dtype }];
  },
  Concat: (op, x, a) => {
    const r = x[0].shape.length;
    const ax = normAxis(op, x, a.axis as number, r);
    const shape = [...x[0].shape];
    shape[ax] = 0;
    for (const v of x) {
      if (v.shape.length !== r || v.shape.some((d, i) => i !== ax && d !== x[0].shape[i])) throw new ShapeError(op, x, `equal shapes except on axis ${ax}`);
      shape[ax] += v.shape[ax];
    }
    return [{ shape, dtype: x[0].dtype }];
  },
  Split: (op, x, a, c) => {
    const ax = normAxis(op, x, (a.axis as number) ?? 0, x[0].shape.length);
    const sizes = constInts(op, x, 1, c);
    if (sizes.reduce((p, q) => p + q, 0) !== x[0].shape[ax]) throw new ShapeError(op, x, `split sizes summing to ${x[0].shape[ax]}, got [${sizes}]`);
    return sizes.map((s) => {
      const shape = [...x[0].shape];
      shape[ax] = s;
      return { shape, dtype: x[0].dtype };
    });
  },
  Slice: (op, x, _a, c) => {
    const { starts, ends, steps } = sliceParams(op, x, c);
    const shape = x[0].shape.map((_, i) => Math.max(0, Math.ceil((ends[i] - starts[i]) / steps[i])));
    return [{ shape, dtype: x[0].dtype }];
  },
  Gather: (op, x, a) => {
    const ax = normAxis(op, x, (a.axis as number) ?? 0, x[0].shape.length);
    if (x[1].dtype !== 'int64' && x[1].dtype !== 'int32') throw new ShapeError(op, x, 'integer indices');
    return [{ shape: [...x[0].shape.slice(0, ax), ...x[1].shape, ...x[0].shape.slice(ax + 1)], dtype: x[0].dtype }];
  },
  Expand: (op, x, _a, c) => {
    const target = constInts(op, x, 1, c);
    return [{ shape: broadcastShapes(op, [x[0], { ...x[0], shape: target }]), dtype: x[0].dtype }];
  },
  Pad: (op, x, _a, c) => {
    const pads = constInts(op, x, 1, c);
    const r = x[0].shape.length;
    if (pads.length !== 2 * r) throw new ShapeError(op, x, `${2 * r} pads`);
    return [{ shape: x[0].shape.map((d, i) => d + pads[i] + pads[r + i]), dtype: x[0].dtype }];
  },
  Unsqueeze: (op, x, _a, c) => {
    const r = x[0].shape.length + constInts(op, x, 1, c).length;
    const axes = constInts(op, x, 1, c).map((a) => normAxis(op, x, a, r));
    const shape: number[] = [];
    let k = 0;
    for (let i = 0; i < r; i++) shape.push(axes.includes(i) ? 1 : x[0].shape[k++]);
    return [{ shape, dtype: x[0].dtype }];
  },
  ScatterND: (op, x) => {
    need(op, x, 3);
    return [{ shape: [...x[0].shape], dtype: x[0].dtype }];
  },
};

export function dtypeOfCode(code: number): DType {
  const m: Record<number, DType> = { 1: 'float32', 2: 'uint8', 6: 'int32', 7: 'int64', 9: 'bool' };
  const d = m[code];
  if (!d) throw new Error(`Cast: unsupported target type code ${code}; expected one of ${Object.keys(m).join(', ')}`);
  return d;
}

export function inferShapes(op: string, inputs: readonly Value[], attrs: Attrs, c: ConstReader): OutInfo[] {
  const f = TABLE[op];
  if (!f) throw new Error(`graph: op '${op}' has no shape rule; supported ops: ${Object.keys(TABLE).sort().join(', ')}`);
  return f(op, inputs, attrs, c);
}

export const SUPPORTED_OPS: readonly string[] = Object.keys(TABLE);
