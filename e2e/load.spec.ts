import { makeNiftiHeader, writeNiftiFloat } from '../src/infer/io/nifti';
import { expect, fine, openApp, shot, test } from './fixtures';

function smallCt(): Buffer {
  const dims: [number, number, number] = [40, 32, 20];
  const data = new Float32Array(dims[0] * dims[1] * dims[2]).map((_, i) => ((i % dims[0]) - 20) ** 2 < 200 ? 40 : -1000);
  return Buffer.from(writeNiftiFloat(data, { dims, header: makeNiftiHeader(dims, [1.5, 1.5, 2.5]) }, { gzip: true }));
}

test('opens the bundled sample and shows its geometry', async ({ page, recorder }) => {
  await openApp(page);
  await expect(page.getByTestId('spacing')).toHaveText('3.00 × 3.00 × 3.00 mm');
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|wasm)$/);
  await expect(page.getByTestId('drop-zone').locator('input[type=file]')).toHaveCount(1);
  await expect.poll(() => fine(page, 'viewerLayers')).toBe(1);
  await shot(page, 'sample-loaded');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  expect(recorder.pageErrors).toEqual([]);
  expect(recorder.consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});

test('a file set on the drop-zone input loads', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles({ name: 'small.nii.gz', mimeType: 'application/gzip', buffer: smallCt() });
  await expect(page.getByTestId('dims')).toHaveText('40 × 32 × 20');
  await expect(page.getByTestId('spacing')).toHaveText('1.50 × 1.50 × 2.50 mm');
  await expect(page.getByTestId('volume-name')).toHaveText('small.nii.gz');
  await shot(page, 'dropped-file');
});

test('a malformed file shows the error banner and a good file still loads afterwards', async ({ page }) => {
  await openApp(page);
  const input = page.getByTestId('drop-zone').locator('input[type=file]');
  const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 251));
  await input.setInputFiles({ name: 'junk.nii', mimeType: 'application/octet-stream', buffer: junk });
  await expect(page.getByTestId('status')).toHaveText('error');
  await expect(page.getByTestId('error')).toContainText('junk.nii');
  await shot(page, 'malformed-file');
  await input.setInputFiles({ name: 'small.nii.gz', mimeType: 'application/gzip', buffer: smallCt() });
  await expect(page.getByTestId('dims')).toHaveText('40 × 32 × 20');
  await expect(page.getByTestId('status')).toHaveText('idle');
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('the served app sends a Content-Security-Policy that keeps scripts and connections on this origin', async ({ page }) => {
  const res = await page.goto('/');
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/connect-src 'self'/);
  expect(csp).toMatch(/script-src 'self'/);
  expect(csp).not.toMatch(/https?:\/\//);
  expect(res?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(res?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  const remoteScripts = await page.evaluate(() => [...document.scripts].map((s) => s.src).filter((src) => src && new URL(src).origin !== location.origin));
  expect(remoteScripts).toEqual([]);
});
