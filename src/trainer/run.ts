/**
 * One training run from case files to exported model: read and prepare the cases, fix the normalisation
 * and the card, train, export. `npm run train` and `npm run ablation` both call it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { organVolumeRanges } from '../infer/preprocess/applicability';
import type { LabelInfo, ModelCard } from '../infer/contract/modelCard';
import type { ModelConfig } from '../model';
import { draftCard } from './card';
import { provenanceOf } from './provenance';
import type { TrainConfig } from './config';
import { type CasePair, normalisationOf, prepareCase, readCase } from './data';
import { type TrainOptions, train } from './train';
import { labelIds } from '../infer/contract/labels';

export interface RunSpec extends Omit<TrainOptions, 'out'> {
  /** Output path without extension: writes <out>.onnx, <out>.json (and <out>.attn.onnx, <out>.ckpt). */
  out: string;
  preset: string;
  cfg: ModelConfig;
  tc: TrainConfig;
  labels: LabelInfo[];
  /** Model spacing, mm (x, y, z). */
  spacing: [number, number, number];
  train: CasePair[];
  /** Validation cases; undefined: the training cases (said so in the card). */
  val?: CasePair[];
  /** What the validation split is, for the card. */
  validation?: string;
  /** Where the label table came from, for the log. */
  labelSource?: string;
}

export async function trainRun(s: RunSpec): Promise<ModelCard> {
  if (!existsSync(dirname(s.out))) mkdirSync(dirname(s.out), { recursive: true });
  const raws = s.train.map(readCase);
  const valRaws = s.val ? s.val.map(readCase) : raws;
  const name = basename(s.out);
  // Preprocessing needs a card; the normalisation comes from the prepared cases, so it starts as identity.
  const grid = draftCard(name, s.preset, s.cfg, s.labels, s.spacing, { clip: [-32768, 32767], mean: 0, std: 1 }, 0);
  const cases = raws.map((r) => prepareCase(r, grid));
  // Fine-tuning keeps the intensity scale the initial weights learned (the card beside the .onnx).
  const initCard = s.init ? s.init.replace(/\.onnx$/, '.json') : undefined;
  const norm = initCard && existsSync(initCard)
    ? (JSON.parse(readFileSync(initCard, 'utf8')) as ModelCard).normalisation
    : normalisationOf(cases, s.labels.map((l) => l.name));
  const applicability = { organVolumeMl: organVolumeRanges(raws.map((r) => ({ labels: labelIds(r.label.data, r.pair.label), spacing: r.label.spacing })), s.labels) };
  const card = { ...grid, normalisation: norm, applicability, training: { ...grid.training, recipe: { ...s.tc } } };
  s.log(`training ${name}: ${s.cfg.variant}/${s.preset}, ${s.train.length} case(s) ${s.train.map((p) => p.name).join(', ')}, ${s.labels.length} labels${s.labelSource ? ` (${s.labelSource})` : ''}, patch ${s.cfg.patch.join('x')} at ${s.spacing.join('x')} mm, normalisation clip [${norm.clip.map((v) => v.toFixed(0))}] mean ${norm.mean.toFixed(1)} std ${norm.std.toFixed(1)}`);
  card.training.data = s.train.map((p) => p.name);
  const provenance = provenanceOf(card.training.data);
  if (provenance.length) card.training.provenance = provenance;
  card.training.validation = s.validation
    ?? `validation on the training data (${s.train.map((p) => p.name).join(', ')}): a sanity check, not a measure of generalisation`;
  return train(s.cfg, s.tc, card, cases, valRaws, s);
}
