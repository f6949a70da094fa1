/**
 * Two ONNX graphs compared on the same deterministic input: the check that a graph rebuilt by the
 * current code computes what a trained model computes (reexport, export-train).
 */
import { createSession, type HostTensor } from '../infer/runtime/backend';

export { seenMask } from '../infer/io/onnxWeights';

/** Deterministic feeds for the graph's inputs: values in [-2, 2) for images, token indices 0, 1, 2, ... */
export function testFeeds(inputs: readonly { name: string; shape: readonly number[]; dtype: string }[]): Record<string, HostTensor> {
  let s = 12345;
  const next = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 4 - 2;
  return Object.fromEntries(inputs.map((x) => {
    const n = x.shape.reduce((a, b) => a * b, 1);
    const data = x.dtype === 'int64' ? BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) : Float32Array.from({ length: n }, next);
    return [x.name, { data, dims: [...x.shape] }];
  }));
}

export async function logits(model: Uint8Array, feeds: Record<string, HostTensor>, output: string): Promise<Float32Array> {
  const s = await createSession(model, { provider: 'cpu', threads: 2 });
  try {
    return (await s.run(feeds, [output]))[output].data;
  } finally {
    await s.release();
  }
}


/** The largest |a - b| over two graphs' logits, and the range (max - min) of `a`, the reference. */
export function logitsDifference(a: Float32Array, b: Float32Array): { maxAbsDiff: number; range: number } {
  let maxAbsDiff = a.length === b.length ? 0 : Infinity, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - b[i]));
    lo = Math.min(lo, a[i]);
    hi = Math.max(hi, a[i]);
  }
  return { maxAbsDiff, range: hi - lo };
}

