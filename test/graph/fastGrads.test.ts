/**
 * Gradient checks of the special-cased backward recipes that the gradcheck table's cases do not reach:
 * pointwise (1x1x1) conv with batch 1, im2col weight gradient with batch > 1 and stride, the shared
 * cross-entropy + Dice softmax, and a linear layer on rank-5 tokens (flattened Gemm gradients).
 */
import { describe, expect, it } from 'vitest';
import { Graph, crossEntropyDiceLoss, gelu, layerNorm, linear, ops as o, type Value } from '../../src/graph';
import { checkGradient, onehot, randParam, TOLERANCE, type GradCase } from '../../src/trainer/gradcheck';

const CASES: GradCase[] = [
  { name: 'Conv3d-pointwise', build: (g, r) => o.conv(g, randParam(g, r, 'x', [1, 3, 2, 3, 4]), randParam(g, r, 'w', [5, 3, 1, 1, 1]), randParam(g, r, 'b', [5])) },
  { name: 'Conv3d-batch2-stride2', build: (g, r) => o.conv(g, randParam(g, r, 'x', [2, 2, 5, 6, 5]), randParam(g, r, 'w', [3, 2, 3, 3, 3]), undefined, { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1] }) },
  { name: 'CrossEntropyDice', build: (g, r) => o.reshape(g, crossEntropyDiceLoss(g, randParam(g, r, 'logits', [1, 4, 3, 2, 3]), onehot(g, r, [1, 4, 3, 2, 3])), [1]) },
  { name: 'LayerNorm-GELU-rank5', build: (g, r) => gelu(g, layerNorm(g, randParam(g, r, 'x', [1, 2, 3, 2, 5]), 'ln')) },
  {
    // A composite whose inner value is also read outside: backward falls back to the node rules.
    name: 'Composite-inner-value-read',
    build: (g, r) => {
      const x = randParam(g, r, 'x', [2, 3]);
      let inner: Value | undefined;
      const y = g.composite(() => {
        inner = o.exp(g, x);
        return { out: o.mul(g, inner, x), inputs: [x], grad: (dy) => [o.scale(g, dy, 1e3)] };
      });
      return o.add(g, y, o.mul(g, inner as Value, inner as Value));
    },
  },
  { name: 'Linear-rank5', build: (g, r) => linear(g, randParam(g, r, 'x', [1, 2, 3, 2, 4]), 'lin', 4, 5) },
];

describe('gradcheck of the fast backward recipes', () => {
  it('a composite must declare every outside value it reads', () => {
    const g = new Graph('t');
    const a = g.input('a', [2]), b = g.input('b', [2]);
    expect(() => g.composite(() => ({ out: o.add(g, a, b), inputs: [a], grad: (dy) => [dy] }))).toThrow(/reads 'b'/);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const res = await checkGradient(c);
      expect(res.maxRelErr).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});
