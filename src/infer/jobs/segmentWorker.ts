/** A folder-mode worker thread: loads the model once, then segments the scans it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { createSession } from '../runtime/backend';
import { loadModel } from '../runtime/loadModel';
import { segmentNiftiFile } from './segmentFile';

const { cardPath, threads, inference } = workerData as { cardPath: string; threads: number; inference: { mirror?: boolean; postprocess?: boolean } };
const port = parentPort;
if (!port) throw new Error('segmentWorker: must run as a worker thread');
const ready = (async () => {
  const { card, onnx } = await loadModel(cardPath);
  return { card, session: await createSession(onnx, { provider: 'cpu', threads }) };
})();
port.on('message', (m: { input: string; output: string } | 'close') => {
  void (async () => {
    const { card, session } = await ready;
    if (m === 'close') {
      await session.release();
      port.close();
      return;
    }
    try {
      port.postMessage({ input: m.input, result: await segmentNiftiFile(m.input, m.output, card, session, inference) });
    } catch (e) {
      port.postMessage({ input: m.input, error: (e as Error).message });
    }
  })();
});
