/**
 * An independent float64 evaluator of graphs built with this package: plain loops, no onnxruntime.
 * It is the reference that gradient checks (finite differences) and kernel tests compare against.
 * Slow by design; use it on tiny shapes only.
 */
import type { Graph } from './graph';
import { convParams, sliceParams } from './shapes';
import type { Node, Value } from './types';

export interface RefTensor {
  data: Float64Array;
  shape: number[];
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const stridesOf = (s: readonly number[]): number[] => {
  const st = Array<number>(s.length).fill(1);
  for (let i = s.length - 2; i >= 0; i--) st[i] = st[i + 1] * s[i + 1];
  return st;
};

/** Multi-index of flat offset `i` in `shape`. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return idx;
}

/** Flat offset in a tensor of `shape` broadcast to an output multi-index. */
function bcastOffset(idx: readonly number[], shape: readonly number[]): number {
  const st = stridesOf(shape);
  let off = 0;
  const lead = idx.length - shape.length;
  for (let k = 0; k < shape.length; k++) off += (shape[k] === 1 ? 0 : idx[lead + k]) * st[k];
  return off;
}

function elementwise(outShape: number[], xs: RefTensor[], f: (...v: number[]) => number): RefTensor {
  const out = new Float64Array(size(outShape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, outShape);
    out[i] = f(...xs.map((x) => x.data[bcastOffset(idx, x.shape)]));
  }
  return { data: out, shape: outShape };
}

/** erf to ~1e-15: Taylor series below 3, continued fraction for erfc above. */
export function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax, sum = ax;
    for (let n = 1; n < 80; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

function reduceAxes(x: RefTensor, axes: number[], keep: boolean, init: number, f: (acc: number, v: number) => number): RefTensor {
  const r = x.shape.length;
  const ax = axes.map((a) => (a < 0 ? a + r : a));
  const kept = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const out = new Float64Array(size(kept)).fill(init);
  const kst = stridesOf(kept);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    let o = 0;
    idx.forEach((v, k) => (o += (ax.includes(k) ? 0 : v) * kst[k]));
    out[o] = f(out[o], x.data[i]);
  }
  return { data: out, shape: keep ? kept : x.shape.filter((_, i) => !ax.includes(i)) };
}

function softmaxLike(x: RefTensor, axis: number, log: boolean): RefTensor {
  const mx = reduceAxes(x, [axis], true, -Infinity, Math.max);
  const e = elementwise(x.shape, [x, mx], (v, m) => Math.exp(v - m));
  const s = reduceAxes(e, [axis], true, 0, (a, v) => a + v);
  return log ? elementwise(x.shape, [x, mx, s], (v, m, z) => v - m - Math.log(z)) : elementwise(x.shape, [e, s], (v, z) => v / z);
}

function matmul(a: RefTensor, b: RefTensor): RefTensor {
  const m = a.shape[a.shape.length - 2], k = a.shape[a.shape.length - 1], n = b.shape[b.shape.length - 1];
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = ba[i - rank + ba.length] ?? 1, y = bb[i - rank + bb.length] ?? 1;
    batch.push(Math.max(x, y));
  }
  const out = new Float64Array(size(batch) * m * n);
  for (let bi = 0; bi < size(batch); bi++) {
    const idx = unravel(bi, batch);
    const oa = bcastOffset(idx, ba.length ? ba : [1]) * m * k, ob = bcastOffset(idx, bb.length ? bb : [1]) * k * n;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a.data[oa + i * k + t] * b.data[ob + t * n + j];
      out[bi * m * n + i * n + j] = s;
    }
  }
  return { data: out, shape: [...batch, m, n] };
}

const transpose = (x: RefTensor, perm: number[]): RefTensor => {
  const shape = perm.map((p) => x.shape[p]);
  const st = stridesOf(x.shape);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    let o = 0;
    idx.forEach((v, k) => (o += v * st[perm[k]]));
    out[i] = x.data[o];
  }
  return { data: out, shape };
};

