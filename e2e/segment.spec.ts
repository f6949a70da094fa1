/**
 * Inference in the browser against onnxruntime-node. Needs `fine-tiny.onnx` + `fine-tiny.json` in
 * models/ (or in FINE_MODELS_DIR); skipped otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { makeNiftiHeader, readNifti, writeNiftiFloat } from '../src/infer/io/nifti';
import { makePhantom } from '../src/infer/synthetic/phantom';
import { expect, fine, openApp, pageLabels, shot, test } from './fixtures';
import { MODELS_DIR, agreement, segmentInNode } from './support/nodeReference';

const CARD = join(MODELS_DIR, 'fine-tiny.json');
const SAMPLE = join(import.meta.dirname, '..', 'public', 'sample', 'phantom.nii.gz');
const REFERENCE = join(import.meta.dirname, '..', 'public', 'sample', 'phantom_labels.nii.gz');

test.skip(!existsSync(CARD), `no ${CARD}: these specs need the tiny model (commit models/fine-tiny.{onnx,json} or set FINE_MODELS_DIR)`);


async function segment(page: Page): Promise<void> {
  await page.getByTestId('model-select').selectOption('fine-tiny');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  await expect(page.getByTestId('progress')).toHaveAttribute('aria-valuenow', '100');
}

let reference: Uint8Array | undefined;
const nodeLabels = async () => (reference ??= await segmentInNode(SAMPLE, CARD));

// WebGPU's agreement with onnxruntime-node (on a small phantom: headless Chromium has only SwiftShader)
// and its attention graph are proven in backend.spec.ts, where the switch moves between the providers.
test('segments on wasm like onnxruntime-node', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await segment(page);
  const agree = agreement(await pageLabels(page), await nodeLabels());
  console.log(`wasm: ${(agree * 100).toFixed(3)}% voxel agreement with onnxruntime-node`);
  expect(agree).toBeGreaterThanOrEqual(0.99);
  await expect(page.getByTestId('legend').locator('tbody tr')).toHaveCount(9);
  await expect(page.getByTestId('error')).toHaveCount(0);
  await shot(page, 'segmented-wasm');
});

test('left-right mirroring in the browser gives onnxruntime-node\'s mirrored result', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await page.getByTestId('model-select').selectOption('fine-tiny');
  const toggle = page.getByTestId('mirror-toggle');
  await expect(toggle).not.toBeChecked(); // fine-tiny's card sets no inference defaults
  await toggle.check();
  await segment(page);
  const mirrored = await segmentInNode(SAMPLE, CARD, { mirror: true });
  const agree = agreement(await pageLabels(page), mirrored);
  console.log(`mirrored: ${(agree * 100).toFixed(3)}% voxel agreement with onnxruntime-node's mirrored run; ${(100 * agreement(mirrored, await nodeLabels())).toFixed(3)}% between Node's mirrored and plain runs`);
  expect(agree).toBeGreaterThanOrEqual(0.99);
});

/** A large phantom (hundreds of tiles), so there is time to cancel mid-run. */
function largePhantom(): Buffer {
  const dims: [number, number, number] = [192, 160, 96];
  const { image } = makePhantom({ dims, spacing: [3, 3, 3], seed: 3 });
  return Buffer.from(writeNiftiFloat(image, { dims, header: makeNiftiHeader(dims, [3, 3, 3]) }, { gzip: true }));
}

test('cancel stops a run between tiles, and a second run completes', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles({ name: 'large.nii.gz', mimeType: 'application/gzip', buffer: largePhantom() });
  await expect(page.getByTestId('dims')).toHaveText('192 × 160 × 96');
  await page.getByTestId('model-select').selectOption('fine-tiny');
  await page.getByTestId('run').click();
  await expect.poll(async () => Number(await page.getByTestId('progress').getAttribute('aria-valuenow')), { intervals: [20] }).toBeGreaterThan(0);
  // The page stays responsive while the worker runs: a 0 ms timer on the main thread fires promptly.
  const lags: number[] = [];
  for (let i = 0; i < 5; i++) lags.push(await page.evaluate(() => new Promise<number>((r) => { const t = performance.now(); setTimeout(() => r(performance.now() - t), 0); })));
  console.log(`main-thread timer lag during segmentation: max ${Math.max(...lags).toFixed(1)} ms`);
  expect(Math.max(...lags)).toBeLessThan(250);
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('status')).toHaveText('idle');
  await expect(page.getByTestId('run-note')).toContainText(/Segmentation cancelled after \d+ of \d+ tiles/);
  expect(await fine(page, 'getLabels')).toBeNull();
  await segment(page);
  await expect(page.getByTestId('run-note')).toHaveCount(0);
});

test('attention mode: a click paints a heat map at every level', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await segment(page);
  await page.getByTestId('attention-mode').check();
  const canvas = page.getByTestId('viewer');
  const box = (await canvas.boundingBox())!;
  for (const level of ['window', 'global', 'volume'] as const) {
    await page.getByTestId(`attention-level-${level}`).click();
    await page.mouse.click(box.x + box.width * (level === 'global' ? 0.2 : 0.27), box.y + box.height * 0.67);
    await expect(page.getByTestId('attention-voxel')).toBeVisible();
    await expect.poll(() => fine(page, 'heatMap')).toMatchObject({ level, max: 1 });
    await expect.poll(() => fine(page, 'viewerLayers')).toBe(3);
    await shot(page, `attention-${level}`);
  }
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('the downloaded label map has the input geometry, and a reference gives a Dice table', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await segment(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-segmentation').click()]);
  expect(download.suggestedFilename()).toBe('phantom_seg.nii.gz');
  const seg = readNifti(new Uint8Array(readFileSync(await download.path())), 'download');
  const input = readNifti(new Uint8Array(readFileSync(SAMPLE)), 'sample');
  expect(seg.dims).toEqual(input.dims);
  expect(seg.spacing).toEqual(input.spacing);
  expect(seg.affine).toEqual(input.affine);
  expect(Uint8Array.from(seg.data)).toEqual(await pageLabels(page));
  await page.getByTestId('reference-input').setInputFiles(REFERENCE);
  await expect(page.getByTestId('dice-table').locator('tbody tr')).toHaveCount(9);
  await expect(page.getByTestId('hd95-mean')).toHaveText(/^(\d+\.\d|∞)$/);
  await shot(page, 'dice-table');
});

test('the ONNX file is downloaded once and served from Cache Storage after a reload', async ({ page, recorder }) => {
  await openApp(page, '?backend=wasm');
  await segment(page);
  await page.reload();
  await expect(page.getByTestId('status')).toHaveText('idle');
  await segment(page);
  const downloads = recorder.requests.filter((u) => u.endsWith('/models/fine-tiny.onnx'));
  expect(downloads).toHaveLength(1);
  expect(await page.evaluate(async () => (await (await caches.open('fine-models')).keys()).length)).toBeGreaterThan(0);
});
