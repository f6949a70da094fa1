/**
 * The ablation's two tasks as training and test cases: (a) the synthetic context task written as an
 * nnU-Net raw dataset (dataset.json, imagesTr, labelsTr, splits_final.json with one fold: train / test),
 * (b) real CT from ../shared/data: train on caseA, test on caseB (silver-standard labels).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeNiftiHeader, writeNifti, writeNiftiInt16 } from '../../infer/io/nifti';
import { makeContextCase } from '../../infer/synthetic/contextTask';
import { type TrainingData, trainingData } from '../dataset';

export type TaskName = 'context' | 'ct';

/** ../shared/data/ct of the checkout, where the real cases live (absent on a fresh machine without the data). */
export const SHARED_CT = resolve(process.cwd(), '../shared/data/ct');

/** Writes the context task's cases (seeds 1000 + i) into `dir` once; returns its training data (fold 0). */
export function contextTask(dir: string, trainCases: number, testCases: number): TrainingData {
  const ids = Array.from({ length: trainCases + testCases }, (_, i) => `ctx${String(i).padStart(3, '0')}`);
  if (!existsSync(join(dir, 'splits_final.json'))) {
    mkdirSync(join(dir, 'imagesTr'), { recursive: true });
    mkdirSync(join(dir, 'labelsTr'), { recursive: true });
    ids.forEach((id, i) => {
      const c = makeContextCase(1000 + i);
      const like = { dims: c.dims, header: makeNiftiHeader(c.dims, c.spacing) };
      writeFileSync(join(dir, 'imagesTr', `${id}_0000.nii.gz`), writeNiftiInt16(c.image, like, { gzip: true }));
      writeFileSync(join(dir, 'labelsTr', `${id}.nii.gz`), writeNifti(c.labels, like, { gzip: true }));
    });
    const dataset = { channel_names: { 0: 'CT' }, labels: { background: 0, blob_right: 1, blob_left: 2 }, numTraining: ids.length, file_ending: '.nii.gz', name: 'context task (synthetic)' };
    writeFileSync(join(dir, 'dataset.json'), JSON.stringify(dataset, null, 2));
    writeFileSync(join(dir, 'splits_final.json'), JSON.stringify([{ train: ids.slice(0, trainCases), val: ids.slice(trainCases) }], null, 2));
  }
  return trainingData({ data: [dir], fold: 0 });
}

/** caseA for training, caseB for testing; undefined when ../shared/data is absent. */
export function ctTask(): TrainingData | undefined {
  const a = join(SHARED_CT, 'caseA_ct.nii.gz'), b = join(SHARED_CT, 'caseB_ct.nii.gz');
  if (!existsSync(a) || !existsSync(b)) return undefined;
  return trainingData({ data: [a], val: [b] });
}
