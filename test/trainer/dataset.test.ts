/**
 * The nnU-Net raw layout for the trainer: dataset.json (v2 and v1) to the label table (names, colours,
 * mirror partners), imagesTr/labelsTr to cases, splits_final.json folds, one-line errors for broken
 * datasets, the shipped BCV split, and a short `npm run train -- --fold 0` run on a synthetic dataset.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeNiftiHeader, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import type { Vec3 } from '../../src/infer/io/niftiHeader';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { CASE_LABELS } from '../../src/infer/contract/labels';
import { DEFAULT_PALETTE, MIN_NEIGHBOUR_DISTANCE, colourDistance, labelsFromDataset } from '../../src/infer/contract/datasetLabels';
import { readDataset, readSplits, trainingData } from '../../src/trainer/dataset';

/** BCV's 13 organs (the Synapse challenge's label ids 1..13). */
const BCV = ['spleen', 'right kidney', 'left kidney', 'gallbladder', 'esophagus', 'liver', 'stomach', 'aorta', 'inferior vena cava',
  'portal vein and splenic vein', 'pancreas', 'right adrenal gland', 'left adrenal gland'];
const BCV_LABELS = Object.fromEntries(['background', ...BCV].map((n, i) => [n, i]));
/** The phantom's organs (CASE_LABELS ids) to BCV ids. */
const TO_BCV = [0, 6, 1, 2, 3, 7, 11, 4, 8, 9];

const DIMS: Vec3 = [40, 32, 24];
const SPACING: Vec3 = [4, 4, 4];

const root = mkdtempSync(join(tmpdir(), 'fine-nnunet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface DatasetOptions {
  json?: Record<string, unknown>;
  cases?: string[];
  /** Cases written without their label file. */
  unlabelled?: string[];
  splits?: unknown;
}

let count = 0;
/** A synthetic nnU-Net v2 raw dataset: phantoms with BCV label ids, imagesTr/<case>_0000.nii.gz + labelsTr/<case>.nii.gz. */
function writeDataset(o: DatasetOptions = {}): string {
  const dir = join(root, `Dataset${String(++count).padStart(3, '0')}_BCV`);
  mkdirSync(join(dir, 'imagesTr'), { recursive: true });
  mkdirSync(join(dir, 'labelsTr'), { recursive: true });
  const cases = o.cases ?? ['img0001', 'img0002', 'img0005'];
  const like = { dims: DIMS, header: makeNiftiHeader(DIMS, SPACING) };
  cases.forEach((c, i) => {
    const p = makePhantom({ dims: DIMS, spacing: SPACING, seed: 10 + i });
    writeFileSync(join(dir, 'imagesTr', `${c}_0000.nii.gz`), writeNiftiFloat(p.image, like, { gzip: true }));
    if (!o.unlabelled?.includes(c)) writeFileSync(join(dir, 'labelsTr', `${c}.nii.gz`), writeNifti(p.labels.map((l) => TO_BCV[l]), like, { gzip: true }));
  });
  const json = o.json ?? { channel_names: { 0: 'CT' }, labels: BCV_LABELS, numTraining: cases.length, file_ending: '.nii.gz', name: 'BCV phantom' };
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify(json));
  if (o.splits !== undefined) writeFileSync(join(dir, 'splits_final.json'), JSON.stringify(o.splits));
  return dir;
}

const v2 = (extra: Record<string, unknown> = {}, drop: string[] = []) => {
  const j: Record<string, unknown> = { channel_names: { 0: 'CT' }, labels: BCV_LABELS, numTraining: 3, file_ending: '.nii.gz', ...extra };
  for (const k of drop) delete j[k];
  return j;
};

