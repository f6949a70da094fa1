/**
 * Gradient check: the autodiff gradient, computed by onnxruntime-node on the backward graph, against
 * central finite differences of the independent float64 reference evaluator (src/graph/reference.ts).
 * The loss is sum(out * R) for a fixed random R, so every output element contributes.
 */
import { Graph, backward, evaluate, normal, ops as o, rng, serializeGraph, type RefTensor, type Value } from '../graph';
import { createSession } from '../infer/runtime/backend';

export interface GradCase {
  name: string;
  /** Builds the op under test; the parameters created on `g` are what gets checked. */
  build: (g: Graph, r: () => number) => Value;
}

export interface GradResult {
  name: string;
  maxRelErr: number;
  pass: boolean;
}

export const TOLERANCE = 1e-3;

/** A parameter filled with seeded values: normal, or `positive` (|N| + 0.5) for Log/Sqrt/Div inputs. */
export function randParam(g: Graph, r: () => number, name: string, shape: number[], kind: 'normal' | 'positive' = 'normal'): Value {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = kind === 'positive' ? Math.abs(normal(r)) + 0.5 : normal(r);
  return g.param(name, shape, { kind: 'data', data });
}

/** `corrupt` scales the autodiff gradient (tests use it to show the check fails on a wrong gradient). */
export async function checkGradient(c: GradCase, seed = 1, samplesPerParam = 48, corrupt = 1): Promise<GradResult> {
  const r = rng(seed);
  const g = new Graph(c.name);
  const out = c.build(g, r);
  const n = out.shape.reduce((a, b) => a * b, 1);
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) weights[i] = normal(r);
  const loss = o.reduceSum(g, o.mul(g, out, g.constant(weights, out.shape, 'R')), [...out.shape.keys()], false);
  const params = g.paramList();
  const grads = backward(g, loss, params.map((p) => p.value));
  g.output(loss, 'loss');
  for (const p of params) g.output(grads.get(p.value.name) as Value, `grad.${p.value.name}`);
  const session = await createSession(serializeGraph(g, { paramsAs: 'inputs' }).model, { provider: 'cpu', threads: 1 });
  // Parameters declared with a fixed init (LayerNorm ones/zeros, linear weights) get random values too.
  const values = new Map(params.map((p) => [p.value.name, p.init.kind === 'data' ? p.init.data : Float32Array.from({ length: p.value.shape.reduce((a, b) => a * b, 1) }, () => normal(r))]));
  const feeds = Object.fromEntries([...values].map(([k, v]) => [k, { data: v, dims: g.params.get(k)?.value.shape ?? [] }]));
  const res = await session.run(feeds);
  await session.release();
  const ref = new Map<string, RefTensor>([...values].map(([k, v]) => [k, { data: Float64Array.from(v), shape: [...(g.params.get(k)?.value.shape ?? [])] }]));
  const lossAt = (): number => evaluate(g, ref, [loss])[0].data[0];
  const perParam: { name: string; maxDiff: number; maxRef: number }[] = [];
  for (const p of params) {
    const t = ref.get(p.value.name) as RefTensor;
    const auto = res[`grad.${p.value.name}`].data;
    const count = Math.min(t.data.length, samplesPerParam);
    const stride = t.data.length / count;
    let maxDiff = 0, maxRef = 0;
    for (let s = 0; s < count; s++) {
      const i = Math.floor(s * stride);
      const x0 = t.data[i];
      const h = 1e-4 * Math.max(1, Math.abs(x0));
      t.data[i] = x0 + h;
      const up = lossAt();
      t.data[i] = x0 - h;
      const down = lossAt();
      t.data[i] = x0;
      const fd = (up - down) / (2 * h);
      maxDiff = Math.max(maxDiff, Math.abs(fd - corrupt * auto[i]));
      maxRef = Math.max(maxRef, Math.abs(fd));
    }
    perParam.push({ name: p.value.name, maxDiff, maxRef });
  }
  // Relative to the parameter's own gradient scale, floored at 1e-3 of the largest one: a parameter whose
  // true gradient is zero (a key bias under softmax) is judged against float32 round-off, not against 0.
  const globalRef = Math.max(...perParam.map((q) => q.maxRef), 1e-6);
  let worst = 0;
  for (const q of perParam) worst = Math.max(worst, q.maxDiff / Math.max(q.maxRef, 1e-3 * globalRef));
  return { name: c.name, maxRelErr: worst, pass: worst <= TOLERANCE && Number.isFinite(worst) };
}

/** A constant one-hot target [N, C, ...] with a random class per voxel. */
export function onehot(g: Graph, r: () => number, shape: number[]): Value {
  const [n, c, ...sp] = shape;
  const vox = sp.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * c * vox);
  for (let b = 0; b < n; b++) for (let v = 0; v < vox; v++) data[(b * c + Math.floor(r() * c)) * vox + v] = 1;
  return g.constant(data, shape, 'onehot');
}
