/**
 * Training crops: pick a case, a centre (class-balanced foreground oversampling, else anywhere in the
 * volume, so crops reach past the borders as inference's padding does), one spatial resampling
 * (rotation, zoom, left-right mirror with lateral labels swapped, a cut-off field of view with the anchor
 * such a scan gets), a thin-slab truncation and simulated thick slices now and then,
 * intensity augmentation in HU (contrast phase, noise, blur, low resolution), normalisation exactly as
 * inference, then brightness, contrast and gamma. Targets: one-hot at full resolution and average-pooled
 * at each deep-supervision scale. Feeds are named by the card (`tileFeeds`) and the model's targets.
 *
 * Every crop is a pure function of (cases, spec, step seed): a worker thread can prepare it ahead.
 */
import type { ModelCard } from '../infer/contract/modelCard';
import type { Vec3 } from '../infer/io/niftiHeader';
import { AIR_HU, normaliseCT } from '../infer/preprocess/normalise';
import type { HostTensor } from '../infer/runtime/backend';
import { tileFeeds } from '../infer/runtime/tileRunner';
import { volumeTokenIndices } from '../infer/runtime/volumeTokens';
import { CLASS_ANNOTATED, CLASS_MERGED, TARGET, deepTargetName } from '../model/feedNames';
import { cropSeed, rng } from '../util/random';
import { oneHot, poolOneHot } from '../infer/adapt/targets';
import {
  addLabelOffsets, addNoise, brightness, contrast, contrastOffsets, gammaTransform, gaussianBlur, lowResolution,
} from './augment/intensity';
import { type SpatialParams, spatialCrop, swapLabels } from './augment/spatial';
import { anchorInFov, fovAround, thickSlices } from './augment/acquisition';
import type { AugmentConfig } from './config';
import type { TrainCase } from './data';

export { cropSeed, oneHot, poolOneHot };

export interface SamplerSpec {
  card: ModelCard;
  /** Deep-supervision target shapes [B, C, z, y, x]. */
  deepShapes: number[][];
  foregroundFraction: number;
  augment: AugmentConfig;
  /** Feed each crop's class masks for the partial-label loss (some case annotates only some labels). */
  partialLabels?: boolean;
}

export interface Crop {
  feeds: Record<string, HostTensor>;
  /** Volume-token indices gathered (for the warm-up mask). */
  vtIndex?: BigInt64Array;
  /** Milliseconds spent preparing this crop. */
  ms: number;
}

const DEG = Math.PI / 180;

const uniform = (rnd: () => number, lo: number, hi: number): number => lo + (hi - lo) * rnd();

/** Crop centre in voxel coordinates of the case's grid. */
export function cropCentre(c: TrainCase, patch: Vec3, rnd: () => number, foreground: boolean): Vec3 {
  const present = c.classVoxels.map((v, id) => (v.length ? id : -1)).filter((id) => id > 0);
  if (foreground && present.length) {
    const list = c.classVoxels[present[Math.floor(rnd() * present.length)]];
    const v = list[Math.floor(rnd() * list.length)];
    const [nx, ny] = c.dims;
    const p = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
    return p.map((q, a) => q + Math.round((rnd() - 0.5) * patch[a] * 0.5)) as Vec3;
  }
  return c.dims.map((n) => Math.floor(rnd() * n)) as Vec3;
}

function spatialParams(a: AugmentConfig, rnd: () => number): SpatialParams {
  const rot = rnd() < a.pRotate;
  return {
    angles: rot ? [uniform(rnd, -a.rotateXY, a.rotateXY) * DEG, uniform(rnd, -a.rotateXY, a.rotateXY) * DEG, uniform(rnd, -a.rotateZ, a.rotateZ) * DEG] : [0, 0, 0],
    scale: rnd() < a.pScale ? uniform(rnd, a.scaleMin, a.scaleMax) : 1,
    mirror: rnd() < a.pMirror,
  };
}

