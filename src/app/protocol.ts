/**
 * Messages between the app and its inference worker. Everything is structured-cloneable; large
 * arrays are transferred. The worker owns the volume: `open` copies it there once, and every later
 * request names it by id.
 */
import type { AttentionLevel } from '../infer/attention/attentionMap';
import type { LabelInfo, ModelCard } from '../infer/contract/modelCard';
import type { NiftiVolume, Vec3 } from '../infer/io/nifti';
import type { StageSeconds } from '../infer/pipeline';
import type { AdaptCheckpoint, AdaptSettings, StepReport } from '../infer/adapt/loop';
import type { HeldOutScore } from '../infer/adapt/heldOut';
import type { ModelFiles } from '../infer/adapt/adaptedModel';
import type { DiceRow, Disagreement } from './reference';
import type { Backend } from './state';

export type ToWorker =
  /** The volume later requests refer to by `volumeId`; it replaces the one opened before. */
  | { type: 'open'; volumeId: number; volume: NiftiVolume }
  /** `runId` is echoed in every reply about this run, so replies of an older run are recognised and dropped. */
  | { type: 'segment'; runId: number; volumeId: number; card: ModelCard; cardUrl: string; provider: Backend; threads: number; ortBuild?: 'webgpu'; mirror?: boolean; postprocess?: boolean }
  /** Create the model's session ahead of a run (a volume and a model are chosen), silently: the run reports any failure. */
  | { type: 'warm'; card: ModelCard; cardUrl: string; provider: Backend; threads: number; ortBuild?: 'webgpu' }
  | { type: 'cancel' }
  | { type: 'attention'; voxel: Vec3; level: AttentionLevel }
  /** Score `pred` against `ref` (both on the open volume's grid); replies carry `compareId`. */
  | { type: 'compare'; compareId: number; volumeId: number; pred: Uint8Array; ref: Uint8Array; labelInfo: LabelInfo[] }
  /**
   * One forward and backward pass of the model's training graph (its card's `adaptation`) on `feeds`:
   * the crop, its targets and every parameter. Adaptation is built on it; replies carry `id`.
   */
  | { type: 'gradients'; id: number; card: ModelCard; cardUrl: string; provider: Backend; threads: number; ortBuild?: 'webgpu'; feeds: Record<string, GraphFeed> }
  /**
   * Teach the model the open volume's corrected labels (`model`: its own labels before the correction):
   * progress, checkpoints and the outcome carry `id`; `cancel` stops it between steps.
   */
  | { type: 'adapt'; id: number; volumeId: number; card: ModelCard; cardUrl: string; provider: Backend; threads: number; ortBuild?: 'webgpu'; corrected: Uint8Array; model: Uint8Array; settings: AdaptSettings; name: string; resume?: AdaptCheckpoint };

export type AdaptPhase = 'preparing' | 'training' | 'scoring';

export interface AdaptDone {
  files: ModelFiles;
  before: HeldOutScore;
  after: HeldOutScore;
  heldOutSlices: [number, number];
  seconds: number;
  /** Seconds of the training steps alone. */
  trainSeconds: number;
  steps: number;
  provider: Backend;
}

/** A tensor fed to a graph. */
export interface GraphFeed {
  data: Float32Array | BigInt64Array;
  dims: number[];
}

export type WorkerPhase = 'fetching-model' | 'creating-session' | 'running' | 'attention';

export type FromWorker =
  | { type: 'phase'; phase: WorkerPhase }
  | { type: 'progress'; runId: number; done: number; total: number; elapsedSeconds: number }
  | { type: 'done'; runId: number; labelInfo: LabelInfo[]; labels: Uint8Array; volumesMl: Record<number, number>; seconds: number; tiles: number; warnings: string[]; provider: Backend; build?: 'wasm' | 'webgpu'; threads?: number; outsideRunSeconds?: number; stages?: StageSeconds }
  | { type: 'cancelled'; runId: number; message: string }
  | { type: 'attention'; voxel: Vec3; level: AttentionLevel; heat: Float32Array }
  | { type: 'compareDice'; compareId: number; rows: DiceRow[] }
  | { type: 'compareProgress'; compareId: number; done: number; total: number }
  | { type: 'compareDone'; compareId: number; rows: DiceRow[]; disagreement: Disagreement }
  | { type: 'error'; message: string; during: string; runId?: number }
  | { type: 'gradients'; id: number; loss: number; grads: Record<string, Float32Array>; provider: Backend; build?: 'wasm' | 'webgpu' }
  | { type: 'gradientsFailed'; id: number; message: string }
  | { type: 'adaptPhase'; id: number; phase: AdaptPhase }
  | { type: 'adaptStep'; id: number; report: StepReport }
  | { type: 'adaptCheckpoint'; id: number; checkpoint: AdaptCheckpoint }
  | ({ type: 'adapted'; id: number } & AdaptDone)
  | { type: 'adaptFailed'; id: number; message: string; cancelled: boolean };
