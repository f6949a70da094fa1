/**
 * The deployable build: `vite build` served by `vite preview` (the `built` project in
 * playwright.config.ts) sends the same isolation and Content-Security-Policy headers as `npm start`,
 * lists the bundled models, and segments the sample with every request on its own origin (the
 * fixture fails the test on any request that leaves it). What a hospital intranet would host.
 */
import { expect, openApp, test } from './fixtures';

test('the built app sends COOP/COEP and a same-origin CSP, and segments the sample without leaving its origin', async ({ page, recorder }) => {
  const res = await page.goto('/');
  const h = res?.headers() ?? {};
  expect(h['cross-origin-opener-policy']).toBe('same-origin');
  expect(h['cross-origin-embedder-policy']).toBe('require-corp');
  expect(h['content-security-policy']).toMatch(/script-src 'self'/);
  expect(h['content-security-policy']).toMatch(/connect-src 'self'/);
  expect(h['content-security-policy']).not.toMatch(/https?:\/\//);
  const index = (await (await page.request.get('/models/index.json')).json()) as { models: { name: string }[] };
  expect(index.models.map((m) => m.name)).toContain('fine-tiny');
  await openApp(page, '?backend=wasm');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('model-select')).toHaveValue('fine-tiny');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  const origin = new URL(page.url()).origin;
  expect(recorder.requests.every((u) => u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:'))).toBe(true);
  expect(recorder.pageErrors).toEqual([]);
});
