/**
 * Nothing lost on a reload: the result, the chosen model and a correction in progress (every stroke,
 * with its undo history) are kept in the browser and offered back after the page reloads.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, fine, openApp, pageLabels, shot, test } from './fixtures';
import { MODELS_DIR } from './support/nodeReference';

test.skip(!existsSync(join(MODELS_DIR, 'fine-tiny.json')), 'needs models/fine-tiny.{onnx,json}');

async function stroke(page: Page, x0: number, y0: number, x1: number, y1: number): Promise<void> {
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width * x0, box.y + box.height * y0);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width * (x0 + ((x1 - x0) * k) / 10), box.y + box.height * (y0 + ((y1 - y0) * k) / 10));
  await page.mouse.up();
}

test('a reload in the middle of correcting restores every stroke made before it, with its undo history', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await expect(page.getByTestId('restore-offer')).toHaveCount(0);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  await expect(page.getByTestId('session-saved')).toContainText('Kept in this browser at');
  const labels = await pageLabels(page);
  await page.getByTestId('tab-edit').click();
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-pen').selectOption({ label: 'spleen' });
  const states = [await fine(page, 'editState')];
  for (const [x0, y0, x1, y1] of [[0.1, 0.6, 0.4, 0.8], [0.15, 0.2, 0.3, 0.3], [0.05, 0.4, 0.2, 0.45]]) {
    await stroke(page, x0, y0, x1, y1);
    states.push(await fine(page, 'editState'));
  }
  expect(new Set(states.map((s) => s!.hash)).size).toBe(4); // each stroke changed the drawing
  await page.getByTestId('edit-undo').click();
  const before = await fine(page, 'editState');
  expect(before).toMatchObject({ hash: states[2]!.hash, undo: 2, redo: 1 });
  expect(await fine(page, 'keepSession')).not.toBeNull();

  await page.reload();
  await expect(page.getByTestId('dims')).toHaveText('96 × 80 × 48');
  const offer = page.getByTestId('restore-offer');
  await expect(offer).toContainText('phantom.nii.gz');
  await expect(offer).toContainText('labels by fine-tiny');
  await expect(offer).toContainText('a correction in progress (2 edits)');
  await shot(page, 'session-restore-offer');
  await page.getByTestId('restore-session').click();
  await expect(offer).toHaveCount(0);
  await expect(page.getByTestId('status')).toHaveText('done');
  await expect(page.getByTestId('model-select')).toHaveValue('fine-tiny');
  await expect.poll(() => fine(page, 'editState')).toEqual(before);
  expect(Array.from(await pageLabels(page))).toEqual(Array.from(labels));
  // The restored history works: redo brings the third stroke back, undo twice goes to the first.
  await page.getByTestId('edit-redo').click();
  expect(await fine(page, 'editState')).toMatchObject({ hash: states[3]!.hash, undo: 3, redo: 0 });
  await page.getByTestId('edit-undo').click();
  await page.getByTestId('edit-undo').click();
  expect(await fine(page, 'editState')).toMatchObject({ hash: states[1]!.hash, undo: 1, redo: 2 });
  await shot(page, 'session-restored');

  // Discarded, it is gone after the next reload too.
  await page.reload();
  await expect(offer).toBeVisible();
  await page.getByTestId('discard-session').click();
  await expect(offer).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('dims')).toHaveText('96 × 80 × 48');
  await expect(page.getByTestId('status')).toHaveText('idle');
  await expect(offer).toHaveCount(0);
  await expect(page.getByTestId('error')).toHaveCount(0);
});
