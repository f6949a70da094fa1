/**
 * A corrected scan brought to the model's grid for adaptation, and the split of one scan into the
 * slices the model learns from and the slices held out to measure whether it helped.
 */
import type { ModelCard } from '../contract/modelCard';
import type { NiftiVolume } from '../io/nifti';
import { preprocess } from '../preprocess/preprocess';
import { sha256Hex } from '../contract/cardCheck';
import type { AdaptScan } from './crops';

const CHANGED = 128;

/**
 * Preprocesses the CT as inference does and carries the corrected labels and the voxels the correction
 * changed to the same grid (nearest neighbour, in one pass: the change is the label's top bit).
 */
export function adaptScan(volume: NiftiVolume, corrected: Uint8Array, model: Uint8Array, card: ModelCard): AdaptScan {
  if (corrected.length !== volume.data.length || model.length !== volume.data.length) {
    throw new Error(`adaptation: the labels have ${corrected.length} and ${model.length} voxels, the CT ${volume.data.length}; they must share its grid`);
  }
  if (!card.labels.every((l, i) => l.id === i)) throw new Error(`${card.name}: adaptation needs label ids 0..${card.labels.length - 1} in order`);
  if (card.labels.length > CHANGED) throw new Error(`adaptation: ${card.labels.length} labels; at most ${CHANGED} are supported`);
  const both = new Uint8Array(corrected.length);
  for (let i = 0; i < both.length; i++) {
    if (corrected[i] >= card.labels.length) throw new Error(`adaptation: label ${corrected[i]} at voxel ${i} is not one of the model's ${card.labels.length} labels`);
    both[i] = corrected[i] | (corrected[i] !== model[i] ? CHANGED : 0);
  }
  const pre = preprocess(volume, card, { labels: both });
  const labels = pre.labels!;
  const changed: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] & CHANGED) {
      changed.push(i);
      labels[i] &= CHANGED - 1;
    }
  }
  return { image: pre.image, dims: pre.dims, labels, changed: Uint32Array.from(changed), anchorVoxel: pre.props.anchorVoxel, zRange: [0, pre.dims[2]] };
}

/** The slices of a scan on either side of `z`: [0, z) to learn from, [z, nz) held out. */
export interface HeldOutSplit {
  train: AdaptScan;
  /** First held-out slice (model grid). */
  z: number;
}

/**
 * Splits a single corrected scan at the median slice of its changed voxels, so both parts hold
 * corrections; the model learns from the slices below and is measured on those above.
 */
export function splitForHoldOut(s: AdaptScan): HeldOutSplit {
  if (!s.changed.length) throw new Error('Nothing was corrected: the corrected labels equal the model\'s own; correct them where the model is wrong');
  const plane = s.dims[0] * s.dims[1];
  const zs = Array.from(s.changed, (v) => Math.floor(v / plane)).sort((a, b) => a - b);
  let z = zs[Math.floor(zs.length / 2)];
  // Most changes on the lowest corrected slice: hold out from the next corrected slice up.
  if (z === zs[0]) z = zs.find((q) => q > zs[0]) ?? z;
  if (z === zs[0]) throw new Error('The corrections are all on one slice; correct the model on a few slices apart (or on a second scan) so one part can be held out to measure the result');
  const changed = s.changed.filter((v) => Math.floor(v / plane) < z);
  return { train: { ...s, changed, zRange: [0, z] }, z };
}

/** Content hashes of a scan and its corrected labels, for the adapted model's card (never the voxels or the name). */
export async function scanHashes(volume: NiftiVolume, corrected: Uint8Array): Promise<{ volumeSha256: string; labelsSha256: string }> {
  const v = volume.data;
  return { volumeSha256: await sha256Hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)), labelsSha256: await sha256Hex(corrected) };
}
