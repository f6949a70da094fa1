/**
 * Seeded randomness shared by every layer (parameter initialisation, crops, phantoms): a leaf module
 * with no imports, so graph and infer can both use it without depending on each other.
 */

/** mulberry32: a small, fast 32-bit PRNG returning [0, 1), with a good distribution for sampling. */
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

/** The seed of step `step`'s crop: crops do not depend on what was sampled before (resume, prefetch). */
export function cropSeed(seed: number, step: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) + Math.imul(step, 0x85ebca6b)) >>> 0;
}