describe('the label table of a dataset.json', () => {
  it('BCV: 14 labels with the dataset names, lateral organs paired, built-in colours where an organ matches', () => {
    const labels = readDataset(writeDataset()).labels;
    expect(labels.map((l) => l.name)).toEqual(['background', ...BCV]);
    expect(labels.map((l) => l.id)).toEqual([...Array(14).keys()]);
    const mirror = Object.fromEntries(labels.filter((l) => l.mirror !== undefined).map((l) => [l.name, labels[l.mirror as number].name]));
    expect(mirror).toEqual({
      'right kidney': 'left kidney', 'left kidney': 'right kidney',
      'right adrenal gland': 'left adrenal gland', 'left adrenal gland': 'right adrenal gland',
    });
    const builtIn = (name: string) => CASE_LABELS.find((l) => l.name === name)?.color;
    expect(labels[6].color).toEqual(builtIn('liver'));
    expect(labels[2].color).toEqual(builtIn('kidney_right'));
    expect(labels[9].color).toEqual(builtIn('inferior_vena_cava'));
    // Organs the built-in table lacks take palette colours that stand apart from their neighbours.
    for (const id of [5, 10, 12, 13]) {
      expect(DEFAULT_PALETTE).toContainEqual(labels[id].color);
      for (const n of [id - 1, id + 1].filter((k) => k > 0 && k < 14)) {
        expect(colourDistance(labels[id].color, labels[n].color), `${labels[id].name} vs ${labels[n].name}`).toBeGreaterThanOrEqual(MIN_NEIGHBOUR_DISTANCE);
      }
    }
  });

  it('nnU-Net v1 labels ({"0": "background"}) give the same table', () => {
    const v1 = labelsFromDataset({ labels: Object.fromEntries(['background', ...BCV].map((n, i) => [String(i), n])) }, 'v1.json');
    expect(v1).toEqual(labelsFromDataset({ labels: BCV_LABELS }, 'v2.json'));
  });

  it('pairs left/right in any spelling, and neighbouring palette colours differ for many labels', () => {
    const l = labelsFromDataset({ labels: { background: 0, 'Kidney (L)': 1, 'Kidney (R)': 2, lung_left: 3, lung_right: 4, 'L femur': 5, 'R femur': 6, liver: 7 } }, 'x.json');
    expect(l.map((x) => x.mirror)).toEqual([undefined, 2, 1, 4, 3, 6, 5, undefined]);
    const many = labelsFromDataset({ labels: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [i ? `structure ${i}` : 'background', i])) }, 'm.json');
    for (let i = 2; i < many.length; i++) expect(colourDistance(many[i - 1].color, many[i].color)).toBeGreaterThanOrEqual(MIN_NEIGHBOUR_DISTANCE);
    expect(many.every((x) => x.mirror === undefined)).toBe(true);
  });
});

