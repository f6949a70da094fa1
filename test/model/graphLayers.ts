/**
 * Reads the convolutions back out of a built graph, whatever the code that built them: Conv nodes, and
 * MatMuls on channels-last tokens that act as convolutions, through space-to-depth before them (a
 * Conv with kernel = stride) or depth-to-space after them (a ConvTranspose with kernel = stride).
 * Kernels and strides come from node attributes and value shapes, not from parameter names; so do the
 * bias (a parameter added to the output) and the GELUs and norms around each layer (composites).
 */
import type { Composite, Graph } from '../../src/graph/graph';
import type { Node, Value } from '../../src/graph';
import type { ConvSpec, Zyx } from './officialSpec';

/** A convolution as read back from the built graph: the official spec's fields, and its parameters' names. */
export interface GraphConv extends Omit<ConvSpec, 'used' | 'module'> {
  /** Names of the layer's parameters (its weight, and its bias if any). */
  params: string[];
}

const LAYOUT = new Set(['Reshape', 'Transpose']);

class Walker {
  private readonly producer = new Map<string, number>();
  private readonly consumers = new Map<string, number[]>();
  private readonly compositeAt = new Map<number, Composite>();

  constructor(readonly g: Graph) {
    g.nodes.forEach((n, i) => {
      for (const v of n.outputs) this.producer.set(v.name, i);
      for (const v of n.inputs) this.consumers.set(v.name, [...(this.consumers.get(v.name) ?? []), i]);
    });
    for (const c of g.composites) for (let i = c.first; i <= c.last; i++) this.compositeAt.set(i, c);
  }

  isParam = (v: Value): boolean => this.g.params.has(v.name);

  /** 'norm' (LayerNorm or InstanceNorm: x, weight, bias), 'gelu' (one input, an Erf), else 'other'. */
  kind(c: Composite): string {
    if (c.inputs.length === 3 && this.isParam(c.inputs[1]) && c.inputs[1].name.endsWith('.weight')) return 'norm';
    if (c.inputs.length === 1 && this.g.nodes.slice(c.first, c.last + 1).some((n) => n.op === 'Erf')) return 'gelu';
    return 'other';
  }

  /** The distinct readers of v: a composite counts once, whatever number of its nodes read v. */
  readers(v: Value): ({ composite: Composite } | { node: Node })[] {
    const out: ({ composite: Composite } | { node: Node })[] = [];
    const seen = new Set<Composite>();
    for (const i of this.consumers.get(v.name) ?? []) {
      const c = this.compositeAt.get(i);
      if (c && c.inputs.some((x) => x.name === v.name)) {
        if (!seen.has(c)) out.push({ composite: c });
        seen.add(c);
      } else if (!c) out.push({ node: this.g.nodes[i] });
    }
    return out;
  }

  /** GELUs and norms applied to v, through layout ops, while v has a single reader. */
  after(v: Value): string[] {
    const out: string[] = [];
    for (;;) {
      const r = this.readers(v);
      if (r.length !== 1) return out;
      const only = r[0];
      if ('composite' in only) {
        const k = this.kind(only.composite);
        if (k === 'other') return out;
        out.push(k);
        v = only.composite.output;
      } else if (LAYOUT.has(only.node.op)) v = only.node.outputs[0];
      else return out;
    }
  }

  /** GELUs and norms that produced v (innermost first), through layout ops. */
  before(v: Value): string[] {
    const out: string[] = [];
    for (;;) {
      const i = this.producer.get(v.name);
      if (i === undefined) return out;
      const c = this.compositeAt.get(i);
      if (c && c.output.name === v.name) {
        const k = this.kind(c);
        if (k === 'other') return out;
        out.unshift(k);
        v = c.inputs[0];
      } else if (!c && LAYOUT.has(this.g.nodes[i].op)) v = this.g.nodes[i].inputs[0];
      else return out;
    }
  }

  /** The last rank-5 value reached backwards from v through layout ops (the tokens before space-to-depth). */
  source(v: Value): Value {
    let src = v;
    for (;;) {
      const i = this.producer.get(v.name);
      if (i === undefined || this.compositeAt.has(i) || !LAYOUT.has(this.g.nodes[i].op)) return src;
      v = this.g.nodes[i].inputs[0];
      if (v.shape.length === 5) src = v;
    }
  }

  /**
   * Forwards from a MatMul output through layout ops and one parameter added: the tokens after a
   * depth-to-space (the first rank-5 value after a rank-7 one; v itself when there is none), the bias
   * parameter if any, and the last value reached.
   */
  expansion(v: Value): { tokens: Value; bias?: Value; end: Value } {
    let tokens = v, wide = false, found = false, bias: Value | undefined;
    for (;;) {
      const r = this.readers(v);
      if (r.length !== 1 || !('node' in r[0])) break;
      const n = r[0].node;
      const added = n.op === 'Add' && !bias ? n.inputs.find((x) => this.isParam(x)) : undefined;
      if (!added && !LAYOUT.has(n.op)) break;
      if (added) bias = added;
      v = n.outputs[0];
      if (v.shape.length === 7) wide = true;
      else if (wide && !found && v.shape.length === 5) {
        tokens = v;
        found = true;
      }
    }
    return { tokens, bias, end: v };
  }
}

const ratio = (a: Value, b: Value): Zyx => [1, 2, 3].map((i) => a.shape[i] / b.shape[i]) as Zyx;
const volume = (t: Zyx): number => t[0] * t[1] * t[2];
const isOne = (t: Zyx): boolean => t.every((v) => v === 1);

/** Every convolution-like layer of `g` in node order; pointwise linears (1x1x1) are left out. */
export function graphConvs(g: Graph): GraphConv[] {
  const w = new Walker(g);
  const out: GraphConv[] = [];
  g.nodes.forEach((n) => {
    const weight = n.inputs[1];
    if (n.op === 'Conv' && weight && w.isParam(weight)) {
      const [o, i, ...k] = weight.shape;
      const strides = (n.attrs.strides as number[] | undefined) ?? [1, 1, 1];
      const bias = n.inputs[2];
      const params = [weight.name, ...(bias ? [bias.name] : [])];
      out.push({ kind: 'conv', k: k as Zyx, s: [...strides] as Zyx, in: i, out: o, bias: !!bias, pre: w.before(n.inputs[0]), post: w.after(n.outputs[0]), params });
      return;
    }
    if (n.op !== 'MatMul' || !weight || !w.isParam(weight) || n.inputs[0].shape.length !== 5) return;
    const [a, b] = weight.shape;
    const x = n.inputs[0];
    const src = w.source(x);
    const kIn = ratio(src, x);
    const ex = w.expansion(n.outputs[0]);
    const kOut = ratio(ex.tokens, n.outputs[0]);
    if (isOne(kIn) && isOne(kOut)) return;
    const params = [weight.name, ...(ex.bias ? [ex.bias.name] : [])];
    const common = { bias: !!ex.bias, pre: w.before(src), post: w.after(ex.end), params };
    if (!isOne(kIn)) out.push({ kind: 'conv', k: kIn, s: kIn, in: a / volume(kIn), out: b, ...common });
    else out.push({ kind: 'convT', k: kOut, s: kOut, in: a, out: b / volume(kOut), ...common });
  });
  return out;
}
