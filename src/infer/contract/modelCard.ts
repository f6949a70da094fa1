/**
 * The model card: the JSON file beside each `models/<name>.onnx`. It is the only thing the app and the
 * inference pipeline know about a trained network. Axis convention everywhere in this project: arrays
 * of three are (x, y, z) in NIfTI voxel order; ONNX tensors are NCDHW with D = z, H = y, W = x, so a
 * volume whose data is x-fastest is a [1, 1, nz, ny, nx] tensor with no copy.
 */
import {
  type Infer, array, bool, int, isPositive, isPositiveInt, literal, matching, num, object, oneOf, opaque, optional, positive, record, refine, str, tuple,
} from './schema';

/*
 * The card is described once, here, as schemas: the types below are inferred from them and
 * `parseModelCard` (cardCheck.ts) validates with them.
 */

const byte = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255;
const xyzInts = () => tuple(3, isPositiveInt, 'positive integers (x, y, z)');

const labelSchema = object({
  /** Value in the label map (0 is background). */
  id: int(0),
  name: str(),
  /** RGB, 0..255. */
  color: tuple(3, byte, 'integers 0..255'),
  /** Id of the label this one becomes when the image is mirrored left-right (kidney_right <-> kidney_left); absent: itself. */
  mirror: optional(int(0)),
});
export type LabelInfo = Infer<typeof labelSchema>;

/** 2..256 labels, background first, unique ids 0..255, mirror partners that name each other. */
const labelListSchema = refine(array(labelSchema), (labels) => {
  if (labels.length < 2 || labels.length > 256) return ['', 'an array of 2..256 labels (background first)'];
  const seen = new Set<number>();
  for (const [i, l] of labels.entries()) {
    if (l.id > 255 || seen.has(l.id)) return [`[${i}].id`, 'a unique integer 0..255'];
    seen.add(l.id);
  }
  for (const [i, l] of labels.entries()) {
    if (l.mirror !== undefined && !labels.some((m) => m.id === l.mirror && m.mirror === l.id)) return [`[${i}].mirror`, `the id of a label that names ${l.id} back as its mirror partner`];
  }
  return null;
});

