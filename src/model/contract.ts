/**
 * The model contract every network implements. The trainer, the exporter, the card and the inference
 * pipeline know a network only through this: a typed config record with presets, and a builder against
 * src/graph that returns the forward logits, the deep-supervision logits, any training-only losses and
 * any attention outputs for the app.
 */
import type { Graph, Value } from '../graph';
import { IO } from './feedNames';

export type Triple = [number, number, number];

/** Every network kind the workbench trains and runs. */
export type NetworkKind = 'nnformer' | 'glam' | 'fine' | 'unet' | 'utransformer' | 'missu';
export const NETWORK_KINDS: readonly NetworkKind[] = ['nnformer', 'glam', 'fine', 'unet', 'utransformer', 'missu'];

/** Fields every network's config has. */
export interface BaseConfig {
  /** The network kind. */
  variant: NetworkKind;
  /** Input patch in voxels (x, y, z) at the model spacing. */
  patch: Triple;
  /** Output classes including background. */
  classes: number;
  /** Add logits heads on coarser decoder stages (training loss only). */
  deepSupervision: boolean;
  /** Crops per training step (1: the runtime feeds one crop per step). */
  batch: number;
}

export type GraphMode = 'train' | 'infer' | 'attention';

export interface NetworkInputs {
  /** float32 [B, 1, z, y, x] normalised CT patch. */
  image: Value;
  /** FINE: int64 [B, indexCount] volume-token indices of the crop's grid cells. */
  vtIndex?: Value;
  /** FINE: [V] 1 for volume tokens seen in training (an input while training, a constant once exported). */
  vtSeen?: Value;
}

/** A loss term only the training graph has (MISSU's self-distillation), added with its weight. */
export interface AuxLoss {
  name: string;
  value: Value;
  weight: number;
}

export interface NetworkOutputs {
  /** [B, classes, z, y, x] at the patch size. */
  logits: Value;
  /** Deep-supervision logits [B, classes, z_s, y_s, x_s], finest first (may be empty). */
  deep: Value[];
  /** Training-only loss terms (mode 'train' only). */
  aux: AuxLoss[];
  /** Attention outputs by ONNX output name (mode 'attention' only). */
  attention: Record<string, Value>;
}

/** FINE's volume-token grid as the card describes it, and the size of the table (the warm-up mask's length). */
export interface VolumeTokenLayout {
  cells: [number, number];
  cellMm: [number, number];
  tokensPerCell: number;
  /** Indices one tile gathers. */
  indexCount: number;
  /** Tokens in the table. */
  count: number;
}

/** How the app reads a network's attention graph: output names, the token grid and window of stage 0, or cross-attention maps. */
export interface AttentionGeometry {
  outputs: { window?: string; global?: string; volume?: string };
  tokenGrid: Triple;
  window: Triple;
  windowTokens: number;
  cross?: { output: string; stage: number; tokenGrid: Triple }[];
}

/** One network: its presets, its checks and its builder. */
export interface NetworkDef<C extends BaseConfig> {
  kind: NetworkKind;
  /** One line for the card and the app's picker. */
  summary: string;
  presets: Readonly<Record<string, C>>;
  /** Throws a one-line error for a config this network cannot build. */
  validate(cfg: C): void;
  /** Declares the network's inputs on `g` (image, and whatever else it needs). */
  inputs(g: Graph, cfg: C, seen?: Float32Array): NetworkInputs;
  build(g: Graph, cfg: C, inp: NetworkInputs, mode: GraphMode): NetworkOutputs;
  /** The volume tokens a tile gathers at model spacing `spacing` (mm, x y z); absent: the network has none. */
  volumeTokens?(cfg: C, spacing: Triple): VolumeTokenLayout | undefined;
  /** How the app reads the attention graph whose outputs are `outputs`; absent or undefined: no attention export. */
  attentionGeometry?(cfg: C, outputs: ReadonlySet<string>): AttentionGeometry | undefined;
}

export const zyx = (t: Triple): Triple => [t[2], t[1], t[0]];

/** The image input every network has. */
export function imageInput(g: Graph, cfg: BaseConfig): NetworkInputs {
  const [pz, py, px] = zyx(cfg.patch);
  return { image: g.input(IO.image, [cfg.batch, 1, pz, py, px]) };
}