function conv(node: Node, x: RefTensor, w: RefTensor, b?: RefTensor): RefTensor {
  const r = w.shape.length - 2;
  const { strides, pads, dilations } = convParams(node.attrs, r);
  const outShape = node.outputs[0].shape as number[];
  const out = new Float64Array(size(outShape));
  const kShape = w.shape.slice(2), xSp = x.shape.slice(2);
  const ci = x.shape[1];
  for (let i = 0; i < out.length; i++) {
    const [n, co, ...os] = unravel(i, outShape);
    let s = b ? b.data[co] : 0;
    for (let c = 0; c < ci; c++) for (let kk = 0; kk < size(kShape); kk++) {
      const ko = unravel(kk, kShape);
      let inside = true, xo = 0;
      for (let d = 0; d < r; d++) {
        const p = os[d] * strides[d] - pads[d] + ko[d] * dilations[d];
        if (p < 0 || p >= xSp[d]) inside = false;
        xo = xo * xSp[d] + p;
      }
      if (inside) s += x.data[(n * ci + c) * size(xSp) + xo] * w.data[(co * ci + c) * size(kShape) + kk];
    }
    out[i] = s;
  }
  return { data: out, shape: outShape };
}

type Impl = (node: Node, x: RefTensor[], ints: (i: number) => number[]) => RefTensor[];
const out0 = (node: Node): number[] => [...node.outputs[0].shape];
const ew = (f: (...v: number[]) => number): Impl => (node, x) => [elementwise(out0(node), x, f)];

const IMPL: Record<string, Impl> = {
  Add: ew((a, b) => a + b), Sub: ew((a, b) => a - b), Mul: ew((a, b) => a * b), Div: ew((a, b) => a / b),
  Pow: ew((a, b) => a ** b), Max: ew(Math.max), Min: ew(Math.min),
  Equal: ew((a, b) => +(a === b)), Greater: ew((a, b) => +(a > b)), Less: ew((a, b) => +(a < b)),
  Neg: ew((a) => -a), Sqrt: ew(Math.sqrt), Exp: ew(Math.exp), Log: ew(Math.log), Erf: ew(erf64), Tanh: ew(Math.tanh),
  Sigmoid: ew((a) => 1 / (1 + Math.exp(-a))), Relu: ew((a) => Math.max(a, 0)), Abs: ew(Math.abs), Reciprocal: ew((a) => 1 / a),
  Identity: ew((a) => a), Cast: ew((a) => a), Not: ew((a) => +!a), Where: ew((c, a, b) => (c ? a : b)),
  LeakyRelu: (node, x) => [elementwise(out0(node), x, (a) => (a > 0 ? a : ((node.attrs.alpha as number) ?? 0.01) * a))],
  Softmax: (node, x) => [softmaxLike(x[0], (node.attrs.axis as number) ?? -1, false)],
  LogSoftmax: (node, x) => [softmaxLike(x[0], (node.attrs.axis as number) ?? -1, true)],
  MatMul: (_n, x) => [matmul(x[0], x[1])],
  Gemm: (node, x) => {
    const a = node.attrs.transA ? transpose(x[0], [1, 0]) : x[0];
    const b = node.attrs.transB ? transpose(x[1], [1, 0]) : x[1];
    const y = matmul(a, b);
    const al = (node.attrs.alpha as number) ?? 1, be = (node.attrs.beta as number) ?? 1;
    return [x[2] ? elementwise(y.shape, [y, x[2]], (p, c) => al * p + be * c) : elementwise(y.shape, [y], (p) => al * p)];
  },
  Conv: (node, x) => [conv(node, x[0], x[1], x[2])],
  ReduceSum: (node, x, ints) => [reduceAxes(x[0], x[1] ? ints(1) : [...x[0].shape.keys()], node.attrs.keepdims !== 0, 0, (a, v) => a + v)],
  ReduceMax: (node, x, ints) => [reduceAxes(x[0], x[1] ? ints(1) : [...x[0].shape.keys()], node.attrs.keepdims !== 0, -Infinity, Math.max)],
  ReduceMean: (node, x, ints) => {
    const s = reduceAxes(x[0], x[1] ? ints(1) : [...x[0].shape.keys()], node.attrs.keepdims !== 0, 0, (a, v) => a + v);
    const k = x[0].data.length / s.data.length;
    return [{ data: s.data.map((v) => v / k), shape: s.shape }];
  },
  Reshape: (node, x) => [{ data: x[0].data, shape: out0(node) }],
  Unsqueeze: (node, x) => [{ data: x[0].data, shape: out0(node) }],
  Expand: (node, x) => [elementwise(out0(node), [x[0]], (a) => a)],
  Transpose: (node, x) => [transpose(x[0], (node.attrs.perm as number[]) ?? [...x[0].shape.keys()].reverse())],
  Concat: (node, x) => {
    const shape = out0(node);
    const ax = ((node.attrs.axis as number) + shape.length) % shape.length;
    const out = new Float64Array(size(shape));
    let base = 0;
    for (const t of x) {
      for (let i = 0; i < t.data.length; i++) {
        const idx = unravel(i, t.shape);
        idx[ax] += base;
        out[bcastOffset(idx, shape)] = t.data[i];
      }
      base += t.shape[ax];
    }
    return [{ data: out, shape }];
  },
  Split: (node, x) => {
    const ax = (((node.attrs.axis as number) ?? 0) + x[0].shape.length) % x[0].shape.length;
    let base = 0;
    return node.outputs.map((o) => {
      const shape = [...o.shape];
      const t = elementwise(shape, [], () => 0);
      for (let i = 0; i < t.data.length; i++) {
        const idx = unravel(i, shape);
        idx[ax] += base;
        t.data[i] = x[0].data[bcastOffset(idx, x[0].shape)];
      }
      base += shape[ax];
      return t;
    });
  },
  Gather: (node, x) => {
    const ax = (((node.attrs.axis as number) ?? 0) + x[0].shape.length) % x[0].shape.length;
    const shape = out0(node);
    const ir = x[1].shape.length;
    return [elementwise(shape, [], () => 0)].map((t) => {
      for (let i = 0; i < t.data.length; i++) {
        const idx = unravel(i, shape);
        const ii = idx.slice(ax, ax + ir);
        let k = x[1].data[bcastOffset(ii, x[1].shape)];
        if (k < 0) k += x[0].shape[ax];
        t.data[i] = x[0].data[bcastOffset([...idx.slice(0, ax), k, ...idx.slice(ax + ir)], x[0].shape)];
      }
      return t;
    });
  },
};

