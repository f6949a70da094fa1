/**
 * Training configuration: one typed record with a default per preset, every field commented. Overrides
 * (`--train-config '{...}'`) are checked: unknown keys and wrong types are rejected with a message.
 * The network's own configuration is `FineConfig` in src/model.
 */

export interface AugmentConfig {
  /** Probability of a rotation; angles uniform in ±rotateXY (about x and y) and ±rotateZ (cranio-caudal), degrees. */
  pRotate: number;
  rotateXY: number;
  rotateZ: number;
  /** Probability of an isotropic zoom, uniform in [scaleMin, scaleMax]. */
  pScale: number;
  scaleMin: number;
  scaleMax: number;
  /** Probability of a left-right mirror (lateral labels swapped through the card's mirror partners). */
  pMirror: number;
  /** Probability of simulating a contrast phase with per-organ HU offsets (ENHANCEMENT_HU). */
  pContrast: number;
  /** Probability of Gaussian noise, sigma uniform in [0, noiseHu] HU. */
  pNoise: number;
  noiseHu: number;
  /** Probability of Gaussian blur, sigma uniform in [0.5, blurMax] voxels per axis. */
  pBlur: number;
  blurMax: number;
  /** Probability of simulated low resolution, zoom uniform in [lowResMin, 1]. */
  pLowRes: number;
  lowResMin: number;
  /** Probability each of brightness (x U[0.75, 1.25]) and contrast (U[0.75, 1.25]) on the normalised crop. */
  pBrightness: number;
  pContrastScale: number;
  /** Probability of a gamma transform, gamma uniform in [0.7, 1.5]. */
  pGamma: number;
  /** Probability of truncating the crop to a slab of sliceMin..sliceMax slices along z (thin-slab inputs). */
  pSlab: number;
  slabMin: number;
  slabMax: number;
  /** Probability of simulated thick slices (box means along z, linearly resampled back), thickness uniform in [thickMinMm, thickMaxMm]. */
  pThick: number;
  thickMinMm: number;
  thickMaxMm: number;
  /** Probability of a cut-off in-plane field of view (a square of fovMinMm..fovMaxMm holding the crop centre); the volume-token anchor is the cut scan's. */
  pFov: number;
  fovMinMm: number;
  fovMaxMm: number;
}

export interface TrainConfig {
  /** Fraction of crops centred near a foreground voxel of a class drawn uniformly from those present (nnU-Net oversampling). */
  foregroundFraction: number;
  /** Gradient-norm clip (nnU-Net: 12). */
  gradClip: number;
  /** Smoothing of the printed loss (exponential moving average weight of the past). */
  lossEma: number;
  /** AdamW moments and decoupled weight decay. */
  adamBeta1: number;
  adamBeta2: number;
  weightDecay: number;
  /** Crops prepared ahead by the worker thread (0: prepare on the main thread). */
  prefetch: number;
  augment: AugmentConfig;
}

export const MOREDA: AugmentConfig = {
  pRotate: 0.3, rotateXY: 15, rotateZ: 30,
  pScale: 0.3, scaleMin: 0.7, scaleMax: 1.4,
  pMirror: 0.2,
  pContrast: 0.8,
  pNoise: 0.3, noiseHu: 50,
  pBlur: 0.2, blurMax: 1.2,
  pLowRes: 0.15, lowResMin: 0.5,
  pBrightness: 0.15, pContrastScale: 0.15, pGamma: 0.3,
  pSlab: 0.15, slabMin: 6, slabMax: 24,
  pThick: 0.2, thickMinMm: 5, thickMaxMm: 8,
  pFov: 0.2, fovMinMm: 160, fovMaxMm: 300,
};

/** No augmentation: the plain crop sampler (used to measure the recipe's cost). */
export const NO_AUGMENT: AugmentConfig = {
  ...MOREDA, pRotate: 0, pScale: 0, pMirror: 0, pContrast: 0, pNoise: 0, pBlur: 0, pLowRes: 0,
  pBrightness: 0, pContrastScale: 0, pGamma: 0, pSlab: 0, pThick: 0, pFov: 0,
};

const BASE: TrainConfig = {
  foregroundFraction: 0.5, gradClip: 12, lossEma: 0.95, adamBeta1: 0.9, adamBeta2: 0.999, weightDecay: 0.01, prefetch: 2,
  augment: MOREDA,
};

/** Slab lengths must fit the tiny preset's 16-slice patch too. */
const TRAIN_PRESETS: Readonly<Record<string, TrainConfig>> = Object.freeze({
  tiny: { ...BASE, augment: { ...MOREDA, slabMin: 4, slabMax: 12 } },
  small: BASE,
  paper: BASE,
});

function checkShape(value: unknown, like: unknown, path: string): void {
  if (typeof like === 'object' && like !== null) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`train config: ${path} must be an object`);
    for (const [k, v] of Object.entries(value)) {
      if (!(k in like)) throw new Error(`train config: unknown key '${path ? `${path}.` : ''}${k}'; valid keys: ${Object.keys(like).join(', ')}`);
      checkShape(v, (like as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    }
    return;
  }
  if (typeof value !== typeof like || (typeof value === 'number' && !Number.isFinite(value))) {
    throw new Error(`train config: ${path} must be a ${typeof like}, got ${JSON.stringify(value)}`);
  }
}

function checkRanges(c: TrainConfig): void {
  const a = c.augment;
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith('p') && !(v >= 0 && v <= 1)) throw new Error(`train config: augment.${k} is a probability, got ${v}`);
  }
  if (!(c.foregroundFraction >= 0 && c.foregroundFraction <= 1)) throw new Error(`train config: foregroundFraction must be in [0, 1], got ${c.foregroundFraction}`);
  if (!(a.scaleMin > 0 && a.scaleMin <= a.scaleMax)) throw new Error(`train config: need 0 < augment.scaleMin <= augment.scaleMax`);
  if (!(a.slabMin >= 1 && a.slabMin <= a.slabMax)) throw new Error(`train config: need 1 <= augment.slabMin <= augment.slabMax`);
  if (!(a.thickMinMm > 0 && a.thickMinMm <= a.thickMaxMm)) throw new Error(`train config: need 0 < augment.thickMinMm <= augment.thickMaxMm`);
  if (!(a.fovMinMm > 0 && a.fovMinMm <= a.fovMaxMm)) throw new Error(`train config: need 0 < augment.fovMinMm <= augment.fovMaxMm`);
  if (!(a.lowResMin > 0 && a.lowResMin <= 1)) throw new Error(`train config: augment.lowResMin must be in (0, 1]`);
  if (!Number.isInteger(c.prefetch) || c.prefetch < 0) throw new Error(`train config: prefetch must be an integer >= 0`);
}

export function makeTrainConfig(preset: string, overrides: Record<string, unknown> = {}): TrainConfig {
  const base = TRAIN_PRESETS[preset];
  if (!base) throw new Error(`unknown preset '${preset}'; choose one of: ${Object.keys(TRAIN_PRESETS).join(', ')}`);
  checkShape(overrides, base, '');
  const aug = (overrides.augment ?? {}) as Partial<AugmentConfig>;
  const cfg: TrainConfig = { ...base, ...(overrides as Partial<TrainConfig>), augment: { ...base.augment, ...aug } };
  checkRanges(cfg);
  return cfg;
}
