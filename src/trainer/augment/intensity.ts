/**
 * Intensity augmentation of one crop (x-fastest, dims `patch`): in Hounsfield units first (contrast
 * phase, noise, blur, low resolution), then on the normalised scale (brightness, contrast, gamma), as
 * nnU-Net's "moreDA" does after its spatial step.
 */
import type { Vec3 } from '../../infer/io/niftiHeader';
import { resampleLinear } from '../../infer/preprocess/resample';
import { normal } from '../../util/random';

/**
 * Enhanced HU ranges per organ name, non-contrast to arterial/portal-venous peak: a phase t in [0, 1]
 * puts each organ's median at lo + t (hi - lo), with a little per-organ jitter.
 * Non-contrast: liver ~50, spleen ~45, kidneys ~30, aorta ~40. Portal-venous: liver and spleen
 * 100-150, kidneys 150-250, aorta 150-250; arterial aorta up to ~450.
 */
export const ENHANCEMENT_HU: Readonly<Record<string, [number, number]>> = {
  liver: [40, 160],
  spleen: [35, 170],
  kidney_right: [20, 260],
  kidney_left: [20, 260],
  pancreas: [30, 150],
  aorta: [30, 450],
  inferior_vena_cava: [30, 220],
};

/**
 * Per-label HU offsets that move each enhancing organ's median (in `medians`, NaN where the case has
 * none) to a common random phase. Labels without an entry in ENHANCEMENT_HU get 0.
 */
export function contrastOffsets(labelNames: readonly string[], medians: ArrayLike<number>, rnd: () => number): Float32Array {
  const t = rnd();
  const out = new Float32Array(labelNames.length);
  labelNames.forEach((name, id) => {
    const range = ENHANCEMENT_HU[name];
    const m = medians[id];
    if (!range || !Number.isFinite(m)) return;
    const tt = Math.min(1, Math.max(0, t + 0.1 * normal(rnd)));
    out[id] = range[0] + tt * (range[1] - range[0]) - m;
  });
  return out;
}

export function addLabelOffsets(hu: Float32Array, labels: Uint8Array, offsets: Float32Array): void {
  for (let i = 0; i < hu.length; i++) hu[i] += offsets[labels[i]];
}

export function addNoise(x: Float32Array, sigma: number, rnd: () => number): void {
  for (let i = 0; i < x.length; i++) x[i] += sigma * normal(rnd);
}

function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(2.5 * sigma));
  const k = Float32Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
}

/** Separable Gaussian blur in place (sigma in voxels per axis), edges clamped. */
export function gaussianBlur(x: Float32Array, dims: Vec3, sigma: Vec3): void {
  const tmp = new Float32Array(x.length);
  const strides = [1, dims[0], dims[0] * dims[1]];
  for (let a = 0; a < 3; a++) {
    if (!(sigma[a] > 0)) continue;
    const k = gaussianKernel(sigma[a]);
    const r = (k.length - 1) / 2, n = dims[a], st = strides[a];
    for (let i = 0; i < x.length; i++) {
      const pos = Math.floor(i / st) % n;
      let acc = 0;
      for (let t = -r; t <= r; t++) {
        const p = Math.min(n - 1, Math.max(0, pos + t));
        acc += k[t + r] * x[i + (p - pos) * st];
      }
      tmp[i] = acc;
    }
    x.set(tmp);
  }
}

/** Simulated low resolution: down to `zoom` of the size (nearest), back up (trilinear), in place. */
export function lowResolution(x: Float32Array, dims: Vec3, zoom: number): void {
  const small = dims.map((n) => Math.max(1, Math.round(n * zoom))) as Vec3;
  const down = new Float32Array(small[0] * small[1] * small[2]);
  let o = 0;
  for (let z = 0; z < small[2]; z++) for (let y = 0; y < small[1]; y++) for (let xx = 0; xx < small[0]; xx++) {
    const sx = Math.min(dims[0] - 1, Math.floor(((xx + 0.5) * dims[0]) / small[0]));
    const sy = Math.min(dims[1] - 1, Math.floor(((y + 0.5) * dims[1]) / small[1]));
    const sz = Math.min(dims[2] - 1, Math.floor(((z + 0.5) * dims[2]) / small[2]));
    down[o++] = x[sx + dims[0] * (sy + dims[1] * sz)];
  }
  resampleLinear(down, small, dims, undefined, x);
}

/** Multiplies by `factor` (brightness). */
export function brightness(x: Float32Array, factor: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= factor;
}

/** Scales deviations from the mean by `factor`, then clamps to the original range (nnU-Net contrast). */
export function contrast(x: Float32Array, factor: number): void {
  let mean = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    mean += x[i];
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  mean /= x.length;
  for (let i = 0; i < x.length; i++) x[i] = Math.min(hi, Math.max(lo, (x[i] - mean) * factor + mean));
}

/** Gamma on the crop's range: rescale to [0, 1], raise to `gamma`, rescale back. */
export function gammaTransform(x: Float32Array, gamma: number): void {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  const range = hi - lo;
  if (!(range > 0)) return;
  for (let i = 0; i < x.length; i++) x[i] = lo + range * ((x[i] - lo) / range) ** gamma;
}
