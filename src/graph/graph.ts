/**
 * The graph builder: values with static shapes, nodes in creation (= topological) order, constants
 * and trainable parameters. Nothing here runs a tensor; serialize.ts writes the ONNX model.
 */
import { inferShapes } from './shapes';
import { type Attrs, type DType, type HostArray, type Init, type Node, type ParamSpec, type Value, numel, shapeStr } from './types';

export interface Constant {
  readonly value: Value;
  readonly data: HostArray;
}

/**
 * A composite layer with a gradient written by hand: nodes first..last (contiguous), which read only
 * `inputs` and constants from outside and produce `output` at node `last`. backward() applies `grad`
 * instead of the node-by-node rules when nothing outside reads an inner value; the rule may reuse the
 * composite's forward intermediates.
 */
export interface Composite {
  readonly first: number;
  readonly last: number;
  readonly inputs: readonly Value[];
  readonly output: Value;
  readonly grad: (dy: Value, needs: (i: number) => boolean) => (Value | null)[];
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly params = new Map<string, ParamSpec>();
  readonly constants = new Map<string, Constant>();
  readonly composites: Composite[] = [];
  /** Values made by `stopGradient`: backward sends nothing through them. */
  readonly stopped = new Set<string>();
  private readonly used = new Set<string>();
  private readonly intCache = new Map<string, Value>();
  private counter = 0;

  constructor(readonly name = 'graph') {}

  /** A fresh unique name with the given stem. */
  fresh(stem: string): string {
    let n = `${stem}_${this.counter++}`;
    while (this.used.has(n)) n = `${stem}_${this.counter++}`;
    this.used.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`graph '${this.name}': the name '${name}' is already used; names of inputs, params and outputs must be unique`);
    this.used.add(name);
    return name;
  }

  input(name: string, shape: readonly number[], dtype: DType = 'float32'): Value {
    const v: Value = { name: this.claim(name), shape: [...shape], dtype };
    this.inputs.push(v);
    return v;
  }

  /** A trainable float32 parameter. Fed as an input in training graphs, written as an initializer on export. */
  param(name: string, shape: readonly number[], init: Init): Value {
    const v: Value = { name: this.claim(name), shape: [...shape], dtype: 'float32' };
    if (init.kind === 'data' && init.data.length !== numel(shape)) throw new Error(`param ${name}: data has ${init.data.length} values, shape ${shapeStr(shape)} needs ${numel(shape)}`);
    this.params.set(v.name, { value: v, init });
    return v;
  }

  constant(data: HostArray, shape: readonly number[], stem = 'const'): Value {
    const dtype: DType = data instanceof Float32Array ? 'float32' : data instanceof BigInt64Array ? 'int64' : data instanceof Int32Array ? 'int32' : 'uint8';
    if (data.length !== numel(shape)) throw new Error(`constant ${stem}: ${data.length} values for shape ${shapeStr(shape)}`);
    const v: Value = { name: this.fresh(stem), shape: [...shape], dtype };
    this.constants.set(v.name, { value: v, data });
    return v;
  }

  /** A float32 constant; a number gives a scalar (shape []). */
  float(data: number | readonly number[] | Float32Array, shape?: readonly number[]): Value {
    const arr = typeof data === 'number' ? Float32Array.of(data) : Float32Array.from(data);
    return this.constant(arr, shape ?? (typeof data === 'number' ? [] : [arr.length]), 'f');
  }

  /** An int64 1-D constant (shapes, axes, pads), cached so each distinct list is stored once. */
  ints(data: readonly number[]): Value {
    const key = data.join(',');
    const hit = this.intCache.get(key);
    if (hit) return hit;
    const v = this.constant(BigInt64Array.from(data.map((d) => BigInt(d))), [data.length], 'i');
    this.intCache.set(key, v);
    return v;
  }

  /** The integer contents of a constant value, or undefined. */
  readInts = (v: Value): number[] | undefined => {
    const c = this.constants.get(v.name);
    if (!c || c.data instanceof Float32Array) return undefined;
    return Array.from(c.data as ArrayLike<number | bigint>, (d) => Number(d));
  };

  /** Adds one node; output shapes are inferred (and checked) from the op's shape rule. */
  op(op: string, inputs: readonly Value[], attrs: Attrs = {}, stem?: string): Value[] {
    const infos = inferShapes(op, inputs, attrs, this.readInts);
    const outputs = infos.map((o) => ({ name: this.fresh(stem ?? op), shape: o.shape, dtype: o.dtype }));
    this.nodes.push({ op, inputs: [...inputs], outputs, attrs, name: this.fresh(`n_${op}`) });
    return outputs;
  }

  op1(op: string, inputs: readonly Value[], attrs: Attrs = {}, stem?: string): Value {
    return this.op(op, inputs, attrs, stem)[0];
  }

  /**
   * The same value with no gradient through it (an Identity that backward treats as a constant). The
   * only way to cut a gradient: an op without a gradient rule on the path to a parameter is an error.
   */
  stopGradient(v: Value): Value {
    const out = this.op1('Identity', [v], {}, 'stopgrad');
    this.stopped.add(out.name);
    return out;
  }

  /** Marks a value as a graph output, under a given name (an Identity is added when it differs). */
  output(v: Value, name?: string): Value {
    let out = v;
    if (name && name !== v.name) {
      out = { name: this.claim(name), shape: v.shape, dtype: v.dtype };
      this.nodes.push({ op: 'Identity', inputs: [v], outputs: [out], attrs: {}, name: this.fresh('n_Identity') });
    }
    this.outputs.push(out);
    return out;
  }

  /**
   * Runs `build`, which adds the nodes of one composite layer, and records its hand-written gradient.
   * Throws when the nodes read a non-constant value from outside that is not among `inputs`.
   */
  composite(build: () => { out: Value; inputs: readonly Value[]; grad: Composite['grad'] }): Value {
    const first = this.nodes.length;
    const { out, inputs, grad } = build();
    const last = this.nodes.length - 1;
    if (last < first || this.nodes[last].outputs[0] !== out) throw new Error(`graph '${this.name}': a composite's output must be the output of its last node`);
    const inner = new Set<string>();
    const declared = new Set(inputs.map((v) => v.name));
    for (const n of this.nodes.slice(first)) {
      for (const v of n.inputs) if (!inner.has(v.name) && !declared.has(v.name) && !this.constants.has(v.name)) throw new Error(`graph '${this.name}': composite node ${n.name} reads '${v.name}', which is not among the composite's inputs`);
      for (const v of n.outputs) inner.add(v.name);
    }
    this.composites.push({ first, last, inputs: [...inputs], output: out, grad });
    return out;
  }

  paramList(): ParamSpec[] {
    return [...this.params.values()];
  }

  /** Total number of trainable scalars. */
  parameterCount(): number {
    let n = 0;
    for (const p of this.params.values()) n += numel(p.value.shape);
    return n;
  }
}
