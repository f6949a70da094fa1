/**
 * `npm run ablation [-- --quick] [--out dir] [--networks a,b] [--tasks context,ct]`: trains every network
 * with the same budget (steps, patch, recipe) on (a) the synthetic context task and (b) real CT (caseA ->
 * caseB, skipped without ../shared/data), tests each on held-out cases, and writes `ablation.md`,
 * `ablation.json` and `ablation.svg` into --out (default docs/; with --quick a temporary folder). Each row
 * runs in its own process (peak memory per network) and is kept in runs/ablation/rows/ (with --quick in
 * the output folder), so an interrupted run
 * resumes where it stopped (--fresh starts over).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgsError, parseArgs, usage, type FlagSpecs } from '../../util/args';
import { type AblationRow, ROW_NAMES, type RowSpec, dicePlotSvg, markdownTable } from './report';
import { type TaskName, SHARED_CT, ctTask } from './tasks';

const FLAGS: FlagSpecs = {
  quick: { description: 'a few steps per network on small data: checks the whole path in minutes (numbers mean nothing)', boolean: true },
  out: { description: 'folder for ablation.md/.json/.svg and the trained models (default: docs/, or a temporary folder with --quick)' },
  networks: { description: `comma-separated subset of ${ROW_NAMES.join(', ')}`, default: ROW_NAMES.join(',') },
  tasks: { description: 'context, ct or both', default: 'context,ct' },
  steps: { description: 'training steps per network and task (default 6000; 12 with --quick)' },
  fresh: { description: 'ignore rows kept from an earlier run', boolean: true },
  'train-config': { description: 'JSON overrides of the training recipe for the rows trained in this run (rows kept from earlier runs keep theirs)' },
  note: { description: 'a sentence added to ablation.md about this run (e.g. what else ran on the machine)' },
  help: { description: 'print this help', boolean: true },
};

const ONE = fileURLToPath(new URL('./one.ts', import.meta.url));

function runRow(spec: RowSpec): Promise<AblationRow> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ONE, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let result: AblationRow | undefined;
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith('RESULT ')) result = JSON.parse(l.slice(7)) as AblationRow;
        else console.log(l);
      }
    });
    child.on('close', (code) => (result && code === 0 ? ok(result) : fail(new Error(`${spec.task}/${spec.network}: the row's process exited with code ${code}`))));
  });
}

async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) {
    console.log(usage('npm run ablation --', FLAGS));
    return 0;
  }
  const quick = a.quick === 'true';
  const networks = (a.networks as string).split(',');
  const bad = networks.filter((n) => !(ROW_NAMES).includes(n));
  if (bad.length) throw new ArgsError(`--networks: unknown ${bad.join(', ')}; choose from ${ROW_NAMES.join(', ')}`);
  const tasks = (a.tasks as string).split(',') as TaskName[];
  if (tasks.some((t) => t !== 'context' && t !== 'ct')) throw new ArgsError(`--tasks: choose context, ct or both, got ${a.tasks}`);
  const steps = a.steps ? Number(a.steps) : quick ? 12 : 6000;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgsError(`--steps must be a positive integer, got ${a.steps}`);
  const out = resolve(a.out ?? (quick ? mkdtempSync(join(tmpdir(), 'ablation-quick-')) : 'docs'));
  const work = quick ? join(out, 'work') : resolve('runs/ablation');
  if (a.fresh === 'true') rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'rows'), { recursive: true });
  const runnable = tasks.filter((t) => t !== 'ct' || ctTask() !== undefined);
  if (tasks.includes('ct') && !runnable.includes('ct')) console.log(`ablation: task ct skipped: caseA/caseB not found in ${SHARED_CT}`);
  const rows: AblationRow[] = [];
  for (const task of runnable) {
    for (const network of networks) {
      const file = join(work, 'rows', `${task}-${network}.json`);
      const spec: RowSpec = {
        task, network, preset: 'tiny', steps, lr: 1e-3, seed: 1, spacing: [3, 3, 3], outDir: join(work, 'models'), dataDir: join(work, quick ? 'context-quick' : 'context'),
        trainCases: quick ? 2 : 12, testCases: quick ? 1 : 6,
        ...(a['train-config'] ? { trainConfig: JSON.parse(a['train-config']) as Record<string, unknown> } : {}),
      };
      const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { spec: RowSpec; row: AblationRow }) : undefined;
      // With --train-config, rows trained earlier without overrides are kept: the overrides reproduce their recipe.
      const withoutOverrides = { ...spec };
      delete withoutOverrides.trainConfig;
      const same = (k: RowSpec) => JSON.stringify(k) === JSON.stringify(spec) || (!k.trainConfig && JSON.stringify(k) === JSON.stringify(withoutOverrides));
      if (kept && same(kept.spec)) {
        console.log(`ablation: ${task}/${network} kept from ${file}`);
        rows.push(kept.row);
        continue;
      }
      console.log(`ablation: ${task}/${network}: ${steps} steps`);
      const row = await runRow(spec);
      writeFileSync(file, JSON.stringify({ spec, row }, null, 2));
      console.log(`ablation: ${task}/${network}: mean Dice ${row.meanDice.toFixed(3)}, ${row.trainMsPerStep.toFixed(0)} ms/step, ${row.peakMb.toFixed(0)} MB peak`);
      rows.push(row);
    }
  }
  const md = [
    '# Ablation: what memory tokens buy',
    '',
    `Written by \`npm run ablation${quick ? ' -- --quick' : ''}\` (src/trainer/ablation/) on ${new Date().toISOString().slice(0, 10)}; ${quick ? 'a quick run: the numbers check the path, they mean nothing.' : 'the full run.'}`,
    'Every network trains with the same budget (steps, patch, training recipe, AdamW, learning rate, seed) and is tested with the same sliding-window inference on held-out cases.',
    'Training ms/step and inference seconds come from one 2-core CPU machine with onnxruntime-node, measured in the same run; peak MB is the resident memory of the process that trained and tested the row.',
    ...(a.note ? [a.note] : []),
    '',
    ...tasks.map((t) => markdownTable(rows, t)),
    '![mean Dice against parameters](ablation.svg)',
    '',
  ].join('\n');
  writeFileSync(join(out, 'ablation.md'), md);
  writeFileSync(join(out, 'ablation.json'), `${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length) writeFileSync(join(out, 'ablation.svg'), dicePlotSvg(rows));
  console.log(md);
  console.log(`ablation: wrote ${join(out, 'ablation.md')}, ablation.json and ablation.svg`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`ablation: ${(e as Error).message}`);
    process.exit(e instanceof ArgsError ? 2 : 1);
  },
);
