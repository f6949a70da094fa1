/**
 * One row of the ablation, run in its own process so its peak memory is its own:
 * `tsx src/trainer/ablation/one.ts '<RowSpec JSON>'` trains one network on one task, segments the
 * task's test cases on onnxruntime-node and prints `RESULT <AblationRow JSON>`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateSegmentation } from '../../infer/eval/metrics';
import { readNifti } from '../../infer/io/nifti';
import { segmentVolume } from '../../infer/pipeline';
import { createSession } from '../../infer/runtime/backend';
import { sessionTileRunner } from '../../infer/runtime/tileRunner';
import { makeConfig } from '../../model';
import { rowConfigOverrides } from './report';
import { makeTrainConfig } from '../config';
import { trainRun } from '../run';
import type { AblationRow, RowSpec } from './report';
import { contextTask, ctTask } from './tasks';
import { labelIds } from '../../infer/contract/labels';

async function row(spec: RowSpec): Promise<AblationRow> {
  const data = spec.task === 'context' ? contextTask(spec.dataDir, spec.trainCases, spec.testCases) : ctTask();
  if (!data?.val) throw new Error(`task ${spec.task}: no data`);
  const cfg = makeConfig(spec.preset, { ...rowConfigOverrides(spec.network), classes: data.labels.length, ...(spec.patch ? { patch: spec.patch } : {}) });
  const tc = makeTrainConfig(spec.preset, spec.trainConfig ?? {});
  const out = join(spec.outDir, `${spec.task}-${spec.network}`);
  const t0 = performance.now();
  const card = await trainRun({
    out, preset: spec.preset, cfg, tc, labels: data.labels, spacing: spec.spacing, train: data.train, val: [],
    validation: `none during training; the ablation scores the test cases ${data.val.map((p) => p.name).join(', ')}`,
    steps: spec.steps, lr: spec.lr, optimizer: 'adamw', seed: spec.seed, threads: 2, valEvery: spec.steps + 1, ckptEvery: spec.steps, resume: false,
    log: (l) => { if (/step \d*00\//.test(l) || !l.startsWith('step')) console.log(`[${spec.task}/${spec.network}] ${l}`); },
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const session = await createSession(new Uint8Array(readFileSync(join(spec.outDir, card.onnx.file))), { provider: 'cpu', threads: 2 });
  const perCase: { case: string; meanDice: number; dice: Record<string, number | null>; hd95: Record<string, number | null> }[] = [];
  let inferSeconds = 0;
  for (const p of data.val) {
    const image = readNifti(new Uint8Array(readFileSync(p.image)), p.image);
    const ref = readNifti(new Uint8Array(readFileSync(p.label)), p.label);
    const res = await segmentVolume(image, card, sessionTileRunner(session, card));
    inferSeconds += res.seconds;
    const s = evaluateSegmentation(res.labels, labelIds(ref.data, 'reference'), image.dims, image.spacing, card.labels);
    perCase.push({
      case: p.name, meanDice: s.meanDice,
      dice: Object.fromEntries(s.perLabel.map((l) => [l.name, l.presentInRef ? l.dice : null])),
      hd95: Object.fromEntries(s.perLabel.map((l) => [l.name, l.presentInRef && Number.isFinite(l.hd95) ? l.hd95 : null])),
    });
  }
  await session.release();
  const organs = card.labels.slice(1).map((l) => l.name);
  const meanOf = (vals: (number | null)[]): number | null => {
    const v = vals.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const dice = Object.fromEntries(organs.map((o) => [o, meanOf(perCase.map((c) => c.dice[o]))]));
  const hd95 = Object.fromEntries(organs.map((o) => [o, meanOf(perCase.map((c) => c.hd95[o]))]));
  return {
    task: spec.task, network: spec.network, preset: spec.preset, steps: spec.steps, patch: cfg.patch,
    dice, meanDice: meanOf(Object.values(dice)) ?? 0, meanHd95: meanOf(Object.values(hd95)),
    parameters: card.parameters, onnxMb: card.onnx.bytes / 1e6,
    trainMsPerStep: (card.training.seconds * 1000) / spec.steps, trainSeconds,
    inferSeconds: inferSeconds / data.val.length, peakMb: process.resourceUsage().maxRSS / 1024, perCase,
  };
}

row(JSON.parse(process.argv[2]) as RowSpec).then(
  (r) => {
    console.log(`RESULT ${JSON.stringify(r)}`);
    process.exit(0);
  },
  (e: unknown) => {
    console.error(`ablation: ${(e as Error).stack}`);
    process.exit(1);
  },
);
