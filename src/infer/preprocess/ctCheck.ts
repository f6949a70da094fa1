/**
 * Cheap plausibility checks that an input is a CT in Hounsfield units. They warn rather than
 * refuse: an unusual but valid CT (tightly cropped, no air) must still run.
 */

const TRAINED_ON_CT = 'the model was trained on CT in Hounsfield units; check that this file is one';
const LABEL_MAP_MAX_VALUES = 20;

export function ctWarnings(data: ArrayLike<number>): string[] {
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  const distinct = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (integers) {
      if (!Number.isInteger(v)) integers = false;
      else if (distinct.size <= LABEL_MAP_MAX_VALUES) distinct.add(v);
    }
  }
  const warnings: string[] = [];
  if (data.length === 0) return warnings;
  if (integers && distinct.size <= LABEL_MAP_MAX_VALUES) {
    warnings.push(
      `the image holds only ${distinct.size} distinct integer values (${min}..${max}), so it looks like a label map, not a CT; ${TRAINED_ON_CT}`,
    );
  } else if (min > -500) {
    const range = max - min < 20 ? ' and a narrow range, as in an intensity-normalised image,' : '';
    warnings.push(`the lowest value is ${min.toFixed(1)}${range} but air in CT is about -1000 HU; ${TRAINED_ON_CT}`);
  }
  return warnings;
}
