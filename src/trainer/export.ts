/**
 * Export: the inference graph (and the attention graph, for networks that have attention outputs) with
 * the learned weights as initializers and FINE's warm-up mask as a constant, the training graph for
 * adaptation (adaptGraph.ts), plus the model card beside them.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { serializeGraph } from '../graph';
import { type ModelConfig, attentionGeometry, buildModel } from '../model';
import type { ModelCard } from '../infer/contract/modelCard';
import type { Tensors } from './optim';
import { writeOnnx } from './onnxFile';
import { writeAdaptation } from './adaptGraph';

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
  // The training graph, for learning from a user's corrections (the weights stay in <name>.onnx).
  card.adaptation = writeAdaptation(dir, name, cfg);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(card, null, 2)}\n`);
  return card;
}