function sliceImpl(g: Graph, node: Node, x: RefTensor): RefTensor {
  const { starts, steps } = sliceParams('Slice', node.inputs, g.readInts);
  const shape = out0(node);
  const t = elementwise(shape, [], () => 0);
  for (let i = 0; i < t.data.length; i++) {
    const idx = unravel(i, shape).map((v, k) => starts[k] + v * steps[k]);
    t.data[i] = x.data[bcastOffset(idx, x.shape)];
  }
  return t;
}

function padImpl(node: Node, x: RefTensor, pads: number[], value: number): RefTensor {
  const shape = out0(node);
  const r = x.shape.length;
  const t = elementwise(shape, [], () => value);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, k) => v + pads[k]);
    if (idx.every((v, k) => v >= 0 && v < shape[k])) t.data[bcastOffset(idx, shape)] = x.data[i];
  }
  void r;
  return t;
}

/** Evaluates `fetch` given float64 values for every graph input and parameter (by name). */
export function evaluate(g: Graph, feeds: ReadonlyMap<string, RefTensor>, fetch: readonly Value[]): RefTensor[] {
  const env = new Map<string, RefTensor>(feeds);
  for (const c of g.constants.values()) env.set(c.value.name, { data: Float64Array.from(c.data as ArrayLike<number | bigint>, Number), shape: [...c.value.shape] });
  const want = new Set(fetch.map((v) => v.name));
  for (const node of g.nodes) {
    if ([...want].every((n) => env.has(n))) break;
    const xs = node.inputs.map((v) => {
      const t = env.get(v.name);
      if (!t) throw new Error(`reference: value '${v.name}' (input of ${node.op} ${node.name}) was not fed`);
      return t;
    });
    const ints = (i: number): number[] => Array.from(xs[i].data);
    let outs: RefTensor[];
    if (node.op === 'Slice') outs = [sliceImpl(g, node, xs[0])];
    else if (node.op === 'Pad') outs = [padImpl(node, xs[0], ints(1), xs[2]?.data[0] ?? 0)];
    else {
      const f = IMPL[node.op];
      if (!f) throw new Error(`reference: op '${node.op}' has no float64 implementation`);
      outs = f(node, xs, ints);
    }
    node.outputs.forEach((v, i) => env.set(v.name, outs[i]));
  }
  return fetch.map((v) => {
    const t = env.get(v.name);
    if (!t) throw new Error(`reference: '${v.name}' was not computed`);
    return t;
  });
}
