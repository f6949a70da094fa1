/**
 * Learning from corrections, in the page: the phantom model fails on phantoms with another contrast;
 * the test supplies the corrected labels of one such scan (as if painted), the model learns them in the
 * worker (WASM), and the adapted model, kept in the browser, segments a second shifted scan it never saw
 * far better. The same corrections and seed give the same model in Node (`npm run adapt`). The kept model
 * survives a reload, downloads as .onnx + card, and comes back by dropping those files; a tampered card is
 * refused in one line. The adaptation is stopped and the page reloaded on the way: it resumes from its
 * checkpoint, and still ends where Node's uninterrupted run ends. Every request
 * stays on the page's origin (the recorder fixture).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { adaptFolder } from '../src/infer/jobs/adaptFolder';
import { readInitializers } from '../src/infer/io/onnxWeights';
import { expect, fine, openApp, pageLabels, shot, test } from './fixtures';
import { MODELS_DIR } from './support/nodeReference';
import { meanDice, shiftedPhantom } from './support/shiftedPhantom';

const MODEL = 'fine-tiny';
test.skip(!existsSync(join(MODELS_DIR, `${MODEL}.json`)), `needs models/${MODEL}.json`);

const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

async function openAndSegment(page: Page, file: string, model: string): Promise<Uint8Array> {
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(file);
  await expect(page.getByTestId('dims')).toHaveText('64 × 56 × 28');
  await page.getByTestId('model-select').selectOption(model);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  return pageLabels(page);
}

test('a corrected scan teaches the model in the page, resuming after a reload: a held-out scan gains Dice, Node adapts the same, and the model is kept, downloaded and dropped back', async ({ page, recorder }, info) => {
  test.setTimeout(300_000);
  const dir = info.outputDir;
  const a = shiftedPhantom(dir, 'shiftA', 31), b = shiftedPhantom(dir, 'shiftB', 32);
  await openApp(page, '?backend=wasm');
  await openAndSegment(page, a.ct, MODEL);
  const model = fromB64((await fine(page, 'modelLabels'))!);
  await page.evaluate((l) => (window as unknown as { __fine: import('../src/app/testHooks').FineTestHooks }).__fine.correctLabels(l), b64(a.labels));
  const steps = JSON.parse(readFileSync(join(MODELS_DIR, `${MODEL}.json`), 'utf8')).adaptation.optimizer.steps as number;

  expect(await fine(page, 'keepSession')).not.toBeNull();

  // Stopped after its first checkpoint (every 10 steps), then the page reloads: the work resumes from it.
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-progress')).toContainText(/Step (1[1-9]|[2-9]\d|\d{3,}) of \d+, loss [\d.]+, about/, { timeout: 60_000 });
  await page.getByTestId('adapt-cancel').click();
  await expect(page.getByTestId('adapt-note')).toContainText('Stopped: Adaptation stopped after');
  await page.reload();
  await page.getByTestId('restore-session').click();
  await expect(page.getByTestId('status')).toHaveText('done');
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-progress')).toContainText(/\(resumed at step [1-9]\d+\)/, { timeout: 60_000 });
  const outcome = page.getByTestId('adapt-outcome');
  await expect(outcome).toBeVisible({ timeout: 240_000 });
  await shot(page, 'adapt-outcome');
  const before = Number(await page.getByTestId('adapt-before').textContent()), after = Number(await page.getByTestId('adapt-after').textContent());
  console.log(`held-out slices of the corrected scan: mean Dice ${before} before, ${after} after (${steps} steps)`);
  expect(after).toBeGreaterThan(before);
  expect(await page.getByTestId('adapt-name').inputValue()).toMatch(/^fine-tiny-adapted-\d{12}$/);
  const name = 'tiny-shifted';
  await page.getByTestId('adapt-name').fill(name);
  await page.getByTestId('adapt-keep').click();
  await expect(page.getByTestId('adapt-note')).toContainText(`Kept as ${name}`);
  await expect(page.getByTestId('model-select')).toHaveValue(name);

  // The second shifted scan, never seen: the base model, then the adapted one.
  const base = meanDice(await openAndSegment(page, b.ct, MODEL), b.labels);
  const adapted = meanDice(await openAndSegment(page, b.ct, name), b.labels);
  console.log(`held-out scan with the same shift: mean Dice ${base.toFixed(3)} with ${MODEL}, ${adapted.toFixed(3)} adapted (+${(adapted - base).toFixed(3)})`);
  expect(adapted - base).toBeGreaterThanOrEqual(0.2);

  // Download: the card and its two .onnx files.
  await page.getByTestId('model-card').locator('summary').click();
  await expect(page.getByTestId('model-adapted')).toContainText(`from ${MODEL}`);
  const downloads = new Map<string, Buffer>();
  const got = new Promise<void>((resolve) => {
    page.on('download', (d) => void d.path().then((p) => {
      downloads.set(d.suggestedFilename(), readFileSync(p!));
      if (downloads.size === 3) resolve();
    }));
  });
  await page.getByTestId('model-download').click();
  await got;
  expect([...downloads.keys()].sort()).toEqual([`${name}.attn.onnx`, `${name}.json`, `${name}.onnx`]);

  // Node, from the same corrections, the model's own labels and the seed, gives the same weights.
  const data = join(dir, 'node');
  for (const d of ['imagesTr', 'labelsTr', 'predictions']) mkdirSync(join(data, d), { recursive: true });
  writeFileSync(join(data, 'imagesTr', 'shiftA_0000.nii.gz'), readFileSync(a.ct));
  writeFileSync(join(data, 'labelsTr', 'shiftA.nii.gz'), readFileSync(a.labelsFile));
  const { makeNiftiHeader, writeNifti } = await import('../src/infer/io/nifti');
  writeFileSync(join(data, 'predictions', 'shiftA.nii.gz'), writeNifti(model, { dims: [64, 56, 28], header: makeNiftiHeader([64, 56, 28], [3, 3, 3]) }, { gzip: true }));
  const node = (await adaptFolder(['--model', join(MODELS_DIR, `${MODEL}.json`), '--data', data, '--out', 'node-adapted', '--dir', join(dir, 'node-out'), '--threads', '2'], () => {}))!;
  const browser = readInitializers(new Uint8Array(downloads.get(`${name}.onnx`)!));
  let worst = 0, moved = 0;
  for (const [k, v] of node.params) {
    const w = browser.get(k)!, w0 = readInitializers(new Uint8Array(readFileSync(join(MODELS_DIR, `${MODEL}.onnx`)))).get(k)!;
    for (let i = 0; i < v.length; i++) {
      worst = Math.max(worst, Math.abs(w[i] - v[i]));
      moved = Math.max(moved, Math.abs(v[i] - w0[i]));
    }
  }
  console.log(`browser (stopped, reloaded, resumed) against Node (in one go) after ${steps} steps: largest weight difference ${worst.toExponential(2)} (largest change from the base ${moved.toExponential(2)}); held-out Dice in Node ${node.before.mean.toFixed(3)} -> ${node.after.mean.toFixed(3)}`);
  expect(worst).toBeLessThan(0.02 * moved);
  expect(Math.abs(node.after.mean - after)).toBeLessThan(0.02);

  // After a reload the kept model is still listed (the browser's private file system).
  await page.reload();
  await expect(page.getByTestId('model-select').locator('option', { hasText: name })).toHaveCount(1);
  await page.getByTestId('model-select').selectOption(name);
  await page.getByTestId('model-card').locator('summary').click();
  await page.getByTestId('model-remove').click();
  await expect(page.getByTestId('model-select').locator('option', { hasText: name })).toHaveCount(0);

  // Dropped back: the three files add it again; a card whose hash does not match is refused in one line.
  const input = page.getByTestId('drop-zone').locator('input[type=file]');
  const files = [...downloads].map(([n, buffer]) => ({ name: n, mimeType: 'application/octet-stream', buffer }));
  const card = JSON.parse(downloads.get(`${name}.json`)!.toString('utf8')) as { onnx: { sha256: string } };
  card.onnx.sha256 = '0'.repeat(64);
  await input.setInputFiles(files.map((f) => (f.name.endsWith('.json') ? { ...f, buffer: Buffer.from(JSON.stringify(card)) } : f)));
  await expect(page.getByTestId('error')).toContainText(`Model not added: ${name}.onnx: sha256`);
  await input.setInputFiles(files);
  await expect(page.getByTestId('adapt-note')).toContainText(`Added ${name}`);
  await expect(page.getByTestId('model-select')).toHaveValue(name);
  expect(recorder.pageErrors).toEqual([]);
});
