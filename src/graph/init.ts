/** Seeded parameter initialisation: the same seed gives the same weights on every machine. */
import { normal, rng } from '../util/random';
import type { Init } from './types';

export { normal, rng };

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
