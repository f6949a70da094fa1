/**
 * The training loop: poly learning-rate decay, gradient clipping, a progress line with loss, it/s and
 * ETA, periodic sliding-window validation with per-organ Dice, checkpoints and resume, a stop with a
 * clear message on NaN/Inf, and the export at the end.
 */
import { readFileSync } from 'node:fs';
import { readWeights } from '../graph';
import { type ModelConfig, IO, buildModel, deepTargetShapes, volumeTokenLayout } from '../model';
import type { ModelCard } from '../infer/contract/modelCard';
import { diceScore } from '../infer/eval/metrics';
import { segmentVolume } from '../infer/pipeline';
import { tileFeeds } from '../infer/runtime/tileRunner';
import { CheckpointError, checkCompatible, loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { RawCase, TrainCase } from './data';
import { exportModel } from './export';
import { type Optimizer, adamw, clipGradNorm, polyLr, sgdNesterov } from './optim';
import { TrainingRuntime } from './runtime';
import type { TrainConfig } from './config';
import { CropQueue } from './cropQueue';
import { labelIds } from '../infer/contract/labels';

/** The training graph's warm-up mask input (volume tokens seen so far). */
const VT_SEEN = IO.vtSeen;

export interface TrainOptions {
  out: string;
  steps: number;
  lr: number;
  optimizer: 'adamw' | 'sgd';
  seed: number;
  threads: number;
  valEvery: number;
  ckptEvery: number;
  resume: boolean;
  /** Start from the weights of an exported ONNX file (fine-tuning). */
  init?: string;
  log: (line: string) => void;
}

export interface Validation {
  dice: Record<string, number>;
  meanDice: number;
}

export function seenMask(counts: Float64Array): Float32Array {
  return Float32Array.from(counts, (c) => (c > 0 ? 1 : 0));
}

/** Sliding-window segmentation of the validation cases with the current weights; Dice per organ. */
export async function validate(rt: TrainingRuntime, card: ModelCard, cases: readonly RawCase[], seen: Float32Array): Promise<Validation> {
  const sums: Record<string, number[]> = {};
  for (const c of cases) {
    const res = await segmentVolume(c.image, card, async (image, vt) => {
      const feeds = tileFeeds(card, image, vt);
      if (vt) feeds[VT_SEEN] = { data: seen, dims: [seen.length] };
      return (await rt.infer(feeds)).logits.data;
    });
    const ref = labelIds(c.label.data, c.pair.label);
    for (const l of card.labels.slice(1)) {
      if (!ref.includes(l.id)) continue;
      (sums[l.name] ??= []).push(diceScore(res.labels, ref, l.id));
    }
  }
  const dice = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length]));
  const vals = Object.values(dice);
  return { dice, meanDice: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0 };
}

/**
 * Trains from `draft` (the card that fixed preprocessing) and exports the model; returns the exported
 * card. Nothing passed in is modified.
 */
