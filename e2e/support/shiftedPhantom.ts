/**
 * A phantom acquired "another way": the organs' contrast shifted (another phase), which the phantom
 * model fine-tiny was never shown. Adaptation tests teach it one such scan and score another.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeNiftiHeader, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import type { Vec3 } from '../../src/infer/io/niftiHeader';
import { makePhantom } from '../../src/infer/synthetic/phantom';

/** HU added per label: liver darker, spleen, kidneys and stomach brighter. */
export const CONTRAST_SHIFT: Record<number, number> = { 1: -60, 2: 80, 3: 120, 4: 120, 5: 60 };
export const SHIFT_DIMS: Vec3 = [64, 56, 28];

export interface ShiftedScan {
  ct: string;
  labelsFile: string;
  labels: Uint8Array;
}

export function shiftedPhantom(dir: string, name: string, seed: number): ShiftedScan {
  const { image, labels } = makePhantom({ dims: SHIFT_DIMS, spacing: [3, 3, 3], seed });
  for (let i = 0; i < image.length; i++) image[i] += CONTRAST_SHIFT[labels[i]] ?? 0;
  mkdirSync(dir, { recursive: true });
  const header = makeNiftiHeader(SHIFT_DIMS, [3, 3, 3]);
  const ct = join(dir, `${name}.nii.gz`), labelsFile = join(dir, `${name}_labels.nii.gz`);
  writeFileSync(ct, writeNiftiFloat(image, { dims: SHIFT_DIMS, header }, { gzip: true }));
  writeFileSync(labelsFile, writeNifti(labels, { dims: SHIFT_DIMS, header }, { gzip: true }));
  return { ct, labelsFile, labels };
}

/** Mean Dice over the organs of the reference (labels 1..9). */
export function meanDice(pred: Uint8Array, ref: Uint8Array): number {
  const scores: number[] = [];
  for (let id = 1; id <= 9; id++) {
    let a = 0, b = 0, both = 0;
    for (let i = 0; i < ref.length; i++) {
      const p = pred[i] === id, r = ref[i] === id;
      if (p) a++;
      if (r) b++;
      if (p && r) both++;
    }
    if (b > 0) scores.push((2 * both) / (a + b));
  }
  return scores.reduce((x, y) => x + y, 0) / scores.length;
}