describe('reading an nnU-Net raw dataset', () => {
  it('v2: cases from imagesTr/<case>_0000 with labelsTr/<case>', () => {
    const dir = writeDataset();
    const ds = readDataset(dir);
    expect(ds.version).toBe(2);
    expect(ds.cases.map((c) => c.name)).toEqual(['img0001', 'img0002', 'img0005']);
    expect(ds.cases[0]).toEqual({ name: 'img0001', image: join(dir, 'imagesTr', 'img0001_0000.nii.gz'), label: join(dir, 'labelsTr', 'img0001.nii.gz') });
  });

  it('v1: the "training" list, with images as converted (<case>_0000) and labels named as listed', () => {
    const dir = writeDataset({ cases: ['img0001', 'img0002'] });
    for (const c of ['img0001', 'img0002']) writeFileSync(join(dir, 'labelsTr', `label${c.slice(3)}.nii.gz`), readFileSync(join(dir, 'labelsTr', `${c}.nii.gz`)));
    writeFileSync(join(dir, 'dataset.json'), JSON.stringify({
      labels: Object.fromEntries(['background', ...BCV].map((n, i) => [String(i), n])), modality: { 0: 'CT' }, numTraining: 2,
      training: ['0001', '0002'].map((n) => ({ image: `./imagesTr/img${n}.nii.gz`, label: `./labelsTr/label${n}.nii.gz` })),
    }));
    const ds = readDataset(dir);
    expect(ds.version).toBe(1);
    expect(ds.labels).toHaveLength(14);
    expect(ds.cases.map((c) => [c.name, c.image.split('/').pop(), c.label.split('/').pop()])).toEqual([
      ['img0001', 'img0001_0000.nii.gz', 'label0001.nii.gz'], ['img0002', 'img0002_0000.nii.gz', 'label0002.nii.gz'],
    ]);
  });

  const broken: [string, DatasetOptions, RegExp][] = [
    ['missing v2 fields', { json: v2({}, ['numTraining', 'file_ending']) }, /dataset\.json: missing "numTraining", "file_ending"; an nnU-Net v2 dataset\.json has labels, channel_names, numTraining and file_ending/],
    ['no labels', { json: v2({}, ['labels']) }, /dataset\.json: missing "labels"/],
    ['label ids with a gap', { json: v2({ labels: { background: 0, liver: 1, spleen: 3 } }) }, /dataset\.json: label ids must be 0\.\.2 without gaps \(background 0\); got 0, 1, 3: 2 is missing/],
    ['no background', { json: v2({ labels: { liver: 1, spleen: 2 } }) }, /dataset\.json: label ids must be 0\.\.1 .*got 1, 2: 0 is missing/],
    ['an id given twice', { json: v2({ labels: { background: 0, liver: 1, spleen: 1 } }) }, /dataset\.json: label id 1 is given twice \("liver" and "spleen"\)/],
    ['region-based labels', { json: v2({ labels: { background: 0, tumour: [1, 2] } }) }, /label "tumour" is a region \(\[1,2\]\); region-based labels are not supported/],
    ['the ignore label', { json: v2({ labels: { ...BCV_LABELS, ignore: 14 } }) }, /nnU-Net's ignore label .* is not supported/],
    ['two channels', { json: v2({ channel_names: { 0: 'CT', 1: 'PET' } }) }, /dataset\.json: 2 input channels \(CT, PET\); only single-channel CT datasets are supported/],
    ['an MRI channel', { json: v2({ channel_names: { 0: 'T2' } }) }, /the input channel is "T2", not CT/],
    ['a non-NIfTI file ending', { json: v2({ file_ending: '.png' }) }, /"file_ending" is "\.png"; only NIfTI/],
    ['a case without its label file', { unlabelled: ['img0002'] }, /labelsTr\/img0002\.nii\.gz: missing; case img0002 \(imagesTr\/img0002_0000\.nii\.gz\) has no label file/],
    ['numTraining not matching the cases', { json: v2({ numTraining: 30 }) }, /"numTraining" is 30 but imagesTr holds 3 case\(s\)/],
  ];
  for (const [what, o, msg] of broken) {
    it(`refuses ${what} with one line naming the file`, () => {
      const dir = writeDataset(o);
      let err: Error | undefined;
      try {
        readDataset(dir);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.name).toBe('DataError');
      expect(err?.message).toMatch(msg);
      expect(err?.message).toContain(dir);
      expect(err?.message.split('\n')).toHaveLength(1);
    });
  }

  it('refuses a second channel image on disk', () => {
    const dir = writeDataset();
    writeFileSync(join(dir, 'imagesTr', 'img0001_0001.nii.gz'), readFileSync(join(dir, 'imagesTr', 'img0001_0000.nii.gz')));
    expect(() => readDataset(dir)).toThrow(/img0001_0001\.nii\.gz: channel 1 of case img0001; only single-channel CT datasets are supported/);
  });
});

describe('splits and folds', () => {
  it('--fold k trains on the fold\'s train cases and validates on its val cases', () => {
    const dir = writeDataset({ splits: [{ train: ['img0001', 'img0002'], val: ['img0005'] }, { train: ['img0002', 'img0005'], val: ['img0001'] }] });
    const d = trainingData({ data: [dir], fold: 1 });
    expect(d.train.map((c) => c.name)).toEqual(['img0002', 'img0005']);
    expect(d.val?.map((c) => c.name)).toEqual(['img0001']);
    expect(d.labels).toHaveLength(14);
    expect(d.validation).toMatch(/^fold 1 of .*splits_final\.json: held-out cases img0001$/);
    expect(trainingData({ data: [dir] }).val).toBeUndefined();
  });

  it('errors: --fold without a splits file, with --val, out of range, naming unknown cases', () => {
    const plain = writeDataset();
    expect(() => trainingData({ data: [plain], fold: 0 })).toThrow(/--fold 0 needs a splits file: splits_final\.json in the --data folder, or --splits <file>/);
    expect(() => trainingData({ data: [plain], fold: 0, val: [plain] })).toThrow(/--fold and --val both choose the validation cases/);
    expect(() => trainingData({ data: [plain], splits: 'x.json' })).toThrow(/--splits needs --fold/);
    const splits = join(root, 'splits.json');
    writeFileSync(splits, JSON.stringify([{ train: ['img0001'], val: ['img0099'] }]));
    expect(() => trainingData({ data: [plain], fold: 0, splits })).toThrow(/splits\.json: fold 0 "val" names case img0099, which is not among the 3 case\(s\) of --data/);
    expect(() => trainingData({ data: [plain], fold: 2, splits })).toThrow(/splits\.json: holds 1 fold\(s\) \(0\.\.0\); there is no fold 2/);
    writeFileSync(splits, JSON.stringify([{ train: ['img0001'], val: ['img0001'] }]));
    expect(() => readSplits(splits)).toThrow(/fold 0 lists case img0001 in both "train" and "val"/);
    writeFileSync(splits, JSON.stringify({ train: [] }));
    expect(() => readSplits(splits)).toThrow(/expected a list of folds/);
  });

  it('the shipped BCV split: 18 training and the 12 TransUNet/nnFormer test cases', () => {
    const folds = readSplits('splits/bcv_splits_final.json');
    expect(folds).toHaveLength(1);
    const ids = (ns: number[]) => ns.map((n) => `img${String(n).padStart(4, '0')}`);
    expect([...folds[0].val].sort()).toEqual(ids([1, 2, 3, 4, 8, 22, 25, 29, 32, 35, 36, 38]));
    expect([...folds[0].train].sort()).toEqual(ids([5, 6, 7, 9, 10, 21, 23, 24, 26, 27, 28, 30, 31, 33, 34, 37, 39, 40]));
  });
});

describe('npm run train on an nnU-Net dataset', () => {
  const train = (args: string[]) => spawnSync('npx', ['tsx', 'src/trainer/cli.ts', '--preset', 'tiny', '--spacing', '4,4,4', '--threads', '1', ...args], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });

  it('--fold 0 trains a few steps and writes a card with the dataset\'s 14 labels', () => {
    const dir = writeDataset({ splits: [{ train: ['img0001', 'img0002'], val: ['img0005'] }] });
    const out = join(dir, 'model', 'bcv-tiny');
    const r = train(['--data', dir, '--fold', '0', '--steps', '3', '--out', out, '--val-every', '1000', '--ckpt-every', '1000', '--config', '{"patch":[16,16,16]}']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 case\(s\) img0001, img0002, 14 labels \(.*dataset\.json\)/);
    expect(r.stdout).toMatch(/step 3\/3 loss/);
    const card = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(card.labels.map((l: { name: string }) => l.name)).toEqual(['background', ...BCV]);
    expect(card.labels[2].mirror).toBe(3);
    expect(card.labels[13].mirror).toBe(12);
    expect(card.patchSize).toEqual([16, 16, 16]);
    expect(card.training.data).toEqual(['img0001', 'img0002']);
    expect(card.training.validation).toMatch(/^fold 0 of .*splits_final\.json: held-out cases img0005$/);
    expect(Object.keys(card.applicability.organVolumeMl)).toContain('right kidney');
  }, 120_000);

  it('--fold without a splits file: exit code 2 and one line', () => {
    const dir = writeDataset();
    const r = train(['--data', dir, '--fold', '0', '--steps', '1', '--out', join(dir, 'm')]);
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('train:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^train: --fold 0 needs a splits file/);
    expect(r.stderr).not.toMatch(/\bat \S+ \(/); // no stack trace
  }, 60_000);
});
