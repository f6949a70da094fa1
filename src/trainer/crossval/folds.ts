/**
 * Leave-one-patient-out cross-validation of a training recipe, the way recipe choices are made here:
 * every labelled patient is held out once, a model is trained on the others (cases with no organ, the
 * negatives, always train), and the held-out patient is segmented on onnxruntime-node three ways:
 * plain, with left-right mirroring, and mirrored with each organ kept to its largest component. Each
 * fold writes nnU-Net-style `summary.json` files (npm run evaluate's folder mode); `decide` then picks the
 * inference defaults as nnU-Net's post-processing search does: mirroring unless it lowers the folds' mean,
 * and, per organ, the largest component only where it raises that organ's mean Dice over the folds (a
 * tie, such as 0 with and without, is no evidence for it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FolderSummary } from '../../infer/eval/evaluateFiles';
import { evaluateFiles } from '../../infer/eval/evaluateFiles';
import type { LabelInfo, ModelCard } from '../../infer/contract/modelCard';
import { writeNifti } from '../../infer/io/nifti';
import { segmentVolume } from '../../infer/pipeline';
import { keepLargestComponents } from '../../infer/postprocess/components';
import { createSession } from '../../infer/runtime/backend';
import { sessionTileRunner } from '../../infer/runtime/tileRunner';
import type { ModelConfig } from '../../model';
import type { TrainConfig } from '../config';
import { type CasePair, type RawCase, readCase } from '../data';
import { trainRun } from '../run';
import { labelIds } from '../../infer/contract/labels';

export const MODES = ['plain', 'mirror', 'mirror+lcc'] as const;
export type Mode = (typeof MODES)[number];

export interface FoldSpec {
  outDir: string;
  preset: string;
  cfg: ModelConfig;
  tc: TrainConfig;
  labels: LabelInfo[];
  spacing: [number, number, number];
  steps: number;
  lr: number;
  seed: number;
  threads: number;
  init?: string;
  log: (line: string) => void;
}

export interface FoldResult {
  heldOut: string;
  /** Label ids scored (those the held-out case annotates). */
  scored: number[];
  /** Per mode, per organ name: Dice (null where the organ is in neither map). */
  dice: Record<Mode, Record<string, number | null>>;
  trainSeconds: number;
  /** How the fold's model was trained (preset, steps, start), for tables that pool several runs. */
  protocol?: string;
}

/** A case with at least one organ voxel (the others are negatives). */
export function isLabelled(pair: CasePair): boolean {
  return readCase(pair).label.data.some((v) => v > 0);
}

function annotatedIds(raw: RawCase, labels: LabelInfo[]): number[] {
  return labels.filter((l) => l.id > 0 && (!raw.annotates || raw.annotates.includes(l.name))).map((l) => l.id);
}

function scoreFolder(predDir: string, refDir: string, ids: number[], out: string): FolderSummary {
  evaluateFiles(['--pred', predDir, '--ref', refDir, '--labels', ids.join(','), '--out', out]);
  return JSON.parse(readFileSync(out, 'utf8')) as FolderSummary;
}

function diceByName(s: FolderSummary, labels: LabelInfo[]): Record<string, number | null> {
  const m = s.metric_per_case[0].metrics;
  return Object.fromEntries(Object.keys(m).map((id) => [labels.find((l) => l.id === Number(id))?.name ?? id, m[id].DSC]));
}

