/**
 * Every network of the model zoo in the browser: each model in models/ other than the FINE ones already
 * covered by backend.spec.ts segments a small phantom on WASM and on WebGPU, and both label maps agree
 * with onnxruntime-node on >= 99% of the voxels; the network's attention graph (where it has one) runs on
 * both providers too. So every ONNX op of every network is proven on both, in a real Chromium.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, fine, openApp, pageLabels, shot, smallPhantomFile, test } from './fixtures';
import { MODELS_DIR, agreement, segmentInNode } from './support/nodeReference';

const ZOO = ['unet-tiny', 'utransformer-tiny', 'missu-tiny', 'nnformer-tiny', 'glam-tiny'];
/** Software WebGPU is 10-300x slower than hardware; a few small tiles stay well inside this. */
const WEBGPU_CAP_MS = 200_000;

async function segmentWith(page: Page, backend: 'wasm' | 'webgpu'): Promise<Uint8Array> {
  await page.getByTestId('backend-select').selectOption(backend);
  await expect(page.getByTestId('backend')).toHaveText(backend);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: WEBGPU_CAP_MS });
  await expect(page.getByTestId('run-engine')).toContainText(backend === 'wasm' ? 'wasm' : 'webgpu (WebGPU build)');
  return pageLabels(page);
}

/** Clicks a voxel in attention mode on the first level the model offers; waits for its heat map. */
async function attentionMap(page: Page, level: string): Promise<void> {
  await page.getByTestId('attention-mode').check();
  await page.getByTestId(`attention-level-${level}`).click();
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.27, box.y + box.height * 0.67);
  await expect.poll(() => fine(page, 'heatMap'), { timeout: WEBGPU_CAP_MS }).toMatchObject({ level, max: 1 });
  await page.getByTestId('attention-mode').uncheck();
}

for (const name of ZOO) {
  const cardPath = join(MODELS_DIR, `${name}.json`);
  test(`${name} segments on WASM and WebGPU like onnxruntime-node; its attention runs on both`, async ({ page }) => {
    test.skip(!existsSync(cardPath), `no ${cardPath}`);
    test.setTimeout(2 * WEBGPU_CAP_MS + 60_000);
    const card = JSON.parse(readFileSync(cardPath, 'utf8')) as { variant: string; attention?: { cross?: { stage: number }[]; outputs: Record<string, string> } };
    const levels = card.attention?.cross?.length ? card.attention.cross.map((c) => `cross${c.stage}`) : Object.keys(card.attention?.outputs ?? {}).filter((l) => ['window', 'global', 'volume'].includes(l));
    await openApp(page, '?backend=wasm');
    // Two tiles of the tiny presets' 32 x 32 x 16 patch: U-Transformer's 2048-token cross-attention is slow on software WebGPU.
    const input = smallPhantomFile([40, 32, 16]);
    await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(input);
    await expect(page.getByTestId('dims')).toHaveText('40 × 32 × 16');
    await page.getByTestId('model-select').selectOption(name);
    await expect(page.getByTestId('model-network')).toContainText(card.variant);
    const expected = await segmentInNode(input, cardPath);

    const onWasm = await segmentWith(page, 'wasm');
    expect(agreement(onWasm, expected)).toBeGreaterThanOrEqual(0.99);
    expect(onWasm.some((v) => v > 0)).toBe(true);
    for (const l of levels) await attentionMap(page, l);
    if (!levels.length) await expect(page.getByTestId('attention-none')).toContainText('has no attention');
    await shot(page, `zoo-${name}-wasm`);

    const adapter = await page.getByTestId('adapter').textContent();
    test.skip(adapter === 'no WebGPU', 'this browser has no WebGPU adapter');
    const onGpu = await segmentWith(page, 'webgpu');
    expect(agreement(onGpu, expected)).toBeGreaterThanOrEqual(0.99);
    for (const l of levels) await attentionMap(page, l);
    await shot(page, `zoo-${name}-webgpu`);
    await expect(page.getByTestId('error')).toHaveCount(0);
  });
}
