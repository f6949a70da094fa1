/**
 * Optimizers over Float32Array parameters, learning-rate schedules, gradient clipping and the pull
 * toward base weights used when adapting a trained model. Pure: the trainer, `npm run adapt` and the
 * app's worker share this one implementation.
 */

export type Tensors = Map<string, Float32Array>;

export interface Optimizer {
  readonly kind: 'sgd' | 'adamw';
  step(params: Tensors, grads: Tensors, lr: number): void;
  /** Internal state (momentum buffers, moments, step count) for checkpoints. */
  state(): Tensors;
  load(state: Tensors): void;
}

/** SGD with Nesterov momentum (nnU-Net / FINE use mu = 0.99), PyTorch's formulation. */
export function sgdNesterov(momentum = 0.99, weightDecay = 3e-5): Optimizer {
  const buf: Tensors = new Map();
  return {
    kind: 'sgd',
    step(params, grads, lr) {
      for (const [name, p] of params) {
        const gr = grads.get(name);
        if (!gr) continue;
        let b = buf.get(name);
        if (!b) buf.set(name, (b = new Float32Array(p.length)));
        for (let i = 0; i < p.length; i++) {
          const d = gr[i] + weightDecay * p[i];
          b[i] = momentum * b[i] + d;
          p[i] -= lr * (d + momentum * b[i]);
        }
      }
    },
    state: () => new Map([...buf].map(([k, v]) => [`momentum.${k}`, v])),
    load(state) {
      for (const [k, v] of state) if (k.startsWith('momentum.')) buf.set(k.slice(9), Float32Array.from(v));
    },
  };
}

/** AdamW (Loshchilov & Hutter 2019): decoupled weight decay. */
export function adamw(beta1 = 0.9, beta2 = 0.999, weightDecay = 0.01, eps = 1e-8): Optimizer {
  const m: Tensors = new Map(), v: Tensors = new Map();
  let t = 0;
  return {
    kind: 'adamw',
    step(params, grads, lr) {
      t++;
      const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
      for (const [name, p] of params) {
        const gr = grads.get(name);
        if (!gr) continue;
        let mm = m.get(name), vv = v.get(name);
        if (!mm || !vv) {
          m.set(name, (mm = new Float32Array(p.length)));
          v.set(name, (vv = new Float32Array(p.length)));
        }
        for (let i = 0; i < p.length; i++) {
          mm[i] = beta1 * mm[i] + (1 - beta1) * gr[i];
          vv[i] = beta2 * vv[i] + (1 - beta2) * gr[i] * gr[i];
          p[i] -= lr * ((mm[i] / c1) / (Math.sqrt(vv[i] / c2) + eps) + weightDecay * p[i]);
        }
      }
    },
    state: () => new Map([...[...m].map(([k, x]) => [`m.${k}`, x] as const), ...[...v].map(([k, x]) => [`v.${k}`, x] as const), ['t', Float32Array.of(t)]]),
    load(state) {
      for (const [k, x] of state) {
        if (k === 't') t = x[0];
        else if (k.startsWith('m.')) m.set(k.slice(2), Float32Array.from(x));
        else if (k.startsWith('v.')) v.set(k.slice(2), Float32Array.from(x));
      }
    },
  };
}

/** Poly decay (nnU-Net, FINE): lr = base * (1 - step / total)^exponent. */
export function polyLr(base: number, step: number, total: number, exponent = 0.9): number {
  return base * Math.max(0, 1 - step / total) ** exponent;
}

/** Scales gradients in place so their global L2 norm is at most maxNorm; returns the norm before. */
export function clipGradNorm(grads: Tensors, maxNorm: number): number {
  let sq = 0;
  for (const gr of grads.values()) for (let i = 0; i < gr.length; i++) sq += gr[i] * gr[i];
  const norm = Math.sqrt(sq);
  if (Number.isFinite(norm) && norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (const gr of grads.values()) for (let i = 0; i < gr.length; i++) gr[i] *= s;
  }
  return norm;
}

/**
 * L2-SP (Li et al., ICML 2018): adds `anchor * (w - w_base)` to each gradient in place, so adaptation
 * pulls the weights back toward the base model's where the new data does not push them away.
 */
export function pullTowardBase(grads: Tensors, params: Tensors, base: Tensors, anchor: number): void {
  if (anchor === 0) return;
  for (const [name, gr] of grads) {
    const p = params.get(name), b = base.get(name);
    if (!p || !b) continue;
    for (let i = 0; i < gr.length; i++) gr[i] += anchor * (p[i] - b[i]);
  }
}
