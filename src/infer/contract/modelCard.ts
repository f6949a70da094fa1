/**
 * The model card: the JSON file beside each `models/<name>.onnx`. It is the only thing the app and the
 * inference pipeline know about a trained network. Axis convention everywhere in this project: arrays
 * of three are (x, y, z) in NIfTI voxel order; ONNX tensors are NCDHW with D = z, H = y, W = x, so a
 * volume whose data is x-fastest is a [1, 1, nz, ny, nx] tensor with no copy.
 */

export interface LabelInfo {
  /** Value in the label map (0 is background). */
  id: number;
  name: string;
  /** RGB, 0..255. */
  color: [number, number, number];
  /** Id of the label this one becomes when the image is mirrored left-right (kidney_right <-> kidney_left); absent: itself. */
  mirror?: number;
}

export interface OnnxFileRef {
  /** File name relative to the card's folder. */
  file: string;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
  bytes: number;
}

export interface Normalisation {
  /** HU clip range (training-foreground 0.5 / 99.5 percentiles). */
  clip: [number, number];
  mean: number;
  std: number;
}

/**
 * Volume-token grid (FINE): a table of learned tokens per layer over an in-plane grid in millimetres,
 * constant along z. The grid is centred on an anchor point of the body (see `anchor`), so the same organ
 * falls under the same cell in scans with different fields of view.
 */
export interface VolumeTokenGrid {
  /** Cells along x and y. */
  cells: [number, number];
  /** Cell size along x and y, mm. */
  cellMm: [number, number];
  /** Tokens per cell. */
  tokensPerCell: number;
  /** How the grid centre is placed: centre of the bounding box of voxels above `huThreshold`. */
  anchor: 'body-bbox-centre';
  huThreshold: number;
  /** Number of int64 indices the model's `volumeTokenIndex` input takes (4 cells x tokensPerCell). */
  indexCount: number;
}

export interface ModelIO {
  /** float32 [1, 1, pz, py, px] normalised CT patch. */
  image: string;
  /** int64 [1, indexCount] volume-token indices (absent for variants without volume tokens). */
  volumeTokenIndex?: string;
  /** float32 [1, nLabels, pz, py, px] logits. */
  logits: string;
}

export interface AttentionExport extends OnnxFileRef {
  /** Output names of the attention graph (same inputs as the segmentation graph). */
  outputs: {
    /** float32 [nWindows, T, T]: W-MSA attention of the first encoder block, heads averaged; T = window tokens + voxels tokens. Windowed transformers only. */
    window?: string;
    /** float32 [nWindows, nWindows + nVolumeTokens]: G-MSA attention rows of the window tokens. Absent for nnformer. */
    global?: string;
    /** float32 [V, V]: volume-token attention over the whole table. Fine only. */
    volume?: string;
  };
  /** Token grid of the first stage, (x, y, z), and the window size in tokens (x, y, z). */
  tokenGrid: [number, number, number];
  window: [number, number, number];
  /** Window tokens prepended to each window (0 for nnformer). */
  windowTokens: number;
  /**
   * U-Transformer: one cross-attention map per gated skip, float32 [T, T] (heads averaged) over the T
   * tokens of `tokenGrid` (x, y, z), the grid of the decoder features that query it; one window covers the tile.
   */
  cross?: CrossAttentionLevel[];
}

export interface CrossAttentionLevel {
  output: string;
  /** Encoder stage of the gated skip (0 = full resolution). */
  stage: number;
  tokenGrid: [number, number, number];
}

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

export interface TrainingRecord {
  data: string[];
  steps: number;
  preset: string;
  seconds: number;
  /** Free text: what the validation split was. */
  validation: string;
  /** Per-label validation Dice (silver-standard labels where stated), by label name. */
  dice: Record<string, number>;
  meanDice: number;
  curve: { step: number; loss: number; meanDice?: number }[];
  /** The training recipe (augmentation probabilities and ranges, sampling, optimiser settings), as the trainer ran it. */
  recipe?: Record<string, unknown>;
  /** Where each training case came from, its licence and what its labels are (for the cases the trainer knows). */
  provenance?: CaseProvenance[];
  /** Leave-one-patient-out cross-validation of the recipe (npm run crossval). */
  crossValidation?: { preset: string; steps: number; init: string | null; folds: { heldOut: string; silver: boolean; protocol?: string; dice: Record<string, Record<string, number | null>> }[] };
}

/**
 * What the model was trained on, for the applicability checks (preprocess/applicability.ts): written by
 * the trainer from its training label maps (`organVolumeRanges`). Optional; absent, those checks are off.
 */
export interface Applicability {
  /** Per label name, [low, high] organ volume in mL: 0.5 x the smallest and 2 x the largest seen in training. */
  organVolumeMl: Record<string, [number, number]>;
}

/**
 * How the pipeline runs this model by default (each switchable per run): test-time left-right
 * mirroring with the lateral labels swapped, and nnU-Net's largest-component post-processing for the
 * organs the cross-validation chose. Absent: neither.
 */
export interface InferenceDefaults {
  /** Average the logits of the scan and of its left-right mirror (lateral channels swapped back). */
  mirror: boolean;
  /** Label names whose largest connected component alone is kept. */
  largestComponent: string[];
  /** Where these choices came from (the cross-validation that decided them). */
  basis?: string;
}

export interface ModelCard {
  format: 'fine-model-card/1';
  name: string;
  description: string;
  /** The network: nnformer, glam, fine (windowed transformers) or unet, utransformer, missu. */
  variant: NetworkVariant;
  preset: string;
  parameters: number;
  onnx: OnnxFileRef;
  attention?: AttentionExport;
  labels: LabelInfo[];
  /** Target spacing, mm, (x, y, z). */
  spacing: [number, number, number];
  /** Patch size in voxels, (x, y, z). */
  patchSize: [number, number, number];
  normalisation: Normalisation;
  volumeTokens?: VolumeTokenGrid;
  io: ModelIO;
  training: TrainingRecord;
  applicability?: Applicability;
  inference?: InferenceDefaults;
}
