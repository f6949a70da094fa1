/**
 * Writes a Graph as an ONNX ModelProto (IR 8, opset 18) with onnx-proto, and reads weights back out of
 * an ONNX file (resume, fine-tuning, tests). Parameters are either graph inputs (training: fed each
 * step) or initializers holding given values (export). Large initializers can go to external data.
 */
import onnxProto from 'onnx-proto';
import type { Graph } from './graph';
import { FLOAT_ATTRS, type Attrs, type HostArray, ONNX_DTYPE, type Value } from './types';

const { onnx } = onnxProto;

export const OPSET = 18;
export const IR_VERSION = 8;

export interface SerializeOptions {
  /** 'inputs' feeds parameters at run time; 'initializers' stores `paramValues` in the file. */
  paramsAs: 'inputs' | 'initializers';
  paramValues?: ReadonlyMap<string, Float32Array>;
  /** Store initializers of at least `threshold` bytes in a side file named `fileName`. */
  externalData?: { fileName: string; threshold: number };
  /** Extra metadata_props (the model card's sha256 cannot live here; it is of the file itself). */
  metadata?: Record<string, string>;
  producer?: string;
}

export interface SerializedModel {
  model: Uint8Array;
  external?: Uint8Array;
}

function valueInfo(v: Value): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: { tensorType: { elemType: ONNX_DTYPE[v.dtype], shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
  };
}

function attribute(name: string, v: Attrs[string]): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return FLOAT_ATTRS.has(name) ? { name, type: T.FLOATS, floats: v } : { name, type: T.INTS, ints: v };
  return FLOAT_ATTRS.has(name) ? { name, type: T.FLOAT, f: v } : { name, type: T.INT, i: v };
}

function bytesOf(a: HostArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function serializeGraph(g: Graph, opts: SerializeOptions): SerializedModel {
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const chunks: Uint8Array[] = [];
  let extOffset = 0;
  const addInit = (v: Value, data: HostArray): void => {
    const raw = bytesOf(data);
    const t: onnxProto.onnx.ITensorProto = { name: v.name, dims: [...v.shape], dataType: ONNX_DTYPE[v.dtype] };
    if (opts.externalData && raw.byteLength >= opts.externalData.threshold) {
      const aligned = Math.ceil(extOffset / 64) * 64;
      if (aligned > extOffset) chunks.push(new Uint8Array(aligned - extOffset));
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = [
        { key: 'location', value: opts.externalData.fileName },
        { key: 'offset', value: String(aligned) },
        { key: 'length', value: String(raw.byteLength) },
      ];
      chunks.push(raw.slice());
      extOffset = aligned + raw.byteLength;
    } else {
      t.rawData = raw.slice();
    }
    initializers.push(t);
  };
  const inputs = [...g.inputs];
  for (const p of g.params.values()) {
    if (opts.paramsAs === 'inputs') {
      inputs.push(p.value);
      continue;
    }
    const data = opts.paramValues?.get(p.value.name);
    if (!data) throw new Error(`serialize: no value given for parameter '${p.value.name}'`);
    if (data.length !== p.value.shape.reduce((a, b) => a * b, 1)) throw new Error(`serialize: parameter '${p.value.name}' has ${data.length} values, shape [${p.value.shape}]`);
    addInit(p.value, data);
  }
  const usedNames = new Set<string>();
  for (const n of g.nodes) for (const v of n.inputs) usedNames.add(v.name);
  for (const c of g.constants.values()) if (usedNames.has(c.value.name)) addInit(c.value, c.data);
  const graph: onnxProto.onnx.IGraphProto = {
    name: g.name,
    node: g.nodes.map((n) => ({
      name: n.name,
      opType: n.op,
      input: n.inputs.map((v) => v.name),
      output: n.outputs.map((v) => v.name),
      attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
    })),
    input: inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    initializer: initializers,
  };
  const model = onnx.ModelProto.encode({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: opts.producer ?? 'fine-workbench',
    graph,
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  }).finish();
  if (!chunks.length) return { model };
  const external = new Uint8Array(extOffset);
  let at = 0;
  for (const c of chunks) {
    external.set(c, at);
    at += c.byteLength;
  }
  return { model, external };
}

/** Float32 initializers of an ONNX file, by name. `external` is the side file when weights live there. */
export function readWeights(model: Uint8Array, external?: Uint8Array): Map<string, Float32Array> {
  const m = onnx.ModelProto.decode(model);
  const out = new Map<string, Float32Array>();
  for (const t of m.graph?.initializer ?? []) {
    if (t.dataType !== ONNX_DTYPE.float32 || !t.name) continue;
    const n = (t.dims ?? []).reduce<number>((a, b) => a * (typeof b === 'number' ? b : Number(String(b))), 1);
    let data: Float32Array;
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      if (!external) throw new Error(`readWeights: '${t.name}' is stored in external data, but no external file was given`);
      const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
      const off = Number(kv.get('offset') ?? 0), len = Number(kv.get('length') ?? n * 4);
      data = new Float32Array(new Uint8Array(external.subarray(off, off + len)).buffer);
    } else if (t.rawData && t.rawData.length) {
      data = new Float32Array(new Uint8Array(t.rawData).buffer);
    } else {
      data = Float32Array.from(t.floatData ?? []);
    }
    if (data.length !== n) throw new Error(`readWeights: '${t.name}' holds ${data.length} values, its dims say ${n}`);
    out.set(t.name, data);
  }
  return out;
}

/** metadata_props of an ONNX file. */
export function readMetadata(model: Uint8Array): Record<string, string> {
  const m = onnx.ModelProto.decode(model);
  return Object.fromEntries((m.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}
