/**
 * Adaptation in the worker: the open volume and its corrected labels on the model's grid, split into
 * the slices learnt from and those held out, then the shared job (infer/adapt/run.ts).
 */
import type { AdaptCheckpoint, AdaptSettings } from '../infer/adapt/loop';
import { type AdaptHooks, type AdaptResult, type AdaptSessions, runAdaptJob } from '../infer/adapt/run';
import { adaptScan, scanHashes, splitForHoldOut } from '../infer/adapt/scan';
import type { ModelCard } from '../infer/contract/modelCard';
import type { NiftiVolume } from '../infer/io/nifti';

export interface AdaptRequest {
  card: ModelCard;
  volume: NiftiVolume;
  corrected: Uint8Array;
  model: Uint8Array;
  settings: AdaptSettings;
  name: string;
  where: string;
  resume?: AdaptCheckpoint;
}

export async function runAdaptation(
  r: AdaptRequest,
  files: { onnx: () => Promise<Uint8Array>; attention: () => Promise<Uint8Array | undefined> },
  sessions: AdaptSessions,
  hooks: AdaptHooks,
): Promise<AdaptResult & { heldOutSlices: [number, number] }> {
  hooks.onPhase?.('preparing');
  const scan = adaptScan(r.volume, r.corrected, r.model, r.card);
  const { train, z } = splitForHoldOut(scan);
  const out = await runAdaptJob(
    {
      card: r.card, onnx: await files.onnx(), attention: await files.attention(), learn: [train], heldOut: [{ scan, z }], settings: r.settings, name: r.name,
      scans: [await scanHashes(r.volume, r.corrected)], where: r.where, resume: r.resume,
    },
    sessions,
    hooks,
  );
  return { ...out, heldOutSlices: [z, scan.dims[2]] };
}
