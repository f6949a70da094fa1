/**
 * `npm run evaluate -- --pred seg.nii.gz --ref ref.nii.gz [--labels 1,2,3 | dataset.json]`: per-label
 * Dice and HD95 (mm) of a predicted label map against a reference on the same grid, and their means over
 * the labels present in the reference.
 *
 * Folder mode, as nnU-Net's evaluation: `--pred <folder> --ref <folder> [--out summary.json]` scores every
 * prediction against the reference of the same case name (`<case>.nii.gz` in both) and writes a summary
 * like nnU-Net's summary.json ("metric_per_case", "mean" per label, "foreground_mean"). As there, a label
 * absent from both prediction and reference of a case is left out of that case (null), not counted as 1.
 * Exit code 2 with one line on bad input.
 */
import { pathToFileURL } from 'node:url';
import { evaluateFiles } from '../eval/evaluateFiles';

export { EvaluateInputError, evaluateFiles, formatScores, type CaseLabelMetrics, type FolderSummary } from '../eval/evaluateFiles';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    console.log(evaluateFiles(process.argv.slice(2)));
  } catch (e) {
    console.error(`evaluate: ${(e as Error).message}`);
    process.exit(2);
  }
}
