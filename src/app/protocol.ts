/**
 * Messages between the app and its inference worker. Everything is structured-cloneable; large
 * arrays are transferred.
 */
import type { AttentionLevel } from '../infer/attentionMap';
import type { ModelCard } from '../infer/modelCard';
import type { NiftiVolume, Vec3 } from '../infer/nifti';
import type { Backend } from './store';

export type ToWorker =
  | { type: 'segment'; volume: NiftiVolume; card: ModelCard; cardUrl: string; provider: Backend; threads: number }
  | { type: 'cancel' }
  | { type: 'attention'; voxel: Vec3; level: AttentionLevel };

export type WorkerPhase = 'fetching-model' | 'creating-session' | 'running' | 'attention';

export type FromWorker =
  | { type: 'phase'; phase: WorkerPhase }
  | { type: 'progress'; done: number; total: number; elapsedSeconds: number }
  | { type: 'done'; labels: Uint8Array; volumesMl: Record<number, number>; seconds: number; tiles: number; warnings: string[]; provider: Backend }
  | { type: 'cancelled'; message: string }
  | { type: 'attention'; voxel: Vec3; level: AttentionLevel; heat: Float32Array }
  | { type: 'error'; message: string; during: string };
