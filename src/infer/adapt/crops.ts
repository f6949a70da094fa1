/**
 * Adaptation crops: patches of a corrected scan on the model's grid, drawn where the user changed the
 * labels (half of them, when there are changes), on the organs, or anywhere, with light intensity
 * augmentation. Each crop is a pure function of (scans, spec, seed, step), so the app's worker and
 * `npm run adapt` draw the same crops, and a resumed run draws those an uninterrupted run would have.
 */
import type { AdaptationExport, ModelCard } from '../contract/modelCard';
import type { Vec3 } from '../io/niftiHeader';
import { AIR_HU, normaliseCT } from '../preprocess/normalise';
import type { HostTensor } from '../runtime/backend';
import { tileFeeds } from '../runtime/tileRunner';
import { volumeTokenIndices } from '../runtime/volumeTokens';
import { cropSeed, normal, rng } from '../../util/random';
import { oneHot, poolOneHot } from './targets';

/** A corrected scan on the model's grid (preprocessed exactly as for inference). */
export interface AdaptScan {
  /** Normalised voxels, x fastest. */
  image: Float32Array;
  dims: Vec3;
  /** The corrected labels on the same grid. */
  labels: Uint8Array;
  /** Voxel indices where the correction differs from the model's own labels. */
  changed: Uint32Array;
  /** Body anchor of the volume-token grid. */
  anchorVoxel: Vec3;
  /** Slices [first, end) the crops may show; outside them a crop sees air and background. */
  zRange: [number, number];
}

export interface AdaptCropSpec {
  card: ModelCard;
  inputs: AdaptationExport['inputs'];
  /** The model's volume-token warm-up mask, fed as the graph's 1-D float input (ones when absent). */
  seen?: Float32Array;
  /** Share of crops centred on a changed voxel (when the scan has changes). */
  pChanged: number;
  /** Share of the other crops centred on an organ voxel. */
  pForeground: number;
}

export const CROP_DEFAULTS = { pChanged: 0.5, pForeground: 0.6 } as const;

type Role = { kind: 'image' } | { kind: 'vt' } | { kind: 'seen' } | { kind: 'target'; zyx: [number, number, number] };

/** What each data input of the training graph is, from the card: its image and token names, targets [1, C, z, y, x], the 1-D mask. */
export function inputRoles(card: ModelCard, inputs: AdaptationExport['inputs']): Map<string, Role> {
  const classes = card.labels.length;
  return new Map(inputs.map((x): [string, Role] => {
    if (x.name === card.io.image) return [x.name, { kind: 'image' }];
    if (x.name === card.io.volumeTokenIndex) return [x.name, { kind: 'vt' }];
    if (x.dtype === 'float32' && x.shape.length === 5 && x.shape[0] === 1 && x.shape[1] === classes) return [x.name, { kind: 'target', zyx: [x.shape[2], x.shape[3], x.shape[4]] }];
    if (x.dtype === 'float32' && x.shape.length === 1) return [x.name, { kind: 'seen' }];
    throw new Error(`${card.name}: the training graph's input '${x.name}' (${x.dtype} [${x.shape.join(', ')}]) is none the adaptation knows how to feed`);
  }));
}

