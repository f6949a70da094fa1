/**
 * Every network behind one contract (contract.ts): pick by `variant`, make a config from a preset with
 * checked overrides, and build the train / infer / attention graphs. The trainer, the exporter and the
 * benchmarks call only these.
 */
import { type ClassMask, Graph, crossEntropyDiceLoss, maskedCrossEntropyDiceLoss, ops as o, type Value } from '../graph';
import type { MissuConfig, UNetConfig, UTransformerConfig } from './cnnConfig';
import { type AttentionGeometry, type BaseConfig, type GraphMode, NETWORK_KINDS, type NetworkDef, type NetworkKind, type Triple, type VolumeTokenLayout } from './contract';
import { CLASS_ANNOTATED, CLASS_MERGED, IO, TARGET, deepTargetName } from './feedNames';
import { fineFamily } from './fine';
import type { FineConfig } from './fineConfig';
import { MISSU } from './missu';
import { UNET } from './unet';
import { UTRANSFORMER } from './utransformer';

export type ModelConfig = FineConfig | UNetConfig | UTransformerConfig | MissuConfig;

const NETWORKS: Readonly<Record<NetworkKind, NetworkDef<BaseConfig>>> = {
  nnformer: fineFamily('nnformer'),
  glam: fineFamily('glam'),
  fine: fineFamily('fine'),
  unet: UNET,
  utransformer: UTRANSFORMER,
  missu: MISSU,
};

export function networkDef(kind: string): NetworkDef<BaseConfig> {
  const def = NETWORKS[kind as NetworkKind];
  if (!def) throw new Error(`variant '${kind}': choose one of ${NETWORK_KINDS.join(', ')}`);
  return def;
}

function sameType(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && b.every((v) => typeof v === typeof a[0]);
  return typeof a === typeof b;
}

/**
 * A config from `preset` of the network named by overrides.variant (default fine). Unknown keys and
 * values of the wrong type throw; so does a config the network cannot build.
 */
export function makeConfig(preset: string, overrides: Record<string, unknown> = {}): ModelConfig {
  const variant = overrides.variant ?? 'fine';
  const def = networkDef(typeof variant === 'string' ? variant : JSON.stringify(variant));
  const base = def.presets[preset];
  if (!base) throw new Error(`unknown preset '${preset}'; choose one of: ${Object.keys(def.presets).join(', ')}`);
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in base)) throw new Error(`unknown config key '${k}' for ${def.kind}; valid keys: ${Object.keys(base).join(', ')}`);
    const want = (base as unknown as Record<string, unknown>)[k];
    if (!sameType(want, v)) throw new Error(`config key '${k}' must be ${Array.isArray(want) ? 'an array' : `a ${typeof want}`}, got ${JSON.stringify(v)}`);
  }
  const cfg = { ...base, ...overrides };
  if (cfg.batch !== 1) throw new Error(`config: batch ${cfg.batch} is not supported; the trainer feeds one crop per step (batch 1)`);
  if (!Number.isInteger(cfg.classes) || cfg.classes < 2) throw new Error(`config: classes must be an integer >= 2, got ${cfg.classes}`);
  def.validate(cfg);
  return cfg as ModelConfig;
}

export interface BuildOptions {
  /** Train with the partial-label (marginal) loss: the graph takes CLASS_ANNOTATED and CLASS_MERGED. */
  partialLabels?: boolean;
}

/** Deep-supervision weights (nnU-Net): 1, 1/2, 1/4, ... over full resolution then coarser heads, normalised. */
export function deepWeights(n: number): number[] {
  const w = Array.from({ length: n }, (_, i) => 1 / 2 ** i);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/** CE + soft Dice, the nnU-Net / FINE loss; the marginal form when some classes are unannotated. */
function segLoss(g: Graph, logits: Value, onehot: Value, mask?: ClassMask): Value {
  return mask ? maskedCrossEntropyDiceLoss(g, logits, onehot, mask) : crossEntropyDiceLoss(g, logits, onehot);
}

/**
 * train: inputs + one-hot targets (full resolution and each deep-supervision scale), output `loss`
 * (segmentation loss over the heads plus the network's training-only terms). infer: output `logits`.
 * attention: `logits` plus the network's attention outputs. `seen` freezes FINE's warm-up mask.
 */
export function buildModel(cfg: ModelConfig, mode: GraphMode, seen?: Float32Array, opts: BuildOptions = {}): { graph: Graph; loss?: Value } {
  const def = networkDef(cfg.variant);
  const g = new Graph(`${cfg.variant}-${mode}`);
  const net = def.build(g, cfg, def.inputs(g, cfg, seen), mode);
  if (mode !== 'train') {
    g.output(net.logits, IO.logits);
    if (mode === 'attention') for (const [name, v] of Object.entries(net.attention)) g.output(v, name);
    return { graph: g };
  }
  const heads = [net.logits, ...net.deep];
  const weights = deepWeights(heads.length);
  const mask = opts.partialLabels
    ? { annotated: g.input(CLASS_ANNOTATED, [cfg.classes]), merged: g.input(CLASS_MERGED, [cfg.classes]) }
    : undefined;
  const terms = heads.map((logits, i) => {
    const t = g.input(i === 0 ? TARGET : deepTargetName(i - 1), logits.shape);
    return o.scale(g, segLoss(g, logits, t, mask), weights[i]);
  });
  for (const a of net.aux) terms.push(o.scale(g, a.value, a.weight));
  return { graph: g, loss: terms.reduce((a, b) => o.add(g, a, b)) };
}

/** Shapes (B, C, z, y, x) of the deep-supervision targets, in input order (finest first). */
export function deepTargetShapes(cfg: ModelConfig): number[][] {
  if (!cfg.deepSupervision) return [];
  const def = networkDef(cfg.variant);
  const g = new Graph('shapes');
  return def.build(g, cfg, def.inputs(g, cfg), 'infer').deep.map((v) => [...v.shape]);
}

/** The volume tokens `cfg`'s network gathers per tile at model spacing `spacing`, or undefined when it has none. */
export function volumeTokenLayout(cfg: ModelConfig, spacing: Triple): VolumeTokenLayout | undefined {
  return networkDef(cfg.variant).volumeTokens?.(cfg, spacing);
}

/** How the app reads `cfg`'s attention graph with outputs `outputs`, or undefined when the network exports none. */
export function attentionGeometry(cfg: ModelConfig, outputs: ReadonlySet<string>): AttentionGeometry | undefined {
  return networkDef(cfg.variant).attentionGeometry?.(cfg, outputs);
}

/** True for the windowed-transformer family (nnformer, glam, fine). */
export function isFineConfig(cfg: ModelConfig): cfg is FineConfig {
  return cfg.variant === 'nnformer' || cfg.variant === 'glam' || cfg.variant === 'fine';
}

/** makeConfig for the windowed-transformer family (nnformer, glam, fine; default fine), typed as such. */
export function makeFineConfig(preset: string, overrides: Record<string, unknown> = {}): FineConfig {
  const cfg = makeConfig(preset, overrides);
  if (!isFineConfig(cfg)) throw new Error(`variant '${cfg.variant}' is not a windowed transformer (nnformer, glam, fine)`);
  return cfg;
}