export async function train(cfg: ModelConfig, tc: TrainConfig, draft: ModelCard, cases: TrainCase[], valCases: RawCase[], opts: TrainOptions): Promise<ModelCard> {
  const partialLabels = cases.some((c) => c.annotated.some((a) => !a));
  if (partialLabels) opts.log(`partial labels: ${cases.filter((c) => c.annotated.some((a) => !a)).map((c) => c.name).join(', ')} annotate only some labels; training with the marginal loss`);
  const rt = new TrainingRuntime((m) => buildModel(cfg, m, undefined, { partialLabels }), { seed: opts.seed, threads: opts.threads });
  const card: ModelCard = { ...draft, parameters: rt.trainGraph.parameterCount(), training: { ...draft.training } };
  const optimizer: Optimizer = opts.optimizer === 'sgd' ? sgdNesterov() : adamw(tc.adamBeta1, tc.adamBeta2, tc.weightDecay);
  const ckptFile = `${opts.out}.ckpt`;
  const counts = new Float64Array(volumeTokenLayout(cfg, draft.spacing)?.count ?? 0);
  let start = 0, seconds = 0;
  const curve: { step: number; loss: number; meanDice?: number }[] = [];
  // What defines the model's inputs and its training state: a resume must match all of it.
  const identity = { model: cfg, spacing: card.spacing, normalisation: card.normalisation, optimizer: optimizer.kind };
  const save = (step: number): void => saveCheckpoint(ckptFile, { config: identity, step, seed: opts.seed, optimizer: optimizer.kind, seenCounts: [...counts], curve, seconds }, rt.params, optimizer.state());
  if (opts.init && !opts.resume) {
    const weights = readWeights(new Uint8Array(readFileSync(opts.init)));
    let loaded = 0;
    for (const [k, v] of rt.params) {
      const w = weights.get(k);
      if (!w) continue;
      if (w.length !== v.length) throw new CheckpointError(`${opts.init}: weight '${k}' has ${w.length} values, this model needs ${v.length}; use a model of the same preset`);
      v.set(w);
      loaded++;
    }
    opts.log(`initialised ${loaded} of ${rt.params.size} parameters from ${opts.init}`);
  }
  if (opts.resume) {
    const ck = loadCheckpoint(ckptFile);
    checkCompatible(ckptFile, ck, identity, rt.params);
    for (const [k, v] of ck.params) rt.params.set(k, v);
    optimizer.load(ck.optState);
    counts.set(ck.meta.seenCounts);
    curve.push(...ck.meta.curve);
    start = ck.meta.step;
    seconds = ck.meta.seconds;
    opts.log(`resumed from ${ckptFile} at step ${start}`);
  }
  const queue = new CropQueue(cases, { card, deepShapes: deepTargetShapes(cfg), foregroundFraction: tc.foregroundFraction, augment: tc.augment, partialLabels }, opts.seed, tc.prefetch);
  let ema = NaN;
  const t0 = performance.now();
  let inRun = 0, cropMs = 0;
  try {
    for (let step = start; step < opts.steps; step++) {
      const crop = await queue.get(step);
      cropMs += crop.ms;
      if (crop.vtIndex && card.io.volumeTokenIndex) {
        for (const i of crop.vtIndex) counts[Number(i)]++;
        crop.feeds[VT_SEEN] = { data: seenMask(counts), dims: [counts.length] };
      }
      const s0 = performance.now();
      const { loss } = await rt.step(crop.feeds, optimizer, polyLr(opts.lr, step, opts.steps), (g) => clipGradNorm(g, tc.gradClip));
      const dt = performance.now() - s0;
      inRun += dt;
      seconds += dt / 1000;
      ema = Number.isNaN(ema) ? loss : tc.lossEma * ema + (1 - tc.lossEma) * loss;
      const done = step + 1;
      if (done % 10 === 0 || done === opts.steps) {
        const wall = performance.now() - t0;
        const rate = (done - start) / (wall / 1000);
        const overhead = 100 * (1 - inRun / wall);
        opts.log(`step ${done}/${opts.steps} loss ${ema.toFixed(4)} ${rate.toFixed(2)} it/s ETA ${Math.round((opts.steps - done) / rate)} s; outside onnxruntime ${overhead.toFixed(1)}% of the loop, crop ${(cropMs / (done - start)).toFixed(0)} ms (worker: ${tc.prefetch > 0 ? 'yes' : 'no'})`);
      }
      const validateNow = valCases.length && (done % opts.valEvery === 0 || done === opts.steps);
      const point: { step: number; loss: number; meanDice?: number } = { step: done, loss: ema };
      if (validateNow) {
        const v = await validate(rt, card, valCases, seenMask(counts));
        point.meanDice = v.meanDice;
        card.training.dice = v.dice;
        card.training.meanDice = v.meanDice;
        opts.log(`validation at step ${done}: mean Dice ${v.meanDice.toFixed(3)} ${Object.entries(v.dice).map(([k, d]) => `${k}=${d.toFixed(2)}`).join(' ')}`);
      }
      if (validateNow || done % 50 === 0) curve.push(point);
      if (done % opts.ckptEvery === 0 || done === opts.steps) save(done);
    }
  } finally {
    await queue.close();
    await rt.release();
  }
  card.training = { ...card.training, steps: opts.steps, seconds: Math.round(seconds), curve };
  return exportModel(opts.out, cfg, rt.params, counts.length ? seenMask(counts) : undefined, card);
}
