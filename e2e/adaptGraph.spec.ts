/**
 * The training graph shipped for adaptation (models/<name>.train.onnx, the card's `adaptation`) runs in
 * the app's worker on both providers: one forward and backward pass on the same crop and weights gives
 * onnxruntime-node's loss and every gradient, within 1e-4 on WASM and 1e-3 on WebGPU.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeConfig } from '../src/model';
import type { ModelCard } from '../src/infer/contract/modelCard';
import { createSession, type HostTensor } from '../src/infer/runtime/backend';
import { adaptationGraph } from '../src/trainer/adaptGraph';
import { adaptProbeFeeds, weightFeeds } from '../test/trainer/adaptFeeds';
import { expect, openApp, test } from './fixtures';
import { MODELS_DIR } from './support/nodeReference';

const MODEL = 'fine-tiny';
const cardFile = join(MODELS_DIR, `${MODEL}.json`);
test.skip(!existsSync(cardFile), `needs models/${MODEL}.json`);

const b64 = (t: HostTensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64');

test('one training step\'s loss and gradients in the worker equal onnxruntime-node\'s, on WASM and on WebGPU', async ({ page }) => {
  const card = JSON.parse(readFileSync(cardFile, 'utf8')) as ModelCard;
  const ad = card.adaptation!;
  expect(ad).toBeDefined();
  const params = adaptationGraph(makeConfig(card.preset, { variant: card.variant, classes: card.labels.length })).paramList().map((p) => p.value);
  const feeds = { ...adaptProbeFeeds(ad.inputs), ...weightFeeds(new Uint8Array(readFileSync(join(MODELS_DIR, card.onnx.file))), params.map((p) => p.name), params.map((p) => p.shape)) };
  const node = await createSession(new Uint8Array(readFileSync(join(MODELS_DIR, ad.file))), { provider: 'cpu', threads: 1 });
  const ref = await node.run(feeds);
  await node.release();
  const req = Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.data instanceof BigInt64Array ? 'int64' as const : 'float32' as const, dims: [...t.dims], b64: b64(t) }));

  await openApp(page, '?backend=wasm');
  for (const [provider, tolerance] of [['wasm', 1e-4], ['webgpu', 1e-3]] as const) {
    const got = await page.evaluate((r) => (window as unknown as { __fine: import('../src/app/testHooks').FineTestHooks }).__fine.adaptGradients(r), { model: MODEL, provider, feeds: req });
    expect(Object.keys(got.grads).sort()).toEqual(params.map((p) => p.name).sort());
    let worst = Math.abs(got.loss - ref[ad.loss].data[0]), scale = 0;
    for (const p of params) {
      const want = ref[ad.gradPrefix + p.name].data;
      const have = new Float32Array(new Uint8Array(Buffer.from(got.grads[p.name], 'base64')).buffer);
      expect(have.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(have[i] - want[i]));
        scale = Math.max(scale, Math.abs(want[i]));
      }
    }
    console.log(`adaptation graph on ${provider} (${got.build} build): loss ${got.loss.toFixed(6)} (Node ${ref[ad.loss].data[0].toFixed(6)}), largest difference over the loss and ${params.length} gradients ${worst.toExponential(2)} (largest gradient ${scale.toExponential(2)})`);
    expect(scale).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(tolerance);
  }
});
