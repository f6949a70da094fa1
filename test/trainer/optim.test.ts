import { describe, expect, it } from 'vitest';
import { adamw, clipGradNorm, polyLr, sgdNesterov } from '../../src/trainer/optim';
import { initialise, paramSeed } from '../../src/graph';

describe('optimizers', () => {
  it('SGD with Nesterov momentum follows PyTorch: b = mu b + g; p -= lr (g + mu b)', () => {
    const p = new Map([['w', Float32Array.from([1])]]);
    const opt = sgdNesterov(0.9, 0);
    opt.step(p, new Map([['w', Float32Array.from([0.5])]]), 0.1); // b = 0.5, p = 1 - 0.1 * (0.5 + 0.45)
    expect(p.get('w')?.[0]).toBeCloseTo(0.905, 6);
    opt.step(p, new Map([['w', Float32Array.from([0.5])]]), 0.1); // b = 0.95, p -= 0.1 * (0.5 + 0.855)
    expect(p.get('w')?.[0]).toBeCloseTo(0.905 - 0.1355, 6);
  });

  it('AdamW: the first step moves each weight by lr in the gradient sign, decay decoupled', () => {
    const p = new Map([['w', Float32Array.from([1, -2])]]);
    adamw(0.9, 0.999, 0.1).step(p, new Map([['w', Float32Array.from([3, -0.01])]]), 0.01);
    expect(p.get('w')?.[0]).toBeCloseTo(1 - 0.01 * (1 + 0.1 * 1), 5);
    expect(p.get('w')?.[1]).toBeCloseTo(-2 + 0.01 * (1 + 0.1 * 2), 4);
  });

  it('optimizer state round-trips for checkpoints', () => {
    const a = adamw();
    const p = new Map([['w', Float32Array.from([1, 2])]]);
    a.step(p, new Map([['w', Float32Array.from([1, 1])]]), 0.1);
    const b = adamw();
    b.load(a.state());
    const p1 = new Map([['w', Float32Array.from(p.get('w') as Float32Array)]]);
    a.step(p, new Map([['w', Float32Array.from([0.3, -1])]]), 0.1);
    b.step(p1, new Map([['w', Float32Array.from([0.3, -1])]]), 0.1);
    expect(p1.get('w')).toEqual(p.get('w'));
  });

  it('poly decay and gradient clipping', () => {
    expect(polyLr(0.01, 0, 100)).toBe(0.01);
    expect(polyLr(0.01, 50, 100)).toBeCloseTo(0.01 * 0.5 ** 0.9, 10);
    expect(polyLr(0.01, 100, 100)).toBe(0);
    const g = new Map([['a', Float32Array.from([3, 0])], ['b', Float32Array.from([4])]]);
    expect(clipGradNorm(g, 1)).toBeCloseTo(5, 6);
    expect(Math.hypot(...(g.get('a') as Float32Array), ...(g.get('b') as Float32Array))).toBeCloseTo(1, 5);
  });

  it('seeded initialisation is reproducible and independent of creation order', () => {
    const a = initialise({ kind: 'truncnormal', std: 0.02 }, 100, paramSeed('enc0.block0.wmsa.q.weight', 1));
    const b = initialise({ kind: 'truncnormal', std: 0.02 }, 100, paramSeed('enc0.block0.wmsa.q.weight', 1));
    const c = initialise({ kind: 'truncnormal', std: 0.02 }, 100, paramSeed('enc0.block0.wmsa.k.weight', 1));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(0.04);
  });
});

describe('the pull toward the base weights (L2-SP)', () => {
  it('adds anchor * (w - w_base) to each gradient, and nothing with anchor 0', async () => {
    const { pullTowardBase } = await import('../../src/infer/adapt/optim');
    const params = new Map([['w', Float32Array.of(1, 2, 3)]]);
    const base = new Map([['w', Float32Array.of(1, 0, 5)]]);
    const grads = new Map([['w', Float32Array.of(0.5, 0.5, 0.5)]]);
    pullTowardBase(grads, params, base, 0);
    expect(Array.from(grads.get('w')!)).toEqual([0.5, 0.5, 0.5]);
    pullTowardBase(grads, params, base, 0.25);
    expect(Array.from(grads.get('w')!)).toEqual([0.5, 1, 0]);
  });

  it('with no data gradient, AdamW steps move the weights back toward the base', async () => {
    const { adamw: make, pullTowardBase } = await import('../../src/infer/adapt/optim');
    const opt = make(0.9, 0.999, 0);
    const base = new Map([['w', Float32Array.of(0, 0)]]);
    const params = new Map([['w', Float32Array.of(1, -1)]]);
    for (let k = 0; k < 200; k++) {
      const grads = new Map([['w', new Float32Array(2)]]);
      pullTowardBase(grads, params, base, 1);
      opt.step(params, grads, 0.01);
    }
    for (const v of params.get('w')!) expect(Math.abs(v)).toBeLessThan(0.2);
  });
});
