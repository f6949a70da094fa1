/**
 * One Node inference run in its own process (so peak RSS is this run's): prints one JSON line with
 * seconds, voxels/s, the share of wall time outside session.run, and the peak RSS in MB.
 * Usage: tsx bench/inferNode.ts <ct.nii.gz> <card.json> [threads] [plain | full]; `full` adds test-time
 * mirroring and largest-component post-processing of every organ (the costliest inference defaults).
 */
import { readFileSync } from 'node:fs';
import { createSession } from '../src/infer/runtime/backend';
import { loadModel } from '../src/infer/runtime/loadModel';
import { readNifti } from '../src/infer/io/nifti';
import { segmentVolume } from '../src/infer/pipeline';
import { sessionTileRunner } from '../src/infer/runtime/tileRunner';

const [input, cardPath, threads = '2', mode = 'plain'] = process.argv.slice(2);
const t0 = performance.now();
const volume = readNifti(new Uint8Array(readFileSync(input)), input);
const { card, onnx } = await loadModel(cardPath);
const session = await createSession(onnx, { provider: 'cpu', threads: Number(threads) });
const setup = (performance.now() - t0) / 1000;
const full = mode === 'full';
const res = await segmentVolume(volume, full ? { ...card, inference: { mirror: true, largestComponent: card.labels.slice(1).map((l) => l.name) } } : card, sessionTileRunner(session, card), { mirror: full, postprocess: full });
await session.release();
const voxels = volume.dims[0] * volume.dims[1] * volume.dims[2];
console.log(JSON.stringify({
  seconds: res.seconds,
  setupSeconds: setup,
  voxelsPerSecond: voxels / res.seconds,
  outsideRunShare: res.outsideRunSeconds / res.seconds,
  tiles: res.tiles,
  stages: res.stages,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
}));
