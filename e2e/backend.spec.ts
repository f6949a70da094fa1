/**
 * Device choice and onnxruntime-web builds: a software WebGPU adapter (headless Chromium here has
 * SwiftShader) is never the default; WASM runs on the plain WASM build with cross-origin-isolated
 * threads; the backend switch moves a session between WASM and WebGPU, each on its own build, and both
 * agree with onnxruntime-node. WebGPU inputs stay a few tiles small: software WebGPU is 10-300x slower.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, fine, openApp, pageLabels, shot, smallPhantomFile, test } from './fixtures';
import { MODELS_DIR, agreement, segmentInNode } from './support/nodeReference';

const CARD = join(MODELS_DIR, 'fine-tiny.json');
test.skip(!existsSync(CARD), `no ${CARD}: these specs need the tiny model`);

/** WebGPU on the software adapter must finish the small phantom within this (it takes well under a minute). */
const WEBGPU_CAP_MS = 150_000;


async function segment(page: Page, timeout = 120_000): Promise<void> {
  await page.getByTestId('model-select').selectOption('fine-tiny');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout });
}

const ortFiles = (requests: string[]) => requests.filter((u) => /\/ort\/.*\.wasm$/.test(u)).map((u) => u.slice(u.lastIndexOf('/') + 1));

test('a software WebGPU adapter is not the default: WASM runs, on the plain build with isolated threads, and the UI says why', async ({ page, recorder }) => {
  await openApp(page);
  const adapter = await page.getByTestId('adapter').textContent();
  const info = await page.evaluate(async () => {
    const a = await (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: object; isFallbackAdapter?: boolean } | null> } }).gpu?.requestAdapter();
    return a ? { ...JSON.parse(JSON.stringify(a.info ?? {}, ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter'])), adapterFallback: a.isFallbackAdapter } : null;
  });
  console.log(`WebGPU adapter: ${JSON.stringify(info)}; the switch shows '${adapter}'`);
  const software = adapter === 'no WebGPU' || /software fallback/.test(adapter ?? '');
  await expect(page.getByTestId('backend')).toHaveText(software ? 'wasm' : 'webgpu');
  await expect(page.getByTestId('backend-select')).toHaveValue(software ? 'wasm' : 'webgpu');
  // The notice is a badge in the header, not a banner that pushes the viewer down.
  if (software) await expect(page.locator('header').getByTestId('backend-notice')).toContainText(/running on WASM/);
  else await expect(page.getByTestId('backend-notice')).toHaveCount(0);
  await shot(page, 'backend-default');
  test.skip(!software, 'a hardware adapter: WebGPU is the default; the WASM build checks below need the WASM default');

  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await segment(page);
  const threads = Math.min(4, cores);
  await expect(page.getByTestId('run-engine')).toContainText(`wasm (plain WASM build, ${threads} thread${threads === 1 ? '' : 's'})`);
  expect(ortFiles(recorder.requests)).toEqual(['ort-wasm-simd-threaded.wasm']);
  await shot(page, 'backend-default-run');
});

test('?threads=1 runs WASM on one thread', async ({ page }) => {
  await openApp(page, '?backend=wasm&threads=1');
  await segment(page);
  await expect(page.getByTestId('run-engine')).toContainText('wasm (plain WASM build, 1 thread)');
});

test('?ortbuild=webgpu runs the WASM provider on the WebGPU build, for side-by-side measurements', async ({ page, recorder }) => {
  await openApp(page, '?backend=wasm&ortbuild=webgpu');
  await segment(page);
  await expect(page.getByTestId('run-engine')).toContainText('wasm (WebGPU build');
  expect(ortFiles(recorder.requests)).toEqual(['ort-wasm-simd-threaded.asyncify.wasm']);
});

test('the switch moves between WASM and WebGPU, each on its own build, and both agree with onnxruntime-node', async ({ page, recorder }) => {
  test.setTimeout(WEBGPU_CAP_MS + 120_000);
  await openApp(page, '?backend=wasm');
  await expect(page.getByTestId('backend-notice')).toHaveCount(0);
  const adapter = await page.getByTestId('adapter').textContent();
  test.skip(adapter === 'no WebGPU', 'this browser has no WebGPU adapter');
  const input = smallPhantomFile();
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(input);
  await expect(page.getByTestId('dims')).toHaveText('64 × 56 × 28');
  const expected = await segmentInNode(input, CARD);

  await page.getByTestId('backend-select').selectOption('webgpu');
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  if (/software fallback/.test(adapter ?? '')) await expect(page.getByTestId('backend-notice')).toContainText('software adapter');
  const t0 = Date.now();
  await segment(page, WEBGPU_CAP_MS);
  console.log(`WebGPU (${adapter}): small phantom 64x56x28 in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('run-engine')).toContainText('webgpu (WebGPU build)');
  const onGpu = await pageLabels(page);
  expect(agreement(onGpu, expected)).toBeGreaterThanOrEqual(0.99);
  await shot(page, 'backend-switched-webgpu');

  // The attention graph on WebGPU too, so every op the app runs is proven on both providers.
  await page.getByTestId('attention-mode').check();
  await page.getByTestId('attention-level-window').click();
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.27, box.y + box.height * 0.67);
  await expect.poll(() => fine(page, 'heatMap'), { timeout: WEBGPU_CAP_MS }).toMatchObject({ level: 'window', max: 1 });
  await page.getByTestId('attention-mode').uncheck();

  await page.getByTestId('backend-select').selectOption('wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('backend-notice')).toHaveCount(0);
  await segment(page);
  await expect(page.getByTestId('run-engine')).toContainText('wasm (plain WASM build');
  expect(agreement(await pageLabels(page), onGpu)).toBeGreaterThanOrEqual(0.99);
  expect(ortFiles(recorder.requests).sort()).toEqual(['ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.wasm']);
  await expect(page.getByTestId('error')).toHaveCount(0);
});