const onnxFields = {
  /** File name relative to the card's folder. */
  file: str(),
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: matching(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  bytes: int(1),
};
const onnxFileSchema = object(onnxFields);
export type OnnxFileRef = Infer<typeof onnxFileSchema>;

const normalisationSchema = refine(
  object({
    /** HU clip range (training-foreground 0.5 / 99.5 percentiles). */
    clip: tuple(2, (x) => typeof x === 'number' && Number.isFinite(x), 'finite numbers'),
    mean: num(),
    std: positive(),
  }),
  (n) => (n.clip[0] < n.clip[1] ? null : ['clip', '[low, high] with low < high']),
);
export type Normalisation = Infer<typeof normalisationSchema>;

/**
 * Volume-token grid (FINE): a table of learned tokens per layer over an in-plane grid in millimetres,
 * constant along z. The grid is centred on an anchor point of the body (see `anchor`), so the same organ
 * falls under the same cell in scans with different fields of view.
 */
const volumeTokenSchema = refine(
  object({
    /** Tokens per cell. */
    tokensPerCell: int(1),
    /** Number of int64 indices the model's `volumeTokenIndex` input takes (4 cells x tokensPerCell). */
    indexCount: int(1),
    /** Cells along x and y. */
    cells: tuple(2, isPositiveInt, 'positive integers'),
    /** Cell size along x and y, mm. */
    cellMm: tuple(2, isPositive, 'positive numbers (mm)'),
    /** How the grid centre is placed: centre of the bounding box of voxels above `huThreshold`. */
    anchor: oneOf(['body-bbox-centre'] as const),
    huThreshold: num(),
  }),
  (v) => (v.indexCount === 4 * v.tokensPerCell ? null : ['indexCount', `4 x tokensPerCell = ${4 * v.tokensPerCell}`]),
);
export type VolumeTokenGrid = Infer<typeof volumeTokenSchema>;

const modelIOSchema = object({
  /** float32 [1, 1, pz, py, px] normalised CT patch. */
  image: str(),
  /** float32 [1, nLabels, pz, py, px] logits. */
  logits: str(),
  /** int64 [1, indexCount] volume-token indices (absent for variants without volume tokens). */
  volumeTokenIndex: optional(str()),
});
export type ModelIO = Infer<typeof modelIOSchema>;

const crossLevelSchema = object({
  output: str(),
  /** Encoder stage of the gated skip (0 = full resolution). */
  stage: int(0),
  tokenGrid: xyzInts(),
});
export type CrossAttentionLevel = Infer<typeof crossLevelSchema>;

const attentionSchema = refine(
  object({
    ...onnxFields,
    /** Output names of the attention graph (same inputs as the segmentation graph). */
    outputs: object({
      /** float32 [nWindows, T, T]: W-MSA attention of the first encoder block, heads averaged; T = window tokens + voxels tokens. Windowed transformers only. */
      window: optional(str()),
      /** float32 [nWindows, nWindows + nVolumeTokens]: G-MSA attention rows of the window tokens. Absent for nnformer. */
      global: optional(str()),
      /** float32 [V, V]: volume-token attention over the whole table. Fine only. */
      volume: optional(str()),
    }),
    /** Token grid of the first stage, (x, y, z), and the window size in tokens (x, y, z). */
    tokenGrid: xyzInts(),
    window: xyzInts(),
    /** Window tokens prepended to each window (0 for nnformer). */
    windowTokens: int(0),
    /**
     * U-Transformer: one cross-attention map per gated skip, float32 [T, T] (heads averaged) over the T
     * tokens of `tokenGrid` (x, y, z), the grid of the decoder features that query it; one window covers the tile.
     */
    cross: optional(array(crossLevelSchema)),
  }),
  // Windowed transformers export the window attention; a network with cross-attention maps may not.
  (a) => (a.outputs.window !== undefined || a.cross ? null : ['outputs.window', 'a string']),
);
export type AttentionExport = Infer<typeof attentionSchema>;

/**
 * The training graph shipped beside the model for adaptation to a user's corrections (`<name>.train.onnx`):
 * forward and backward at the card's patch size, with every parameter as a graph input named as the
 * model's initializer; outputs the loss and one gradient per parameter. The optimiser settings are the
 * defaults the app and `npm run adapt` use.
 */
const adaptationSchema = object({
  ...onnxFields,
  /** The data inputs (crop, one-hot targets, token indices), besides the parameters. */
  inputs: array(object({ name: str(), shape: array(int(1)), dtype: oneOf(['float32', 'int64'] as const) })),
  /** Parameters the graph takes as inputs (all the model's trainable initializers). */
  parameters: int(1),
  loss: str(),
  /** Output name of a parameter's gradient: this prefix and the parameter's name. */
  gradPrefix: str(),
  optimizer: object({
    kind: literal('adamw', '"adamw"'),
    lr: positive(),
    beta1: num(0),
    beta2: num(0),
    weightDecay: num(0),
    /** Weight of the pull toward the base model's weights (L2-SP): gradient += anchor * (w - w_base). */
    anchor: num(0),
    /** Default number of steps. */
    steps: int(1),
  }),
});
export type AdaptationExport = Infer<typeof adaptationSchema>;

const sha256Field = () => matching(/^[0-9a-f]{64}$/, '64 lower-case hex digits');

/**
 * Where an adapted model came from: the base model (name and ONNX sha256), the settings and steps, the
 * content hashes of the corrected scans it learned from (never their voxels or names), and the held-out
 * Dice of the base and the adapted model measured before it was kept.
 */
const adaptedSchema = object({
  base: object({ name: str(), sha256: sha256Field() }),
  steps: int(1),
  settings: object({ lr: positive(), beta1: num(0), beta2: num(0), weightDecay: num(0), anchor: num(0), clip: positive(), seed: int(0) }),
  /** sha256 of each scan's voxels (float32 HU) and of its corrected labels (one byte per voxel). */
  scans: array(object({ volumeSha256: sha256Field(), labelsSha256: sha256Field() })),
  heldOut: optional(object({ what: str(), before: num(), after: num() })),
  /** Where it was adapted: 'browser (wasm)', 'browser (webgpu)', 'node (cpu)'. */
  where: str(),
  created: str(),
  finalLoss: num(),
});
export type AdaptedProvenance = Infer<typeof adaptedSchema>;

/** The network kinds a card may name. */
export const NETWORK_VARIANTS = ['nnformer', 'glam', 'fine', 'unet', 'utransformer', 'missu'] as const;
export type NetworkVariant = (typeof NETWORK_VARIANTS)[number];

export interface CaseProvenance {
  case: string;
  source: string;
  licence: string;
  /** 'silver': another model's output; 'reference': the dataset's own reference masks; 'manual': drawn by hand. */
  labels: 'silver' | 'reference' | 'manual';
  /** Organs labelled, when not all of them. */
  annotates?: string[];
}

/** Leave-one-patient-out cross-validation of the recipe (npm run crossval). */
export interface CrossValidationRecord {
  preset: string;
  steps: number;
  init: string | null;
  folds: { heldOut: string; silver: boolean; protocol?: string; dice: Record<string, Record<string, number | null>> }[];
}

const trainingSchema = object({
  data: array(str(), 'an array of strings'),
  steps: int(0),
  preset: str(),
  seconds: num(0, 'a number >= 0'),
  /** Free text: what the validation split was. */
  validation: str(),
  /** Per-label validation Dice (silver-standard labels where stated), by label name. */
  dice: record(num()),
  meanDice: num(),
  curve: array(object({ step: int(0), loss: num(), meanDice: optional(num()) })),
  /** The training recipe (augmentation probabilities and ranges, sampling, optimiser settings), as the trainer ran it. */
  recipe: optional(opaque<Record<string, unknown>>()),
  /** Where each training case came from, its licence and what its labels are (for the cases the trainer knows; shown, not read). */
  provenance: optional(array(opaque<CaseProvenance>())),
  crossValidation: optional(opaque<CrossValidationRecord>()),
});
export type TrainingRecord = Infer<typeof trainingSchema>;

/**
 * What the model was trained on, for the applicability checks (preprocess/applicability.ts): written by
 * the trainer from its training label maps (`organVolumeRanges`). Optional; absent, those checks are off.
 */
const applicabilitySchema = object({
  /** Per label name, [low, high] organ volume in mL: 0.5 x the smallest and 2 x the largest seen in training. */
  organVolumeMl: record(refine(tuple(2, (x) => typeof x === 'number' && Number.isFinite(x) && x >= 0, 'numbers >= 0 (mL)'), (r) => (r[0] <= r[1] ? null : ['', '[low, high] mL with low <= high']))),
});
export type Applicability = Infer<typeof applicabilitySchema>;

/**
 * How the pipeline runs this model by default (each switchable per run): test-time left-right
 * mirroring with the lateral labels swapped, and nnU-Net's largest-component post-processing for the
 * organs the cross-validation chose. Absent: neither.
 */
const inferenceSchema = object({
  /** Average the logits of the scan and of its left-right mirror (lateral channels swapped back). */
  mirror: bool(),
  /** Label names whose largest connected component alone is kept. */
  largestComponent: array(str()),
  /** Where these choices came from (the cross-validation that decided them). */
  basis: optional(str()),
});
export type InferenceDefaults = Infer<typeof inferenceSchema>;

const cardFields = object({
  format: literal('fine-model-card/1', '"fine-model-card/1" (this app reads card format 1)'),
  /** The network: nnformer, glam, fine (windowed transformers) or unet, utransformer, missu. */
  variant: oneOf(NETWORK_VARIANTS),
  io: modelIOSchema,
  name: str(),
  description: str(),
  preset: str(),
  parameters: int(0),
  onnx: onnxFileSchema,
  labels: labelListSchema,
  /** Target spacing, mm, (x, y, z). */
  spacing: tuple(3, isPositive, 'positive numbers (mm, x y z)'),
  /** Patch size in voxels, (x, y, z). */
  patchSize: tuple(3, isPositiveInt, 'positive integers (voxels, x y z)'),
  normalisation: normalisationSchema,
  training: trainingSchema,
  applicability: optional(applicabilitySchema),
  inference: optional(inferenceSchema),
  attention: optional(attentionSchema),
  volumeTokens: optional(volumeTokenSchema),
  adaptation: optional(adaptationSchema),
  adapted: optional(adaptedSchema),
});

/** The card, with the checks that span its parts: organ names refer to its labels; io and volumeTokens agree. */
export const modelCardSchema = refine(cardFields, (c) => {
  const organs = c.labels.slice(1).map((l) => l.name);
  if (c.inference && !c.inference.largestComponent.every((n) => organs.includes(n))) return ['inference.largestComponent', `an array of the card's organ names (${organs.join(', ')})`];
  const names = c.labels.map((l) => l.name);
  const unknown = Object.keys(c.applicability?.organVolumeMl ?? {}).find((k) => !names.includes(k));
  if (unknown !== undefined) return [`applicability.organVolumeMl.${unknown}`, `the name of one of the card's labels (${names.join(', ')})`];
  // The network's inputs are what the card's io declares: a volume-token input needs its grid, and the reverse.
  if (c.volumeTokens && !c.io.volumeTokenIndex) return ['io', 'an object naming volumeTokenIndex, since volumeTokens is given'];
  if (!c.volumeTokens && c.io.volumeTokenIndex) return ['volumeTokens', 'present when io.volumeTokenIndex is given'];
  return null;
});

export type ModelCard = Infer<typeof modelCardSchema>;
