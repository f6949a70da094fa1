/**
 * Export: the inference graph (and the attention graph) with the learned weights as initializers and
 * the warm-up mask of volume tokens as a constant, plus the model card beside them.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { serializeGraph } from '../graph';
import { type FineConfig, buildFine, stageWindow, tokenGrid } from '../model';
import type { AttentionExport, ModelCard, OnnxFileRef } from '../infer/contract/modelCard';
import type { Tensors } from './optim';

function writeOnnx(path: string, bytes: Uint8Array): OnnxFileRef {
  writeFileSync(path, bytes);
  return { file: basename(path), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** Writes `<out>.onnx`, `<out>.attn.onnx` and `<out>.json`; returns the card. */
export function exportModel(out: string, cfg: FineConfig, params: Tensors, seen: Float32Array | undefined, draft: ModelCard): ModelCard {
  const dir = dirname(out), name = basename(out);
  const infer = buildFine(cfg, 'infer', seen).graph;
  const onnx = writeOnnx(join(dir, `${name}.onnx`), serializeGraph(infer, { paramsAs: 'initializers', paramValues: params, metadata: { model: name, variant: cfg.variant } }).model);
  const attnGraph = buildFine(cfg, 'attention', seen).graph;
  const attnRef = writeOnnx(join(dir, `${name}.attn.onnx`), serializeGraph(attnGraph, { paramsAs: 'initializers', paramValues: params }).model);
  const outs = new Set(attnGraph.outputs.map((v) => v.name));
  const attention: AttentionExport = {
    ...attnRef,
    outputs: {
      window: 'attn_window',
      ...(outs.has('attn_global') ? { global: 'attn_global' } : {}),
      ...(outs.has('attn_volume') ? { volume: 'attn_volume' } : {}),
    },
    tokenGrid: tokenGrid(cfg, 0),
    window: stageWindow(cfg, 0),
    windowTokens: cfg.variant === 'nnformer' ? 0 : cfg.windowTokens,
  };
  const card: ModelCard = { ...draft, name, onnx, attention };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(card, null, 2)}\n`);
  return card;
}
