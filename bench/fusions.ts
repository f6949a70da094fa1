/**
 * Which fusions onnxruntime applies to an exported model on the CPU provider: the op types of the graph
 * as onnxruntime optimised it (`optimizedModelFilePath`) beside the exported graph's.
 * Usage: tsx bench/fusions.ts [model.onnx] (default models/fine-small.onnx); prints one JSON line.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { createSession } from '../src/infer/runtime/backend';

export function opCounts(model: Uint8Array): Record<string, number> {
  const m = onnxProto.onnx.ModelProto.decode(model);
  const counts: Record<string, number> = {};
  for (const n of m.graph?.node ?? []) counts[n.opType as string] = (counts[n.opType as string] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

export async function fusions(file: string): Promise<{ exported: Record<string, number>; optimised: Record<string, number> }> {
  const bytes = new Uint8Array(readFileSync(file));
  const out = join(mkdtempSync(join(tmpdir(), 'fine-fusions-')), 'optimised.onnx');
  const s = await createSession(bytes, { provider: 'cpu', threads: 1, optimizedModelPath: out });
  await s.release();
  return { exported: opCounts(bytes), optimised: opCounts(new Uint8Array(readFileSync(out))) };
}

if (process.argv[1]?.endsWith('fusions.ts')) {
  console.log(JSON.stringify(await fusions(process.argv[2] ?? 'models/fine-small.onnx')));
}
