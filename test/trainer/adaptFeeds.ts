/**
 * Deterministic feeds for a model's adaptation graph (its card's `adaptation.inputs`) and its base
 * weights as parameter feeds: the same on both sides of a Node / browser comparison.
 */
import { readWeights } from '../../src/graph';
import type { AdaptationExport } from '../../src/infer/contract/modelCard';
import type { HostTensor } from '../../src/infer/runtime/backend';

export function adaptProbeFeeds(inputs: AdaptationExport['inputs'], seed = 7): Record<string, HostTensor> {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const seen = inputs.find((i) => i.name === 'vt_seen')?.shape[0] ?? 1;
  const out: Record<string, HostTensor> = {};
  for (const x of inputs) {
    const n = x.shape.reduce((a, b) => a * b, 1);
    if (x.dtype === 'int64') out[x.name] = { data: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 5 + 3) % seen)), dims: x.shape };
    else if (x.name === 'vt_seen') out[x.name] = { data: new Float32Array(n).fill(1), dims: x.shape };
    else if (x.name.startsWith('target')) {
      // One-hot over the class axis (B, C, z, y, x).
      const c = x.shape[1], vox = n / c, data = new Float32Array(n);
      for (let v = 0; v < vox; v++) data[Math.floor(rnd() * c) * vox + v] = 1;
      out[x.name] = { data, dims: x.shape };
    } else out[x.name] = { data: Float32Array.from({ length: n }, () => rnd() * 4 - 2), dims: x.shape };
  }
  return out;
}

/** The model's weights as feeds for the training graph's parameter inputs. */
export function weightFeeds(onnx: Uint8Array, names: readonly string[], shapes: readonly (readonly number[])[]): Record<string, HostTensor> {
  const w = readWeights(onnx);
  return Object.fromEntries(names.map((name, i) => {
    const data = w.get(name);
    if (!data) throw new Error(`no weight '${name}' in the model`);
    return [name, { data, dims: shapes[i] }];
  }));
}
