/**
 * `npm run train -- --data <dirs or CT files> --preset tiny|small|paper --variant nnformer|glam|fine
 *  --steps N --out <dir>/<name>` (see --help); `--data` may instead be one nnU-Net dataset folder
 *  (dataset.json, imagesTr, labelsTr; trainer/dataset.ts), trained on fold k of its splits with `--fold k`.
 *  Exit codes: 0 done, 2 bad input, 3 training diverged.
 */
import { ArgsError, parseArgs, usage, type FlagSpecs } from '../util/args';
import { NiftiError } from '../infer/io/nifti';
import { makeConfig } from '../model';
import { CheckpointError } from './checkpoint';
import { type TrainConfig, makeTrainConfig } from './config';
import { DataError } from './data';
import { trainingData } from './dataset';
import { NonFiniteError } from './runtime';
import { trainRun } from './run';

const FLAGS: FlagSpecs = {
  data: { description: 'training folders or <case>_ct.nii[.gz] files, comma-separated; or one nnU-Net dataset folder (dataset.json, imagesTr, labelsTr)', required: true },
  val: { description: 'validation folders/files, comma-separated (default: the training data, said so in the card)' },
  fold: { description: 'train on fold k of the splits file and validate on its held-out cases (instead of --val)' },
  splits: { description: 'nnU-Net splits file [{"train": [...], "val": [...]}, ...] for --fold (default: splits_final.json in the --data folder)' },
  preset: { description: 'tiny | small | paper', default: 'small' },
  variant: { description: 'the network: nnformer | glam | fine | unet | utransformer | missu', default: 'fine' },
  steps: { description: 'optimisation steps', default: '1000' },
  out: { description: 'output path without extension, e.g. models/fine-small', required: true },
  lr: { description: 'peak learning rate', default: '0.001' },
  optimizer: { description: 'adamw | sgd (SGD with Nesterov momentum 0.99, as the paper)', default: 'adamw' },
  spacing: { description: 'model spacing in mm, x,y,z', default: '3,3,3' },
  seed: { description: 'random seed', default: '1' },
  threads: { description: 'onnxruntime intra-op threads', default: '2' },
  'val-every': { description: 'validate every N steps', default: '250' },
  'ckpt-every': { description: 'checkpoint every N steps', default: '50' },
  config: { description: 'JSON overrides of the network preset, e.g. {"patch":[32,32,16]} (src/model/*Config.ts; not variant or classes)' },
  'train-config': { description: 'JSON overrides of the training recipe, e.g. {"augment":{"pMirror":0}} (src/trainer/config.ts)' },
  resume: { description: 'continue from <out>.ckpt', boolean: true },
  init: { description: 'start from the weights of an exported .onnx (fine-tuning)' },
  help: { description: 'print this help', boolean: true },
};

function intArg(v: string | undefined, name: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ArgsError(`--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

function jsonArg(v: string | undefined, name: string): Record<string, unknown> {
  if (!v) return {};
  try {
    const o = JSON.parse(v) as unknown;
    if (typeof o === 'object' && o !== null && !Array.isArray(o)) return o as Record<string, unknown>;
  } catch { /* reported below */ }
  throw new ArgsError(`--${name} must be a JSON object, got ${v}`);
}

async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) {
    console.log(usage('npm run train --', FLAGS));
    return 0;
  }
  const data = trainingData({
    data: (a.data as string).split(','), val: a.val?.split(','), splits: a.splits,
    fold: a.fold === undefined ? undefined : intArg(a.fold, 'fold', 0),
  });
  const labels = data.labels;
  const overrides = jsonArg(a.config, 'config');
  if ('variant' in overrides) throw new ArgsError(`--config: "variant" is chosen with --variant, not in --config`);
  if ('classes' in overrides) throw new ArgsError(`--config: "classes" comes from the training labels (${labels.length} with background, ${data.labelSource}), not from --config`);
  let cfg;
  try {
    cfg = makeConfig(a.preset as string, { ...overrides, variant: a.variant, classes: labels.length });
  } catch (e) {
    throw new ArgsError(`--config: ${(e as Error).message}`);
  }
  let tc: TrainConfig;
  try {
    tc = makeTrainConfig(a.preset as string, jsonArg(a['train-config'], 'train-config'));
  } catch (e) {
    throw new ArgsError(`--train-config: ${(e as Error).message}`);
  }
  const spacing = (a.spacing as string).split(',').map(Number);
  if (spacing.length !== 3 || spacing.some((s) => !(s > 0))) throw new ArgsError(`--spacing must be three positive numbers x,y,z, got ${a.spacing}`);
  const steps = intArg(a.steps, 'steps');
  const lr = Number(a.lr);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new ArgsError(`--lr must be a positive number, got "${a.lr}"`);
  if (a.optimizer !== 'adamw' && a.optimizer !== 'sgd') throw new ArgsError(`--optimizer must be adamw or sgd, got "${a.optimizer}"`);
  const out = a.out as string;
  const result = await trainRun({
    out, preset: a.preset as string, cfg, tc, labels, spacing: spacing as [number, number, number],
    train: data.train, val: data.val, validation: data.validation, labelSource: data.labelSource,
    steps, lr, optimizer: a.optimizer, seed: intArg(a.seed, 'seed', 0),
    threads: intArg(a.threads, 'threads'), valEvery: intArg(a['val-every'], 'val-every'), ckptEvery: intArg(a['ckpt-every'], 'ckpt-every'),
    resume: a.resume === 'true', init: a.init, log: (l) => console.log(l),
  });
  console.log(`exported ${out}.onnx (${(result.onnx.bytes / 1e6).toFixed(1)} MB)${result.attention ? `, ${out}.attn.onnx` : ''} and ${out}.json; mean Dice ${result.training.meanDice.toFixed(3)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e as Error;
    const known = [ArgsError, DataError, NiftiError, CheckpointError].some((k) => err instanceof k);
    console.error(`train: ${err.message}`);
    if (!known && !(err instanceof NonFiniteError)) console.error(err.stack);
    process.exit(err instanceof NonFiniteError ? 3 : known ? 2 : 1);
  },
);
