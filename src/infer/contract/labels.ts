/**
 * Label tables. CASE_LABELS is the 9-organ set of ../shared/data (TotalSegmentator v2 ids remapped,
 * see its README) and the default for training. `mirror` names the lateral partner a left-right flip
 * exchanges.
 */
import type { LabelInfo } from './modelCard';

/** The 9 organs of ../shared/data (TotalSegmentator-like colours). */
export const CASE_LABELS: LabelInfo[] = [
  { id: 0, name: 'background', color: [0, 0, 0] },
  { id: 1, name: 'liver', color: [221, 130, 101] },
  { id: 2, name: 'spleen', color: [157, 108, 162] },
  { id: 3, name: 'kidney_right', color: [185, 102, 83], mirror: 4 },
  { id: 4, name: 'kidney_left', color: [214, 230, 130], mirror: 3 },
  { id: 5, name: 'stomach', color: [216, 101, 79] },
  { id: 6, name: 'pancreas', color: [249, 180, 111] },
  { id: 7, name: 'gallbladder', color: [111, 184, 210] },
  { id: 8, name: 'aorta', color: [224, 97, 76] },
  { id: 9, name: 'inferior_vena_cava', color: [0, 151, 206] },
];

/** Label values stored as floats (a float-typed or scaled label map) round to an id when this close to it. */
const LABEL_TOLERANCE = 1e-3;

/**
 * A label map's voxels as label ids 0..255: the one rule wherever a label volume becomes bytes. A value
 * within 1e-3 of an integer in 0..255 rounds to it; anything else means the file is an image, not a
 * label map, and throws (through `fail`, so a command can raise its own error type).
 */
export function labelIds(data: ArrayLike<number>, name: string, fail: (message: string) => Error = (m) => new Error(m)): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < out.length; i++) {
    const x = data[i];
    const id = Math.round(x);
    if (!(Math.abs(x - id) <= LABEL_TOLERANCE) || id < 0 || id > 255) {
      throw fail(`${name}: voxel ${i} is ${x}, expected integer label ids 0..255; load a label map, not an image`);
    }
    out[i] = id;
  }
  return out;
}
