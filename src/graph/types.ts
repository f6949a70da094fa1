/** Element types the graph builder knows, with their ONNX TensorProto.DataType codes. */
export type DType = 'float32' | 'int64' | 'int32' | 'bool' | 'uint8';

export const ONNX_DTYPE: Readonly<Record<DType, number>> = Object.freeze({
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
});

/** A tensor in the graph: a name with a static shape and element type. */
export interface Value {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Attribute values. Numbers are INT unless the attribute name is a known FLOAT one (see FLOAT_ATTRS). */
export type AttrValue = number | number[] | string;
export type Attrs = Record<string, AttrValue>;

/** ONNX attributes of type FLOAT among those this builder writes. */
export const FLOAT_ATTRS: ReadonlySet<string> = new Set(['alpha', 'beta', 'epsilon', 'value_float']);

export interface Node {
  readonly op: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attrs: Readonly<Attrs>;
  readonly name: string;
}

export type HostArray = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** How a parameter is initialised (seeded, see init.ts). */
export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  | { kind: 'truncnormal'; std: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'data'; data: Float32Array };

export interface ParamSpec {
  readonly value: Value;
  readonly init: Init;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
