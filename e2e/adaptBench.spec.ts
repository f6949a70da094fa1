/**
 * For `npm run bench` (bench/adapt.ts): the model FINE_ADAPT_MODEL learns the corrected phantom in
 * FINE_ADAPT_DATA (imagesTr/, labelsTr/) for FINE_ADAPT_STEPS steps in the page (WASM, the app's thread
 * choice); logs the training steps per second and the peak memory of the page and its worker, sampled
 * with measureUserAgentSpecificMemory. Skipped in the e2e suite (adapt.spec.ts tests the flow).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readNifti } from '../src/infer/io/nifti';
import { expect, fine, openApp, test } from './fixtures';

const DATA = process.env.FINE_ADAPT_DATA;
test.skip(!DATA, 'run by npm run bench (FINE_ADAPT_DATA)');

test('adaptation in the page: steps per second and peak memory', async ({ page }) => {
  test.setTimeout(900_000);
  const model = process.env.FINE_ADAPT_MODEL ?? 'fine-tiny', steps = process.env.FINE_ADAPT_STEPS ?? '20';
  const ct = join(DATA!, 'imagesTr', readdirSync(join(DATA!, 'imagesTr'))[0]);
  const labelsFile = join(DATA!, 'labelsTr', readdirSync(join(DATA!, 'labelsTr'))[0]);
  const labels = Uint8Array.from(readNifti(new Uint8Array(readFileSync(labelsFile))).data, (x) => Math.round(x));
  await openApp(page, '?backend=wasm');
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(ct);
  await page.getByTestId('model-select').selectOption(model);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 600_000 });
  await page.evaluate((l) => (window as unknown as { __fine: import('../src/app/testHooks').FineTestHooks }).__fine.correctLabels(l), Buffer.from(labels).toString('base64'));
  await page.getByTestId('adapt-steps').fill(steps);
  await page.getByTestId('adapt-steps').press('Enter');
  let peak = 0, running = true;
  const sample = (async () => {
    while (running) {
      const bytes = await page.evaluate(async () => (await (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> }).measureUserAgentSpecificMemory()).bytes).catch(() => 0);
      peak = Math.max(peak, bytes);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-outcome').or(page.getByTestId('adapt-note'))).toBeVisible({ timeout: 800_000 });
  await expect(page.getByTestId('adapt-note')).toHaveCount(0);
  running = false;
  await sample;
  const out = (await fine(page, 'adaptOutcome'))!;
  const threads = (await fine(page, 'lastRun'))?.threads ?? 1;
  console.log(`adapt bench: ${JSON.stringify({ stepsPerSecond: out.steps / out.trainSeconds, peakMb: peak / 2 ** 20, threads, before: out.before, after: out.after })}`);
  expect(out.steps).toBe(Number(steps));
  expect(peak).toBeGreaterThan(0);
});
