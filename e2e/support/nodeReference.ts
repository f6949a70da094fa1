/**
 * The independent reference for browser inference: the same src/infer pipeline run in Node with
 * onnxruntime-node (provider 'cpu'), and helpers to compare label maps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSession } from '../../src/infer/runtime/backend';
import { loadModel } from '../../src/infer/runtime/loadModel';
import { readNifti } from '../../src/infer/io/nifti';
import { segmentVolume } from '../../src/infer/pipeline';
import { sessionTileRunner } from '../../src/infer/runtime/tileRunner';

/** Folder the e2e server reads models from (same rule as vite.config.ts). */
export const MODELS_DIR = process.env.FINE_MODELS_DIR ?? join(import.meta.dirname, '..', '..', 'models');

export async function segmentInNode(niftiPath: string, cardPath: string, opts: { mirror?: boolean } = {}): Promise<Uint8Array> {
  const { card, onnx } = await loadModel(cardPath);
  const volume = readNifti(new Uint8Array(readFileSync(niftiPath)), niftiPath);
  const session = await createSession(onnx, { provider: 'cpu', threads: 1 });
  try {
    return (await segmentVolume(volume, card, sessionTileRunner(session, card), opts)).labels;
  } finally {
    await session.release();
  }
}

/** Fraction of voxels on which two label maps agree. */
export function agreement(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`agreement: label maps have ${a.length} and ${b.length} voxels`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
