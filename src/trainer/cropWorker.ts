/**
 * Worker thread of the crop queue: holds the training cases and prepares each requested step's crop
 * with `sampleCrop`, so augmentation runs beside the optimiser instead of before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TrainCase } from './data';
import { type SamplerSpec, sampleCrop } from './sampler';

const { cases, spec } = workerData as { cases: TrainCase[]; spec: SamplerSpec };
const port = parentPort;
if (!port) throw new Error('cropWorker: must run as a worker thread');
port.on('message', (m: { step: number; seed: number }) => {
  try {
    const crop = sampleCrop(cases, spec, m.seed);
    const transfer = Object.values(crop.feeds).map((t) => t.data.buffer as ArrayBuffer);
    port.postMessage({ step: m.step, crop }, transfer);
  } catch (e) {
    port.postMessage({ step: m.step, error: (e as Error).stack ?? String(e) });
  }
});
