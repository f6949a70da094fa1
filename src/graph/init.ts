/** Seeded parameter initialisation: the same seed gives the same weights on every machine. */
import type { Init } from './types';

/** mulberry32: a small, fast 32-bit PRNG with a good distribution for initialisation and sampling. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box-Muller. */
export function normal(next: () => number): number {
  const u = 1 - next(), v = next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Seed of a named parameter: FNV-1a of its name mixed with the run seed, so weights do not depend on creation order. */
export function paramSeed(name: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function initialise(init: Init, n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const r = rng(seed);
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'data':
      return Float32Array.from(init.data);
    case 'normal':
      for (let i = 0; i < n; i++) out[i] = normal(r) * init.std;
      return out;
    case 'truncnormal':
      for (let i = 0; i < n; i++) {
        let v = normal(r);
        while (Math.abs(v) > 2) v = normal(r);
        out[i] = v * init.std;
      }
      return out;
    case 'uniform':
      for (let i = 0; i < n; i++) out[i] = (2 * r() - 1) * init.bound;
      return out;
  }
}
