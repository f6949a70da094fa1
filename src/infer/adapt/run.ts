/**
 * One adaptation from start to outcome, for the app's worker and `npm run adapt` alike: the base
 * weights fed to the training graph, the shared loop over crops of the scans to learn from, then the
 * base and the adapted model scored on what was held out, and the adapted model's files. The caller
 * brings the sessions (onnxruntime-web in the worker, onnxruntime-node in the CLI).
 */
import type { AdaptedProvenance, ModelCard } from '../contract/modelCard';
import { initializerSpans, readInitializers, seenMask } from '../io/onnxWeights';
import type { HostTensor, Session } from '../runtime/backend';
import { sessionTileRunner } from '../runtime/tileRunner';
import { adaptedModel, type ModelFiles } from './adaptedModel';
import { type AdaptScan, CROP_DEFAULTS, adaptCrop, organVoxels } from './crops';
import { type HeldOutScore, heldOutScore, labelSlices } from './heldOut';
import { type AdaptCheckpoint, type AdaptSettings, type StepReport, adaptLoop } from './loop';
import type { Tensors } from './optim';

/** Slices [z, end) of a scan that the adaptation did not learn from. */
export interface HeldOutPart {
  scan: AdaptScan;
  z: number;
}

export interface AdaptJob {
  card: ModelCard;
  onnx: Uint8Array;
  attention?: Uint8Array;
  learn: AdaptScan[];
  heldOut: HeldOutPart[];
  settings: AdaptSettings;
  name: string;
  /** Provenance fields the caller knows: the scans' hashes and where it runs. */
  scans: AdaptedProvenance['scans'];
  where: string;
  resume?: AdaptCheckpoint;
}

export interface AdaptSessions {
  train: () => Promise<Session>;
  base: () => Promise<Session>;
  /** A session of the adapted bytes; the runner releases it. */
  bytes: (onnx: Uint8Array) => Promise<Session>;
}

export interface AdaptHooks {
  onPhase?: (phase: 'preparing' | 'training' | 'scoring') => void;
  onStep?: (r: StepReport) => void;
  onCheckpoint?: (c: AdaptCheckpoint) => void | Promise<void>;
  signal?: AbortSignal;
  between?: () => Promise<void>;
}

export interface AdaptResult {
  files: ModelFiles;
  before: HeldOutScore;
  after: HeldOutScore;
  params: Tensors;
  losses: number[];
  seconds: number;
  /** Seconds of the training steps alone (the loop), for steps per second. */
  trainSeconds: number;
}

/** Mean of the held-out parts' scores (organ rows of the first part that has them). */
async function score(parts: HeldOutPart[], card: ModelCard, session: Session, hooks: AdaptHooks): Promise<HeldOutScore> {
  const scores: HeldOutScore[] = [];
  for (const p of parts) scores.push(heldOutScore(await labelSlices(p.scan, p.z, card, sessionTileRunner(session, card), hooks.signal, hooks.between), p.scan, p.z, card));
  if (scores.length === 1) return scores[0];
  const organs = card.labels.filter((l) => l.id !== 0).map((l) => {
    const d = scores.map((s) => s.organs.find((o) => o.id === l.id)?.dice).filter((x): x is number => x !== undefined);
    return { id: l.id, name: l.name, dice: d.length ? d.reduce((a, b) => a + b, 0) / d.length : NaN };
  }).filter((o) => Number.isFinite(o.dice));
  const means = scores.map((s) => s.mean).filter(Number.isFinite);
  return { mean: means.length ? means.reduce((a, b) => a + b, 0) / means.length : NaN, organs };
}

export async function runAdaptJob(job: AdaptJob, sessions: AdaptSessions, hooks: AdaptHooks = {}): Promise<AdaptResult> {
  const t0 = performance.now();
  const { card } = job;
  const ad = card.adaptation;
  if (!ad) throw new Error(`${card.name} has no training graph for adaptation; choose a model whose card lists one`);
  if (!job.learn.length) throw new Error('adaptation: no scan to learn from');
  const spans = initializerSpans(job.onnx);
  const weights = readInitializers(job.onnx, spans);
  const train = await sessions.train();
  const dataNames = new Set(ad.inputs.map((i) => i.name));
  const paramNames = train.inputNames.filter((n) => !dataNames.has(n));
  const base: Tensors = new Map(paramNames.map((n) => {
    const w = weights.get(n);
    if (!w) throw new Error(`${card.name}: its training graph needs the weight '${n}', which the model file lacks`);
    return [n, w];
  }));
  const seen = seenMask(weights);
  const spec = { card, inputs: ad.inputs, seen, ...CROP_DEFAULTS };
  const organs = job.learn.map(organVoxels);
  const fetches = [ad.loss, ...paramNames.map((n) => ad.gradPrefix + n)];
  hooks.onPhase?.('training');
  const tTrain = performance.now();
  const done = await adaptLoop({
    settings: job.settings,
    base,
    resume: job.resume,
    signal: hooks.signal,
    crop: (step) => adaptCrop(job.learn, organs, spec, job.settings.seed, step),
    gradients: async (params, feeds) => {
      const pf: Record<string, HostTensor> = {};
      for (const [k, v] of params) pf[k] = { data: v, dims: spans.get(k)!.dims };
      const out = await train.run({ ...feeds, ...pf }, fetches);
      return { loss: out[ad.loss].data[0], grads: new Map(paramNames.map((n) => [n, out[ad.gradPrefix + n].data])) };
    },
    onStep: hooks.onStep,
    onCheckpoint: hooks.onCheckpoint,
    between: hooks.between,
  });
  const trainSeconds = (performance.now() - tTrain) / 1000;
  hooks.onPhase?.('scoring');
  const before = await score(job.heldOut, card, await sessions.base(), hooks);
  const s = job.settings;
  const files = await adaptedModel({ card, onnx: job.onnx, attention: job.attention }, done.params, job.name, {
    base: { name: card.name, sha256: card.onnx.sha256 },
    steps: s.steps,
    settings: { lr: s.lr, beta1: s.beta1, beta2: s.beta2, weightDecay: s.weightDecay, anchor: s.anchor, clip: s.clip, seed: s.seed },
    scans: job.scans,
    where: job.where,
    created: new Date().toISOString(),
    finalLoss: done.losses[done.losses.length - 1] ?? 0,
  });
  const adapted = await sessions.bytes(files.onnx);
  let after: HeldOutScore;
  try {
    after = await score(job.heldOut, card, adapted, hooks);
  } finally {
    await adapted.release();
  }
  if (Number.isFinite(before.mean) && Number.isFinite(after.mean)) {
    const what = job.heldOut.map((p) => `slices ${p.z + 1}-${p.scan.dims[2]} of ${p.scan.dims[2]}`).join('; ');
    files.card.adapted!.heldOut = { what: `${what} (model grid), not learnt from`, before: before.mean, after: after.mean };
  }
  return { files, before, after, params: done.params, losses: done.losses, seconds: (performance.now() - t0) / 1000, trainSeconds };
}
