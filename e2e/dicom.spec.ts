/**
 * DICOM folders in the browser: ../shared/data/dicom/hcc048 (uncompressed; TCIA HCC-TACE-Seg, subject
 * HCC_048, Moawad et al. 2021, doi:10.7937/TCIA.5FNA-0924, CC BY 4.0) picked as a folder and loaded;
 * caseB (JPEG 2000) dropped on the page; both at once offer a series chooser.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, openApp, shot, test } from './fixtures';

const DICOM = join(import.meta.dirname, '..', '..', 'shared', 'data', 'dicom');
const HCC = join(DICOM, 'hcc048');
const CASE_B = join(DICOM, 'caseB');

test.skip(!existsSync(HCC) || !existsSync(CASE_B), `no ${DICOM}: the DICOM spec needs ../shared/data (absent on a fresh clone)`);

const files = (dir: string) => readdirSync(dir).map((f) => join(dir, f));

test('a DICOM folder picked with the folder input loads as one volume', async ({ page, recorder }) => {
  await openApp(page);
  await expect(page.getByTestId('folder-pick')).toContainText('Choose a DICOM folder');
  const t0 = Date.now();
  await page.getByTestId('folder-pick').locator('input[type=file]').setInputFiles(HCC);
  await expect(page.getByTestId('dims')).toHaveText('512 × 512 × 89', { timeout: 120_000 }); // the viewer takes most of this on a software GL
  console.log(`hcc048: pick to volume shown ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('spacing')).toHaveText('0.70 × 0.70 × 2.50 mm');
  await expect(page.getByTestId('volume-name')).toHaveText('Recon 3: LIVER 2 PHASE (C/A/P) (DICOM, 89 slices)');
  await expect(page.getByTestId('status')).toHaveText('idle');
  await expect(page.getByTestId('series-chooser')).toHaveCount(0);
  await shot(page, 'dicom-hcc048');
  expect(recorder.pageErrors).toEqual([]);
});

test('two series dropped together: the user picks one by description and slice count', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles([...files(CASE_B), ...files(HCC)]);
  const options = page.getByTestId('series-option');
  await expect(options).toHaveCount(2);
  await expect(options.nth(0)).toContainText('Recon 3: LIVER 2 PHASE (C/A/P) CT, 89 slices, 512×512');
  await expect(options.nth(1)).toContainText('CT Body 3.0 CT, 20 slices, 512×512');
  await shot(page, 'dicom-series-chooser');
  const t0 = Date.now();
  await options.nth(1).click();
  await expect(page.getByTestId('dims')).toHaveText('512 × 512 × 20');
  console.log(`caseB (JPEG 2000): pick to volume shown ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('spacing')).toHaveText('0.98 × 0.98 × 2.00 mm');
  await expect(page.getByTestId('series-chooser')).toHaveCount(0);
});

test('DICOM files dropped on the page load', async ({ page }) => {
  await openApp(page);
  const payload = files(CASE_B).map((f) => ({ name: f.split('/').pop()!, b64: readFileSync(f).toString('base64') }));
  await page.evaluate((items) => {
    const dt = new DataTransfer();
    for (const it of items) dt.items.add(new File([Uint8Array.from(atob(it.b64), (c) => c.charCodeAt(0))], it.name));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
  await expect(page.getByTestId('dims')).toHaveText('512 × 512 × 20');
  await shot(page, 'dicom-caseB-dropped');
});