/** Trains and scores one fold; a fold whose crossval.json exists is read back instead (resume). */
export async function runFold(spec: FoldSpec, train: CasePair[], heldOut: CasePair): Promise<FoldResult> {
  const dir = join(spec.outDir, `fold_${heldOut.name}`);
  const done = join(dir, 'fold.json');
  if (existsSync(done)) {
    spec.log(`fold ${heldOut.name}: kept from an earlier run (${done})`);
    return JSON.parse(readFileSync(done, 'utf8')) as FoldResult;
  }
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const card = await trainRun({
    out: join(dir, 'model'), preset: spec.preset, cfg: spec.cfg, tc: spec.tc, labels: spec.labels, spacing: spec.spacing,
    train, val: [], validation: `cross-validation fold: ${heldOut.name} held out`,
    steps: spec.steps, lr: spec.lr, optimizer: 'adamw', seed: spec.seed, threads: spec.threads,
    valEvery: spec.steps + 1, ckptEvery: Math.max(50, Math.floor(spec.steps / 20)), resume: existsSync(join(dir, 'model.ckpt')), init: spec.init,
    log: (l) => { if (!l.startsWith('step') || /step \d*000\//.test(l)) spec.log(`[${heldOut.name}] ${l}`); },
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const session = await createSession(new Uint8Array(readFileSync(join(dir, card.onnx.file))), { provider: 'cpu', threads: spec.threads });
  const raw = readCase(heldOut);
  const { image, label: ref } = raw;
  const refDir = join(dir, 'ref');
  mkdirSync(refDir, { recursive: true });
  writeFileSync(join(refDir, `${heldOut.name}.nii.gz`), writeNifti(labelIds(ref.data, heldOut.name), ref, { gzip: true }));
  const ids = annotatedIds(raw, spec.labels);
  const organs = spec.labels.filter((l) => ids.includes(l.id));
  const plainCard: ModelCard = { ...card, inference: { mirror: false, largestComponent: [] } };
  const predictions: Record<Mode, Uint8Array> = {} as Record<Mode, Uint8Array>;
  predictions.plain = (await segmentVolume(image, plainCard, sessionTileRunner(session, card))).labels;
  predictions.mirror = (await segmentVolume(image, plainCard, sessionTileRunner(session, card), { mirror: true })).labels;
  await session.release();
  predictions['mirror+lcc'] = Uint8Array.from(predictions.mirror);
  keepLargestComponents(predictions['mirror+lcc'], image.dims, organs.map((l) => l.id));
  const dice = {} as Record<Mode, Record<string, number | null>>;
  for (const mode of MODES) {
    const predDir = join(dir, `pred_${mode.replace('+', '_')}`);
    mkdirSync(predDir, { recursive: true });
    writeFileSync(join(predDir, `${heldOut.name}.nii.gz`), writeNifti(predictions[mode], image, { gzip: true }));
    dice[mode] = diceByName(scoreFolder(predDir, refDir, ids, join(predDir, 'summary.json')), spec.labels);
  }
  const result: FoldResult = { heldOut: heldOut.name, scored: ids, dice, trainSeconds };
  writeFileSync(done, `${JSON.stringify(result, null, 2)}\n`);
  spec.log(`fold ${heldOut.name}: ${MODES.map((m) => `${m} ${meanDice(dice[m]).toFixed(3)}`).join(', ')} (mean Dice over scored organs)`);
  return result;
}

export function meanDice(d: Record<string, number | null>): number {
  const v = Object.values(d).filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

export interface Decision {
  mirror: boolean;
  largestComponent: string[];
  basis: string;
}

/**
 * nnU-Net's rule on the folds: mirroring when it does not lower the mean over folds of each fold's mean
 * Dice; then per organ, the largest component when it raises that organ's mean Dice over the folds that
 * score it.
 */
export function decide(folds: FoldResult[], organs: string[]): Decision {
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const mirror = avg(folds.map((f) => meanDice(f.dice.mirror))) >= avg(folds.map((f) => meanDice(f.dice.plain)));
  // The largest-component step was applied to the mirrored prediction; compare like with like. It only
  // removes voxels of the organ it is applied to, so each organ's Dice in 'mirror+lcc' is that organ's
  // own effect.
  const base: Mode = 'mirror';
  const largestComponent = organs.filter((o) => {
    const with_ = folds.flatMap((f) => (f.dice['mirror+lcc'][o] == null ? [] : [f.dice['mirror+lcc'][o]]));
    const without = folds.flatMap((f) => (f.dice[base][o] == null ? [] : [f.dice[base][o]]));
    return with_.length > 0 && with_.length === without.length && avg(with_) > avg(without);
  });
  return {
    mirror, largestComponent,
    basis: `leave-one-patient-out cross-validation over ${folds.map((f) => f.heldOut).join(', ')} (npm run crossval)`,
  };
}

const cell = (x: number | null | undefined) => (x == null ? '-' : x.toFixed(2));

/** Markdown table: organs down, held-out patients across, plus the per-patient mean. */
export function foldTable(folds: FoldResult[], organs: string[], mode: Mode): string {
  const head = `| organ | ${folds.map((f) => f.heldOut).join(' | ')} |`;
  const rule = `|---|${folds.map(() => '---:').join('|')}|`;
  const rows = organs.map((o) => `| ${o} | ${folds.map((f) => cell(f.dice[mode][o])).join(' | ')} |`);
  const mean = `| **mean** | ${folds.map((f) => `**${cell(meanDice(f.dice[mode]))}**`).join(' | ')} |`;
  return [head, rule, ...rows, mean].join('\n');
}
