/** The partial-label loss: identical to CE + Dice when every class is annotated; free to predict an unannotated organ on a voxel labelled background. */
import { describe, expect, it } from 'vitest';
import { Graph, crossEntropyDiceLoss, maskedCrossEntropyDiceLoss } from '../../src/graph';
import { evaluate } from '../../src/graph/reference';

const C = 3, V = 4;
/** Logits [1, C, 1, 1, V] and a one-hot target from labels per voxel. */
function lossOf(logits: number[][], labels: number[], annotated?: number[], merged?: number[]): { plain: number; masked: number } {
  const g = new Graph('t');
  const lg = g.constant(Float32Array.from(logits.flat()), [1, C, 1, 1, V], 'logits');
  const oh = new Float32Array(C * V);
  labels.forEach((l, v) => { oh[l * V + v] = 1; });
  const t = g.constant(oh, [1, C, 1, 1, V], 'target');
  const plain = crossEntropyDiceLoss(g, lg, t);
  const masked = maskedCrossEntropyDiceLoss(g, lg, t, {
    annotated: g.constant(Float32Array.from(annotated ?? [0, 1, 1]), [C], 'a'),
    merged: g.constant(Float32Array.from(merged ?? [1, 0, 0]), [C], 'm'),
  });
  const [p, m] = evaluate(g, new Map(), [plain, masked]);
  return { plain: p.data[0], masked: m.data[0] };
}

describe('maskedCrossEntropyDiceLoss', () => {
  // Voxel 3 is labelled background but the network says class 2 there.
  const logits = [[3, 0, 1, -4], [0, 2, 0, -4], [0, 0, 1, 6]];
  const labels = [0, 1, 2, 0];

  it('equals the plain loss when every class is annotated', () => {
    const { plain, masked } = lossOf(logits, labels);
    expect(masked).toBeCloseTo(plain, 6);
  });

  it('does not penalise an unannotated class predicted on background, and scores only annotated classes', () => {
    const full = lossOf(logits, [0, 1, 0, 0]);
    const partial = lossOf(logits, [0, 1, 0, 0], [0, 1, 0], [1, 0, 1]);
    expect(partial.masked).toBeLessThan(full.masked - 0.5);
    // Now the background voxel is said to be class 1 territory: merging class 2 no longer rescues it.
    const wrong = lossOf([[3, 0, 1, -4], [0, 2, 0, 6], [0, 0, 1, -4]], [0, 1, 0, 0], [0, 1, 0], [1, 0, 1]);
    expect(wrong.masked).toBeGreaterThan(partial.masked + 0.5);
  });
});