/** Voxel index of a crop centre: a changed voxel, an organ voxel, or anywhere in the allowed slices. */
function centreOf(s: AdaptScan, organs: Uint32Array, rnd: () => number, spec: AdaptCropSpec): Vec3 {
  const [nx, ny] = s.dims;
  const pick = (list: Uint32Array): Vec3 => {
    const v = list[Math.floor(rnd() * list.length)];
    return [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
  };
  if (s.changed.length && rnd() < spec.pChanged) return pick(s.changed);
  if (organs.length && rnd() < spec.pForeground) return pick(organs);
  const [z0, z1] = s.zRange;
  return [Math.floor(rnd() * nx), Math.floor(rnd() * ny), z0 + Math.floor(rnd() * (z1 - z0))];
}

/** Voxels labelled as an organ inside the scan's allowed slices. */
export function organVoxels(s: AdaptScan): Uint32Array {
  const plane = s.dims[0] * s.dims[1];
  const out: number[] = [];
  for (let i = s.zRange[0] * plane; i < s.zRange[1] * plane; i++) if (s.labels[i]) out.push(i);
  return Uint32Array.from(out);
}

/** Copies the box at `origin` (voxels outside the volume or the allowed slices get air and background). */
function cropPadded(s: AdaptScan, origin: Vec3, patch: Vec3, air: number): { image: Float32Array; labels: Uint8Array } {
  const [nx, ny, nz] = s.dims;
  const [px, py, pz] = patch;
  const image = new Float32Array(px * py * pz).fill(air), labels = new Uint8Array(px * py * pz);
  const [z0, z1] = [Math.max(0, s.zRange[0]), Math.min(nz, s.zRange[1])];
  for (let z = 0; z < pz; z++) {
    const sz = origin[2] + z;
    if (sz < z0 || sz >= z1) continue;
    for (let y = 0; y < py; y++) {
      const sy = origin[1] + y;
      if (sy < 0 || sy >= ny) continue;
      const x0 = Math.max(0, -origin[0]), x1 = Math.min(px, nx - origin[0]);
      if (x1 <= x0) continue;
      const src = (sz * ny + sy) * nx + origin[0], dst = (z * py + y) * px;
      image.set(s.image.subarray(src + x0, src + x1), dst + x0);
      labels.set(s.labels.subarray(src + x0, src + x1), dst + x0);
    }
  }
  return { image, labels };
}

/** Light intensity augmentation on normalised voxels: contrast x0.9..1.1, shift +-0.1, noise sd up to 0.05. */
function augment(image: Float32Array, rnd: () => number): void {
  const scale = 0.9 + 0.2 * rnd(), shift = -0.1 + 0.2 * rnd();
  const sd = rnd() < 0.5 ? 0.05 * rnd() : 0;
  for (let i = 0; i < image.length; i++) image[i] = image[i] * scale + shift + (sd ? sd * normal(rnd) : 0);
}

/** The feeds of adaptation step `step`: one crop from one of the scans, its targets and token indices. */
export function adaptCrop(scans: readonly AdaptScan[], organs: readonly Uint32Array[], spec: AdaptCropSpec, seed: number, step: number): Record<string, HostTensor> {
  const rnd = rng(cropSeed(seed, step));
  const { card } = spec;
  const patch = card.patchSize;
  const k = Math.floor(rnd() * scans.length);
  const s = scans[k];
  const centre = centreOf(s, organs[k], rnd, spec);
  // A small random offset so the changed voxel is not always at the crop's centre.
  const origin = centre.map((c, a) => c - Math.floor(patch[a] / 2) + Math.round((rnd() - 0.5) * patch[a] * 0.5)) as Vec3;
  const air = normaliseCT([AIR_HU], card.normalisation)[0];
  const { image, labels } = cropPadded(s, origin, patch, air);
  augment(image, rnd);
  const vt = card.volumeTokens ? volumeTokenIndices(card.volumeTokens, origin, patch, card.spacing, s.anchorVoxel) : undefined;
  const feeds = tileFeeds(card, image, vt);
  const classes = card.labels.length;
  const oh = oneHot(labels, classes);
  for (const [name, role] of inputRoles(card, spec.inputs)) {
    if (role.kind === 'seen') {
      const n = spec.inputs.find((x) => x.name === name)!.shape[0];
      if (spec.seen && spec.seen.length !== n) throw new Error(`${card.name}: the model's warm-up mask has ${spec.seen.length} values, the training graph's '${name}' takes ${n}`);
      feeds[name] = { data: spec.seen ?? new Float32Array(n).fill(1), dims: [n] };
    } else if (role.kind === 'target') {
      const [z, y, x] = role.zyx;
      const full = z === patch[2] && y === patch[1] && x === patch[0];
      feeds[name] = { data: full ? oh : poolOneHot(oh, classes, patch, role.zyx), dims: [1, classes, z, y, x] };
    }
  }
  return feeds;
}