/** Air and background outside a random slab of slabMin..slabMax slices that contains the crop's centre. */
function truncateToSlab(image: Float32Array, labels: Uint8Array, patch: Vec3, a: AugmentConfig, rnd: () => number): void {
  const n = Math.min(patch[2], a.slabMin + Math.floor(rnd() * (a.slabMax - a.slabMin + 1)));
  const mid = Math.floor(patch[2] / 2);
  const z0 = Math.max(0, Math.min(patch[2] - n, mid - Math.floor(rnd() * n)));
  const plane = patch[0] * patch[1];
  for (let z = 0; z < patch[2]; z++) {
    if (z >= z0 && z < z0 + n) continue;
    image.fill(AIR_HU, z * plane, (z + 1) * plane);
    labels.fill(0, z * plane, (z + 1) * plane);
  }
}

export function sampleCrop(cases: readonly TrainCase[], spec: SamplerSpec, seed: number): Crop {
  const t0 = performance.now();
  const rnd = rng(seed);
  const { card, augment: a } = spec;
  const patch = card.patchSize;
  const classes = card.labels.length;
  const c = cases[Math.floor(rnd() * cases.length)];
  const centre = cropCentre(c, patch, rnd, rnd() < spec.foregroundFraction);
  const sp = spatialParams(a, rnd);
  let anchor = c.anchorVoxel;
  if (rnd() < a.pFov) {
    sp.fov = fovAround(centre, uniform(rnd, a.fovMinMm, a.fovMaxMm), card.spacing, rnd);
    anchor = anchorInFov(c.footprint, c.dims, sp.fov, anchor);
  }
  const { image, labels } = spatialCrop(c.hu, c.labels, c.dims, centre, patch, sp, AIR_HU);
  if (sp.mirror) swapLabels(labels, Uint8Array.from(card.labels, (l) => l.mirror ?? l.id));
  if (rnd() < a.pSlab) truncateToSlab(image, labels, patch, a, rnd);
  if (rnd() < a.pThick) thickSlices(image, patch, uniform(rnd, a.thickMinMm, a.thickMaxMm) / card.spacing[2], rnd() * patch[2]);
  if (rnd() < a.pContrast) addLabelOffsets(image, labels, contrastOffsets(card.labels.map((l) => l.name), c.medianHu, rnd));
  if (rnd() < a.pNoise) addNoise(image, uniform(rnd, 0, a.noiseHu), rnd);
  if (rnd() < a.pBlur) gaussianBlur(image, patch, [0, 1, 2].map(() => uniform(rnd, 0.5, a.blurMax)) as Vec3);
  if (rnd() < a.pLowRes) lowResolution(image, patch, uniform(rnd, a.lowResMin, 1));
  const x = normaliseCT(image, card.normalisation);
  if (rnd() < a.pBrightness) brightness(x, uniform(rnd, 0.75, 1.25));
  if (rnd() < a.pContrastScale) contrast(x, uniform(rnd, 0.75, 1.25));
  if (rnd() < a.pGamma) gammaTransform(x, uniform(rnd, 0.7, 1.5));
  // The crop's position for the volume tokens: its nominal origin; a mirrored crop shows the mirrored
  // patient, whose crop sits mirrored about the body anchor.
  const cx = sp.mirror ? 2 * anchor[0] - centre[0] : centre[0];
  const origin = [cx, centre[1], centre[2]].map((q, ax) => Math.round(q - (patch[ax] - 1) / 2)) as Vec3;
  const vtIndex = card.volumeTokens ? volumeTokenIndices(card.volumeTokens, origin, patch, card.spacing, anchor) : undefined;
  const feeds = tileFeeds(card, x, vtIndex);
  const oh = oneHot(labels, classes);
  const [px, py, pz] = patch;
  feeds[TARGET] = { data: oh, dims: [1, classes, pz, py, px] };
  spec.deepShapes.forEach((s, i) => {
    feeds[deepTargetName(i)] = { data: poolOneHot(oh, classes, patch, [s[2], s[3], s[4]]), dims: s };
  });
  if (spec.partialLabels) {
    feeds[CLASS_ANNOTATED] = { data: Float32Array.from(c.annotated, (a, id) => (id > 0 && a ? 1 : 0)), dims: [classes] };
    feeds[CLASS_MERGED] = { data: Float32Array.from(c.annotated, (a, id) => (id === 0 || !a ? 1 : 0)), dims: [classes] };
  }
  return { feeds, vtIndex, ms: performance.now() - t0 };
}
