/** The graphs the trainer and the exporter need, all from the one network definition in fine.ts. */
import { type ClassMask, Graph, crossEntropyDiceLoss, maskedCrossEntropyDiceLoss, ops as o, type Value } from '../graph';
import { type FineConfig, tokenGrid } from './config';
import { IO, fineInputs, fineNetwork } from './fine';

export type GraphMode = 'train' | 'infer' | 'attention';

import { CLASS_ANNOTATED, CLASS_MERGED, TARGET, deepTargetName } from './feedNames';

export { CLASS_ANNOTATED, CLASS_MERGED, TARGET, deepTargetName };

export interface BuildOptions {
  /** Train with the partial-label (marginal) loss: the graph takes CLASS_ANNOTATED and CLASS_MERGED. */
  partialLabels?: boolean;
}

/** Deep-supervision weights (nnU-Net): 1, 1/2, 1/4, ... over full resolution then coarser heads, normalised. */
export function deepWeights(n: number): number[] {
  const w = Array.from({ length: n }, (_, i) => 1 / 2 ** i);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/** CE + soft Dice, the nnU-Net / FINE loss; the marginal form when some classes are unannotated. */
function segLoss(g: Graph, logits: Value, onehot: Value, mask?: ClassMask): Value {
  return mask ? maskedCrossEntropyDiceLoss(g, logits, onehot, mask) : crossEntropyDiceLoss(g, logits, onehot);
}

/**
 * train: inputs + one-hot targets (full resolution and each deep-supervision scale), output `loss`.
 * infer: output `logits`. attention: `logits` plus the attention taps. `seen` freezes the warm-up mask.
 */
export function buildFine(cfg: FineConfig, mode: GraphMode, seen?: Float32Array, opts: BuildOptions = {}): { graph: Graph; loss?: Value } {
  const g = new Graph(`fine-${cfg.variant}-${mode}`);
  const inp = fineInputs(g, cfg, seen);
  const net = fineNetwork(g, cfg, inp, mode === 'attention');
  if (mode !== 'train') {
    g.output(net.logits, IO.logits);
    if (mode === 'attention') {
      if (net.taps.window) g.output(net.taps.window, 'attn_window');
      if (net.taps.global) g.output(net.taps.global, 'attn_global');
      if (net.taps.volume) g.output(net.taps.volume, 'attn_volume');
    }
    return { graph: g };
  }
  const heads = [net.logits, ...net.deep];
  const weights = deepWeights(heads.length);
  let loss: Value | undefined;
  const mask = opts.partialLabels
    ? { annotated: g.input(CLASS_ANNOTATED, [cfg.classes]), merged: g.input(CLASS_MERGED, [cfg.classes]) }
    : undefined;
  heads.forEach((logits, i) => {
    const t = g.input(i === 0 ? TARGET : deepTargetName(i - 1), logits.shape);
    const term = o.scale(g, segLoss(g, logits, t, mask), weights[i]);
    loss = loss ? o.add(g, loss, term) : term;
  });
  return { graph: g, loss };
}

/**
 * Shapes (B, C, z, y, x) of the deep-supervision targets, in input order: one per decoder stage
 * above the bottleneck, finest first, at that stage's token grid.
 */
export function deepTargetShapes(cfg: FineConfig): number[][] {
  if (!cfg.deepSupervision) return [];
  return cfg.depths.slice(0, -1).map((_, s) => {
    const [x, y, z] = tokenGrid(cfg, s);
    return [cfg.batch, cfg.classes, z, y, x];
  });
}
