/**
 * The float32 weights (initializers) of an ONNX model, read straight from its protobuf bytes, and a
 * copy of the model with new values for them written in place. Pure (browser and Node): adaptation
 * feeds the base model's weights to the training graph and writes the adapted model this way, so the
 * adapted `.onnx` is the base file with only the weight bytes changed.
 *
 * Protobuf fields used (onnx.proto3): ModelProto.graph = 7; GraphProto.initializer = 5; TensorProto
 * dims = 1, data_type = 2, name = 8, raw_data = 9, data_location = 14 (1: external).
 */
const FLOAT = 1;

export interface InitializerSpan {
  name: string;
  dims: number[];
  /** Byte offset and length of its raw_data in the model. */
  offset: number;
  length: number;
}

export class OnnxWeightsError extends Error {
  override name = 'OnnxWeightsError';
}

function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0, mul = 1, i = at;
  for (;;) {
    if (i >= b.length) throw new OnnxWeightsError('the ONNX file ends inside a number (truncated?)');
    const x = b[i++];
    v += (x & 0x7f) * mul;
    if (x < 0x80) return [v, i];
    mul *= 128;
    if (mul > 2 ** 63) throw new OnnxWeightsError('the ONNX file holds a malformed number');
  }
}

/** Calls `field(number, wireType, start, end)` for each field of the message in b[from, to). */
function fields(b: Uint8Array, from: number, to: number, field: (num: number, wire: number, start: number, end: number) => void): void {
  let i = from;
  while (i < to) {
    const [key, a] = varint(b, i);
    const num = Math.floor(key / 8), wire = key % 8;
    let start = a, end: number;
    if (wire === 0) end = varint(b, a)[1];
    else if (wire === 1) end = a + 8;
    else if (wire === 5) end = a + 4;
    else if (wire === 2) {
      const [len, s] = varint(b, a);
      start = s;
      end = s + len;
    } else throw new OnnxWeightsError(`the ONNX file uses protobuf wire type ${wire}, which ONNX does not`);
    if (end > to) throw new OnnxWeightsError('the ONNX file is truncated');
    field(num, wire, start, end);
    i = end;
  }
}

/** Where each float32 initializer's raw bytes lie in `model`. Throws on a file that is not an ONNX model with inline weights. */
export function initializerSpans(model: Uint8Array): Map<string, InitializerSpan> {
  const out = new Map<string, InitializerSpan>();
  const graph = { start: -1, end: -1 };
  fields(model, 0, model.length, (num, wire, s, e) => {
    if (num === 7 && wire === 2) Object.assign(graph, { start: s, end: e });
  });
  if (graph.start < 0) throw new OnnxWeightsError('not an ONNX model (no graph)');
  const { start: gs, end: ge } = graph;
  const dec = new TextDecoder();
  fields(model, gs, ge, (num, wire, s, e) => {
    if (num !== 5 || wire !== 2) return;
    let name = '', type = 0, external = false, raw: [number, number] | null = null;
    const dims: number[] = [];
    fields(model, s, e, (n, w, a, z) => {
      if (n === 8 && w === 2) name = dec.decode(model.subarray(a, z));
      else if (n === 2 && w === 0) type = varint(model, a)[0];
      else if (n === 9 && w === 2) raw = [a, z];
      else if (n === 14 && w === 0) external = varint(model, a)[0] === 1;
      else if (n === 1 && w === 0) dims.push(varint(model, a)[0]);
      else if (n === 1 && w === 2) for (let i = a; i < z;) { const [v, next] = varint(model, i); dims.push(v); i = next; }
    });
    if (type !== FLOAT) return;
    if (external) throw new OnnxWeightsError(`weight '${name}' is stored in an external data file; adaptation needs a model with its weights inside`);
    if (!raw) throw new OnnxWeightsError(`weight '${name}' is not stored as raw bytes`);
    const [a, z] = raw as [number, number];
    const n = dims.reduce((p, d) => p * d, 1);
    if (z - a !== 4 * n) throw new OnnxWeightsError(`weight '${name}' holds ${(z - a) / 4} values, its dims say ${n}`);
    out.set(name, { name, dims, offset: a, length: z - a });
  });
  return out;
}

/** The float32 weights of `model`, by name (copies); `spans` when the caller has already walked the file. */
export function readInitializers(model: Uint8Array, spans: ReadonlyMap<string, InitializerSpan> = initializerSpans(model)): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const sp of spans.values()) out.set(sp.name, new Float32Array(model.slice(sp.offset, sp.offset + sp.length).buffer));
  return out;
}

/** A copy of `model` with the named weights replaced (each the same size as before); every other byte unchanged. */
export function withInitializers(model: Uint8Array, values: ReadonlyMap<string, Float32Array>): Uint8Array {
  const spans = initializerSpans(model);
  const out = model.slice();
  for (const [name, v] of values) {
    const sp = spans.get(name);
    if (!sp) throw new OnnxWeightsError(`the model has no weight '${name}'`);
    if (v.length * 4 !== sp.length) throw new OnnxWeightsError(`weight '${name}': ${v.length} values given, the model holds ${sp.length / 4}`);
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), sp.offset);
  }
  return out;
}

/** FINE's volume-token warm-up mask, stored in a model as the constant `vt_seen_const*`; undefined for other networks. */
export function seenMask(weights: ReadonlyMap<string, Float32Array>): Float32Array | undefined {
  return [...weights].find(([k]) => k.startsWith('vt_seen_const'))?.[1];
}
