import { describe, expect, it } from 'vitest';
import { checkGradient, TOLERANCE } from '../../src/trainer/gradcheck';
import { GRAD_CASES } from '../../src/trainer/gradcheckCases';
import { DIFFERENTIABLE_OPS, Graph, backward, ops as o } from '../../src/graph';

/**
 * Differentiable ops that no case exercises. A case covers the op its name starts with, up to the first
 * '-', with a spatial suffix dropped ('Conv3d-dilation2' covers Conv); names must match exactly, so
 * 'SoftmaxCrossEntropy' does not cover Softmax.
 */
function uncoveredOps(cases: readonly { name: string }[]): string[] {
  const covered = new Set(cases.map((c) => c.name.split('-')[0].replace(/[123]d$/, '')));
  return DIFFERENTIABLE_OPS.filter((op) => !covered.has(op));
}

describe('gradcheck: autodiff on onnxruntime-node vs float64 finite differences', () => {
  it('covers at least 30 ops and layers, including every differentiable primitive', () => {
    expect(GRAD_CASES.length).toBeGreaterThanOrEqual(30);
    expect(uncoveredOps(GRAD_CASES)).toEqual([]);
  });

  it('does not count a composite case as covering the primitive its name starts with', () => {
    const withoutSoftmax = GRAD_CASES.filter((c) => c.name !== 'Softmax');
    expect(withoutSoftmax.some((c) => c.name === 'SoftmaxCrossEntropy')).toBe(true);
    expect(uncoveredOps(withoutSoftmax)).toEqual(['Softmax']);
  });

  for (const c of GRAD_CASES) {
    it(c.name, async () => {
      const r = await checkGradient(c);
      expect(r.maxRelErr).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it('fails on a gradient that is off by 1% (the check can fail)', async () => {
    const conv = GRAD_CASES.find((c) => c.name === 'Conv3d-3x3x3-same');
    if (!conv) throw new Error('case missing');
    const r = await checkGradient(conv, 1, 48, 1.01);
    expect(r.pass).toBe(false);
    expect(r.maxRelErr).toBeGreaterThan(TOLERANCE);
  });

  it('refuses ops without a gradient rule, naming the op', () => {
    const g = new Graph('t');
    const x = g.param('x', [2, 2], { kind: 'ones' });
    const y = o.reduceSum(g, g.op1('Abs', [x]), [0, 1], false);
    expect(() => backward(g, y, [x])).toThrow(/no gradient rule for op 'Abs'/);
  });

  it('cuts a gradient only where stopGradient says so: ReduceMax and a float Cast without it are errors', () => {
    const build = (wrap: (g: Graph, v: ReturnType<Graph['param']>) => ReturnType<Graph['param']>) => {
      const g = new Graph('t');
      const x = g.param('x', [2, 3], { kind: 'ones' });
      const y = o.reduceSum(g, o.sub(g, x, wrap(g, o.reduceMax(g, x, [1]))), [0, 1], false);
      return () => backward(g, y, [x]);
    };
    expect(build((_g, v) => v)).toThrow(/no gradient rule for op 'ReduceMax'/);
    expect(build((g, v) => o.cast(g, v, 'float32'))).toThrow(/no gradient rule for op '(Cast|ReduceMax)'/);
    expect(build((g, v) => g.stopGradient(v))).not.toThrow();
    // An integer cast carries no gradient by its type: x * float(int(x)) differentiates as x * constant.
    const g = new Graph('t');
    const x = g.param('x', [2, 3], { kind: 'ones' });
    const y = o.reduceSum(g, o.mul(g, x, o.cast(g, o.cast(g, x, 'int64'), 'float32')), [0, 1], false);
    expect(() => backward(g, y, [x])).not.toThrow();
  });
});
