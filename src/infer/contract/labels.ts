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
