/**
 * Cheap plausibility checks that an input is a CT in Hounsfield units, from its intensity histogram.
 * They warn rather than refuse: an unusual but valid CT (tightly cropped, no air) must still run.
 *
 * - a label map: only a few distinct integer values;
 * - no air: nothing below -500 HU (an MR, a PET or an intensity-normalised image); when the image
 *   looks like raw CT numbers (air near 0, soft tissue near +1024) the message says so;
 * - not HU: air is there, but almost none of the body (voxels above -500) lies in the soft-tissue
 *   band 0..100 HU, where 25-50 % of an abdominal CT's body voxels fall (e.g. CT in other units).
 */
import { BODY_HU } from './normalise';

const TRAINED_ON_CT = 'the model was trained on CT in Hounsfield units; check that this file is one';
const LABEL_MAP_MAX_VALUES = 20;
/** Body voxels are denser than this (lung and air are below). */
/** Soft tissue band, HU. */
const SOFT: [number, number] = [0, 100];
/** Below this share of body voxels in the soft-tissue band the intensities are probably not HU. */
export const MIN_SOFT_TISSUE_SHARE = 0.1;
/** Raw CT numbers (no -1024 rescale): soft tissue sits here. */
const RAW_SOFT: [number, number] = [SOFT[0] + 1024, SOFT[1] + 1024];

/**
 * How many distinct values the image holds when it looks like a label map (integers only, at most 20
 * distinct values), else null. Stops at the first voxel that rules a label map out, so a CT costs
 * almost nothing: the check runs when a volume opens, before any wait.
 */
export function labelMapValues(data: ArrayLike<number>): number | null {
  const distinct = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v)) return null;
    if (!distinct.has(v)) {
      distinct.add(v);
      if (distinct.size > LABEL_MAP_MAX_VALUES) return null;
    }
  }
  return data.length > 0 ? distinct.size : null;
}

const percent = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

export function ctWarnings(data: ArrayLike<number>): string[] {
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  let body = 0;
  let soft = 0;
  let rawSoft = 0;
  const distinct = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (v > BODY_HU) body++;
    if (v >= SOFT[0] && v <= SOFT[1]) soft++;
    else if (v >= RAW_SOFT[0] && v <= RAW_SOFT[1]) rawSoft++;
    if (integers) {
      if (!Number.isInteger(v)) integers = false;
      else if (distinct.size <= LABEL_MAP_MAX_VALUES) distinct.add(v);
    }
  }
  if (data.length === 0) return [];
  if (integers && distinct.size <= LABEL_MAP_MAX_VALUES) {
    return [
      `the image holds only ${distinct.size} distinct integer values (${min}..${max}), so it looks like a label map, not a CT; ${TRAINED_ON_CT}`,
    ];
  }
  if (min > BODY_HU) {
    if (min > -100 && rawSoft / data.length >= MIN_SOFT_TISSUE_SHARE) {
      return [
        `the lowest value is ${min.toFixed(1)} and much of the image lies near +1024, as in raw CT numbers stored without their -1024 rescale intercept; ${TRAINED_ON_CT}`,
      ];
    }
    const range = max - min < 20 ? ' and a narrow range, as in an intensity-normalised image,' : '';
    return [`the lowest value is ${min.toFixed(1)}${range} but air in CT is about -1000 HU; ${TRAINED_ON_CT}`];
  }
  const share = body > 0 ? soft / body : 0;
  if (share < MIN_SOFT_TISSUE_SHARE) {
    return [
      `only ${percent(share)} of the voxels above ${BODY_HU} lie in the soft-tissue range ${SOFT[0]}..${SOFT[1]} HU (about 25-50% in an abdominal CT), so the values do not look like Hounsfield units; ${TRAINED_ON_CT}`,
    ];
  }
  return [];
}
