/**
 * A large CT (int16, generated) segments in the browser within the memory budget: peak memory of the
 * page and its worker (performance.measureUserAgentSpecificMemory) stays under 2 GB. `npm test` uses
 * 256 x 256 x 150 with fine-tiny; FINE_LARGE_DIMS=512,512,300 FINE_LARGE_MODEL=fine-small runs the full size
 * with the default model (as the benchmark does).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeNiftiHeader, writeNiftiInt16 } from '../src/infer/io/nifti';
import { makePhantom } from '../src/infer/synthetic/phantom';
import { expect, openApp, test } from './fixtures';

const DIMS = (process.env.FINE_LARGE_DIMS ?? '256,256,150').split(',').map(Number) as [number, number, number];
const SPACING: [number, number, number] = [0.8, 0.8, 1.5];

function int16Ct(file: string): void {
  const p = makePhantom({ dims: DIMS, spacing: SPACING, seed: 21 });
  writeFileSync(file, writeNiftiInt16(p.image, { dims: DIMS, header: makeNiftiHeader(DIMS, SPACING) }, { gzip: true }));
}

test(`a ${DIMS.join('x')} int16 CT segments within 2 GB`, async ({ page }, info) => {
  mkdirSync(info.outputDir, { recursive: true });
  const file = join(info.outputDir, 'large_ct.nii.gz');
  int16Ct(file);
  await openApp(page, '?backend=wasm');
  await page.getByTestId('model-select').selectOption(process.env.FINE_LARGE_MODEL ?? 'fine-tiny');
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(file);
  await expect(page.getByTestId('dims')).toHaveText(DIMS.join(' × '), { timeout: 120_000 });
  let peak = 0;
  let running = true;
  const sample = (async () => {
    while (running) {
      const bytes = await page.evaluate(async () => (await (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> }).measureUserAgentSpecificMemory()).bytes).catch(() => 0);
      peak = Math.max(peak, bytes);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  const t0 = Date.now();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 900_000 });
  const seconds = (Date.now() - t0) / 1000;
  running = false;
  await sample;
  const labels = await page.evaluate(() => (window as unknown as { __fine: { getLabels(): { histogram: number[] } | null } }).__fine.getLabels()?.histogram);
  const run = await page.evaluate(() => (window as unknown as { __fine: { lastRun(): { stages?: Record<string, number> } | null } }).__fine.lastRun());
  console.log(`large volume ${DIMS.join('x')}: segmented in ${seconds.toFixed(1)} s; peak page+worker memory ${(peak / 2 ** 20).toFixed(0)} MB; label histogram ${JSON.stringify(labels)}`);
  console.log(`large volume stages (worker, s): ${JSON.stringify(run?.stages ?? null)}`);
  expect(peak).toBeGreaterThan(0);
  expect(peak).toBeLessThan(2 * 2 ** 30);
  expect(labels?.slice(1).some((n) => n > 0)).toBe(true);
});
