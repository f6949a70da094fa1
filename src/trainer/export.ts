/**
 * Export: the inference graph (and the attention graph, for networks that have attention outputs) with
 * the learned weights as initializers and FINE's warm-up mask as a constant, plus the model card beside them.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { serializeGraph } from '../graph';
import { type ModelConfig, attentionGeometry, buildModel } from '../model';
import type { ModelCard, OnnxFileRef } from '../infer/contract/modelCard';
import type { Tensors } from './optim';

function writeOnnx(path: string, bytes: Uint8Array): OnnxFileRef {
  writeFileSync(path, bytes);
  return { file: basename(path), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** Writes `<out>.onnx`, `<out>.attn.onnx` (when the network has attention) and `<out>.json`; returns the card. */
export function exportModel(out: string, cfg: ModelConfig, params: Tensors, seen: Float32Array | undefined, draft: ModelCard): ModelCard {
  const dir = dirname(out), name = basename(out);
  const infer = buildModel(cfg, 'infer', seen).graph;
  const onnx = writeOnnx(join(dir, `${name}.onnx`), serializeGraph(infer, { paramsAs: 'initializers', paramValues: params, metadata: { model: name, variant: cfg.variant } }).model);
  const attnGraph = buildModel(cfg, 'attention', seen).graph;
  const geometry = attentionGeometry(cfg, new Set(attnGraph.outputs.map((v) => v.name)));
  const card: ModelCard = { ...draft, name, onnx };
  delete card.attention;
  if (geometry) {
    const ref = writeOnnx(join(dir, `${name}.attn.onnx`), serializeGraph(attnGraph, { paramsAs: 'initializers', paramValues: params }).model);
    card.attention = { ...ref, ...geometry };
  }
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(card, null, 2)}\n`);
  return card;
}
