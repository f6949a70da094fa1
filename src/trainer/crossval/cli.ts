/**
 * `npm run crossval -- --data <cases> [--steps 4000] [--out runs/crossval] [--init model.onnx] [--card card.json]`:
 * leave-one-patient-out cross-validation of the training recipe (crossval/folds.ts). Writes per fold
 * `fold_<case>/pred_<mode>/summary.json` (nnU-Net style), and `crossval.json` plus `crossval.md` (Dice
 * per organ and held-out patient, per inference mode) into --out. With --init, folds whose held-out
 * patient the initial model trained on (its card's training.data) are skipped: they would not be held
 * out. With --card, the decided inference defaults and the table are written into that model card.
 * Folds resume: a finished fold is read back, an interrupted one continues from its checkpoint.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgsError, type FlagSpecs, parseArgs, usage } from '../../util/args';
import type { ModelCard } from '../../infer/contract/modelCard';
import { makeConfig } from '../../model';
import { makeTrainConfig } from '../config';
import { trainingData } from '../dataset';
import { provenanceOf } from '../provenance';
import { MODES, type FoldResult, decide, foldTable, isLabelled, meanDice, runFold } from './folds';

const FLAGS: FlagSpecs = {
  data: { description: 'training cases (<case>_ct.nii[.gz] files or folders), comma-separated', required: true },
  out: { description: 'output folder', default: 'runs/crossval' },
  preset: { description: 'tiny | small | paper', default: 'small' },
  steps: { description: 'training steps per fold', default: '4000' },
  lr: { description: 'peak learning rate', default: '0.002' },
  seed: { description: 'random seed', default: '1' },
  threads: { description: 'onnxruntime threads', default: '1' },
  init: { description: 'start each fold from an exported .onnx (its card must not list the held-out patient)' },
  folds: { description: 'held-out patients to run, comma-separated (default: every labelled case)' },
  'train-config': { description: 'JSON overrides of the training recipe (src/trainer/config.ts)' },
  card: { description: 'a model card to receive the decided inference defaults and the fold table' },
  pool: { description: 'output folders of earlier crossval runs whose folds join the table and the decision (comma-separated)' },
  silver: { description: 'comma-separated cases whose labels are silver standard (another model\'s output), marked in the table' },
  quick: { description: 'tiny preset, 12 steps per fold: checks the whole path (numbers mean nothing)', boolean: true },
  help: { description: 'print this help', boolean: true },
};

async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) {
    console.log(usage('npm run crossval --', FLAGS));
    return 0;
  }
  const quick = a.quick === 'true';
  const preset = quick ? 'tiny' : (a.preset as string);
  const steps = quick ? 12 : Number(a.steps);
  if (!Number.isInteger(steps) || steps < 1) throw new ArgsError(`--steps must be a positive integer, got ${a.steps}`);
  const data = trainingData({ data: (a.data as string).split(',') });
  const labelled = data.train.filter(isLabelled);
  const negatives = data.train.filter((p) => !labelled.includes(p));
  if (labelled.length < 2) throw new ArgsError(`--data: cross-validation needs at least 2 labelled cases, found ${labelled.length}`);
  let held = labelled;
  if (a.folds) {
    const want = a.folds.split(',');
    const unknown = want.filter((w) => !labelled.some((p) => p.name === w));
    if (unknown.length) throw new ArgsError(`--folds: ${unknown.join(', ')} not among the labelled cases ${labelled.map((p) => p.name).join(', ')}`);
    held = labelled.filter((p) => want.includes(p.name));
  }
  if (a.init) {
    const cardFile = a.init.replace(/\.onnx$/, '.json');
    const seen = existsSync(cardFile) ? (JSON.parse(readFileSync(cardFile, 'utf8')) as ModelCard).training.data : [];
    const contaminated = held.filter((p) => seen.includes(p.name));
    for (const p of contaminated) console.log(`fold ${p.name}: skipped, ${a.init} was trained on it (${cardFile}), so it would not be held out`);
    held = held.filter((p) => !contaminated.includes(p));
  }
  const tc = makeTrainConfig(preset, a['train-config'] ? JSON.parse(a['train-config']) as Record<string, unknown> : {});
  const cfg = makeConfig(preset, { variant: 'fine', classes: data.labels.length });
  const out = a.out as string;
  mkdirSync(out, { recursive: true });
  console.log(`cross-validation: ${held.length} fold(s) (${held.map((p) => p.name).join(', ')} held out in turn), negatives always trained: ${negatives.map((p) => p.name).join(', ') || 'none'}; ${preset} preset, ${steps} steps per fold${a.init ? `, from ${a.init}` : ''}`);
  const folds: FoldResult[] = [];
  for (const h of held) {
    folds.push(await runFold({
      outDir: out, preset, cfg, tc, labels: data.labels, spacing: [3, 3, 3], steps, lr: Number(a.lr), seed: Number(a.seed),
      threads: Number(a.threads), init: a.init, log: (l) => console.log(l),
    }, data.train.filter((p) => p !== h), h));
  }
  const protocol = `${preset} preset, ${steps} steps${a.init ? `, fine-tuned from ${a.init}` : ', from scratch'}`;
  for (const f of folds) f.protocol ??= protocol;
  const own = [...folds];
  const runs = [{ what: `${out}: ${protocol}`, folds: own }];
  for (const dir of (a.pool ?? '').split(',').filter(Boolean)) {
    const run = JSON.parse(readFileSync(join(dir, 'crossval.json'), 'utf8')) as { preset: string; steps: number; init: string | null; folds: FoldResult[] };
    const p = `${run.preset} preset, ${run.steps} steps${run.init ? `, fine-tuned from ${run.init}` : ', from scratch'}`;
    const pooledFolds = run.folds.map((f) => ({ ...f, protocol: f.protocol ?? p }));
    runs.push({ what: `${dir}: ${p}`, folds: pooledFolds });
    folds.push(...pooledFolds);
  }
  const organs = data.labels.slice(1).map((l) => l.name);
  const decision = decide(folds, organs);
  const silver = new Set((a.silver ?? '').split(',').filter(Boolean));
  const runOf = (f: FoldResult) => runs.findIndex((r) => r.folds.includes(f));
  const tag = (f: FoldResult) => (runs.length > 1 ? ` [${runOf(f) + 1}]` : '');
  const names = (f: FoldResult) => `${f.heldOut}${silver.has(f.heldOut) ? ' (silver)' : ''}${tag(f)}`;
  const shown = folds.map((f) => ({ ...f, heldOut: names(f) }));
  const md = [
    `# Cross-validation: leave one patient out`,
    '',
    runs.length > 1
      ? `Folds pooled from ${runs.length} runs: ${runs.map((r, i) => `[${i + 1}] ${r.what}`).join('; ')}. Dice of each held-out patient (organs it annotates; "-": in neither map). "(silver)": labels are another model's output.`
      : `${protocol} per fold; Dice of each held-out patient (organs it annotates; "-": in neither map). "(silver)": labels are another model's output.`,
    '',
    ...MODES.flatMap((m) => [`## ${m}`, '', foldTable(shown, organs, m), '']),
    `Decided inference defaults: mirroring ${decision.mirror ? 'on' : 'off'}; largest component for ${decision.largestComponent.join(', ') || 'no organ'}.`,
    '',
  ].join('\n');
  writeFileSync(join(out, 'crossval.md'), md);
  writeFileSync(join(out, 'crossval.json'), `${JSON.stringify({ preset, steps, init: a.init ?? null, folds: own, pooled: folds.length - own.length, decision }, null, 2)}\n`);
  console.log(md);
  for (const f of folds) console.log(`${f.heldOut}: ${MODES.map((m) => `${m} ${meanDice(f.dice[m]).toFixed(3)}`).join(', ')}`);
  if (a.card) {
    const card = JSON.parse(readFileSync(a.card, 'utf8')) as ModelCard & { training: { crossValidation?: unknown } };
    card.inference = decision;
    card.training.provenance ??= provenanceOf(card.training.data);
    card.training.crossValidation = { preset, steps, init: a.init ?? null, folds: folds.map((f) => ({ heldOut: f.heldOut, silver: silver.has(f.heldOut), protocol: f.protocol, dice: f.dice })) };
    writeFileSync(a.card, `${JSON.stringify(card, null, 2)}\n`);
    console.log(`wrote the inference defaults and the fold table into ${a.card}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`crossval: ${(e as Error).message}`);
    if (!(e instanceof ArgsError)) console.error((e as Error).stack);
    process.exit(e instanceof ArgsError ? 2 : 1);
  },
);
