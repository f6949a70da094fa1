/**
 * Fuzzing the app's readers in the browser: seeded mutations of a valid NIfTI and of a DICOM series,
 * dropped one after another. Each drop ends in a loaded volume or a one-line error, and the page keeps
 * working (a valid file after the broken ones still loads).
 */
import { makeNiftiHeader, writeNiftiInt16 } from '../src/infer/io/nifti';
import { rng } from '../src/util/random';
import { dicomSlice } from '../test/infer/dicomFixture';
import { mutate } from '../test/infer/mutate';
import { expect, fine, openApp, test } from './fixtures';

test('mutated NIfTI and DICOM files end in a volume or a one-line error, and the page keeps working', async ({ page, recorder }) => {
  test.setTimeout(180_000);
  await openApp(page);
  const dims: [number, number, number] = [16, 12, 8];
  const valid = writeNiftiInt16(Int16Array.from({ length: 16 * 12 * 8 }, (_, i) => (i % 200) - 100), { dims, header: makeNiftiHeader(dims, [1, 1, 2]) });
  const px = (z: number) => Int16Array.from({ length: 12 }, (_, i) => 1000 + 10 * z + i);
  const series = [0, 1, 2].map((z) => dicomSlice({ rows: 3, columns: 4, position: [0, 0, z], pixels: px(z) }));
  const r = rng(3);
  const input = page.getByTestId('drop-zone').locator('input[type=file]');
  let volumes = 0, errors = 0;
  for (let i = 0; i < 24; i++) {
    const before = await fine(page, 'volumeLoads');
    const files = i % 2 === 0
      ? [{ name: `m${i}.nii`, mimeType: 'application/octet-stream', buffer: Buffer.from(mutate(valid, r, 352)) }]
      : series.map((b, k) => ({ name: `m${i}_${k}.dcm`, mimeType: 'application/dicom', buffer: Buffer.from(k === 0 ? mutate(b, r, 600) : b) }));
    await input.setInputFiles(files);
    await expect.poll(async () => (await page.getByTestId('error').count()) > 0 || (await fine(page, 'volumeLoads')) > before, { timeout: 20_000 }).toBe(true);
    const err = page.getByTestId('error');
    if (await err.count()) {
      const text = (await err.first().innerText()).trim();
      expect(text).not.toContain('\n');
      expect(text.length).toBeGreaterThan(10);
      errors++;
      await page.getByRole('button', { name: 'Dismiss' }).click();
    } else volumes++;
  }
  console.log(`browser fuzz: ${volumes} volumes, ${errors} one-line errors`);
  await input.setInputFiles([{ name: 'valid.nii', mimeType: 'application/octet-stream', buffer: Buffer.from(valid) }]);
  await expect(page.getByTestId('volume-name')).toHaveText('valid.nii');
  await expect(page.getByTestId('dims')).toHaveText('16 × 12 × 8');
  expect(recorder.pageErrors).toEqual([]);
});
