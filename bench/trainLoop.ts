/**
 * The training loop as the trainer runs it (small preset, crops from the worker-thread queue, AdamW
 * step in TypeScript), with the full augmentation and with the plain crop sampler, interleaved in
 * blocks in one process: steps per second of each, and the share of the loop's wall time spent outside
 * onnxruntime (crop wait, optimiser, bookkeeping).
 */
import { existsSync } from 'node:fs';
import { CASE_LABELS } from '../src/infer/contract/labels';
import { deepTargetShapes, buildModel, makeFineConfig } from '../src/model';
import { draftCard } from '../src/trainer/card';
import { type AugmentConfig, MOREDA, NO_AUGMENT } from '../src/trainer/config';
import { CropQueue } from '../src/trainer/cropQueue';
import { findCases, normalisationOf, prepareCase, readCase } from '../src/trainer/data';
import { adamw, clipGradNorm } from '../src/trainer/optim';
import { TrainingRuntime } from '../src/trainer/runtime';
import { writePhantomCase } from '../scripts/make-phantom-cases';

export interface LoopFigures {
  stepsPerSecond: number;
  /** Share of the loop's wall time outside onnxruntime's session.run. */
  outsideOrtShare: number;
  /** Mean milliseconds the worker spent preparing a crop. */
  cropMs: number;
}

export async function measureTrainLoop(steps = 30, blocks = 2, tinyData = false): Promise<{ full: LoopFigures; plain: LoopFigures; data: string }> {
  const real = '../shared/data/ct/caseA_ct.nii.gz';
  const file = !tinyData && existsSync(real) ? real : writePhantomCase('bench/.data', 7, tinyData ? [70, 70, 36] : [122, 101, 112], [3, 3, 3]).ct;
  const cfg = makeFineConfig('small');
  const grid = draftCard('bench', 'small', cfg, CASE_LABELS, [3, 3, 3], { clip: [-32768, 32767], mean: 0, std: 1 }, 0);
  const cases = findCases([file]).map(readCase).map((r) => prepareCase(r, grid));
  const card = { ...grid, normalisation: normalisationOf(cases, CASE_LABELS.map((l) => l.name)) };
  const rt = new TrainingRuntime((m) => buildModel(cfg, m), { seed: 1, threads: 2 });
  const opt = adamw(0.9, 0.999, 0.01);
  const seen = new Float32Array(cfg.volumeCells[0] * cfg.volumeCells[1] * cfg.tokensPerCell).fill(1);
  const run = async (augment: AugmentConfig, seed: number): Promise<{ wall: number; inRun: number; crop: number }> => {
    const q = new CropQueue(cases, { card, deepShapes: deepTargetShapes(cfg), foregroundFraction: 0.5, augment }, seed, 2);
    await q.get(0); // worker start-up is not the loop's cost
    let inRun = 0, crop = 0;
    const t0 = performance.now();
    for (let s = 1; s <= steps; s++) {
      const c = await q.get(s);
      crop += c.ms;
      c.feeds.vt_seen = { data: seen, dims: [seen.length] };
      const r0 = performance.now();
      await rt.step(c.feeds, opt, 1e-4, (g) => clipGradNorm(g, 12));
      inRun += performance.now() - r0;
    }
    const wall = performance.now() - t0;
    await q.close();
    return { wall, inRun, crop };
  };
  await run(NO_AUGMENT, 99); // warm-up: sessions, allocations
  const acc = { full: { wall: 0, inRun: 0, crop: 0 }, plain: { wall: 0, inRun: 0, crop: 0 } };
  for (let b = 0; b < blocks; b++) {
    for (const [k, aug] of [['full', MOREDA], ['plain', NO_AUGMENT]] as const) {
      const r = await run(aug, 10 * b + (k === 'full' ? 1 : 2));
      acc[k].wall += r.wall; acc[k].inRun += r.inRun; acc[k].crop += r.crop;
    }
  }
  await rt.release();
  const fig = (a: { wall: number; inRun: number; crop: number }): LoopFigures => ({
    stepsPerSecond: (steps * blocks) / (a.wall / 1000), outsideOrtShare: 1 - a.inRun / a.wall, cropMs: a.crop / (steps * blocks),
  });
  return { full: fig(acc.full), plain: fig(acc.plain), data: tinyData ? 'small phantom' : existsSync(real) ? 'caseA' : 'phantom of caseA size' };
}
