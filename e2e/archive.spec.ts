/**
 * The hospital's flow against a real archive: Orthanc with DICOMweb, started by scripts/orthanc.mjs
 * (playwright.config.ts), reached through the page's own origin at /pacs/. hcc048 (TCIA
 * HCC-TACE-Seg, subject HCC_048, Moawad et al. 2021, doi:10.7937/TCIA.5FNA-0924, CC BY 4.0) is
 * uploaded, opened from the study list, segmented, and its SEG stored back and read again (a SEG
 * dropped beside its series: segDrop.spec.ts).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DicomWebClient } from '../src/app/archive/dicomweb';
import { readDicomFiles } from '../src/infer/io/dicom';
import { readDicomSeg } from '../src/infer/io/dicomSegRead';
import { dicomSlice } from '../test/infer/dicomFixture';
import { dciodvfy } from '../test/infer/segFixture';
import { CODED_ORGANS } from '../src/infer/io/terminology';
import { expect, openApp, pageLabels, shot, test } from './fixtures';
import { agreement } from './support/nodeReference';

const HCC = join(import.meta.dirname, '..', '..', 'shared', 'data', 'dicom', 'hcc048');
const ARCHIVE = `http://127.0.0.1:${process.env.PACS_PORT ?? 8052}/dicom-web`;
test.skip(!existsSync(HCC), 'needs ../shared/data/dicom/hcc048');

const hccFiles = () => readdirSync(HCC).filter((f) => f.endsWith('.dcm')).sort().map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(HCC, f))) }));

/** Two MR slices filed in hcc048's study: a series the app must refuse to segment. */
function mrSeries(studyUid: string): Uint8Array[] {
  return [0, 1].map((k) => dicomSlice({
    seriesUid: '2.25.31415926535897932384626433', description: 'T1 MR localizer', modality: 'MR', rows: 8, columns: 8, position: [0, 0, k * 5],
    ids: { sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: `2.25.2718281828459045235360287${k}`, studyUid, patientId: 'Patient_01', patientName: 'Patient_01', studyDate: '20010812', instanceNumber: k + 1 },
  }));
}

test('a study from the archive: list, open with progress, segment, store the SEG back, read it again', async ({ page, recorder }, testInfo) => {
  const archive = new DicomWebClient(ARCHIVE);
  const files = hccFiles();
  const { volume } = await readDicomFiles(files);
  const source = volume.source!;
  // The MR series first: an archive keeps the study attributes of the instances it received last.
  await archive.store(mrSeries(source.studyInstanceUid));
  expect((await archive.store(files.map((f) => f.bytes))).failed).toBe(0);

  await openApp(page, '?backend=wasm');
  await page.getByTestId('archive').locator('summary').click();
  await expect(page.getByTestId('archive-root')).toHaveValue('/pacs/dicom-web');
  await page.getByTestId('archive-list').click();
  const study = page.getByTestId('archive-studies').locator('tr', { hasText: 'CT C/A/P LIVER PR' });
  await expect(study).toContainText('Patient_01');
  await expect(study).toContainText('2001-08-12');
  await study.getByTestId('archive-study').click();
  const ct = page.getByTestId('archive-series-open').filter({ hasText: 'Recon 3: LIVER 2 PHASE (C/A/P)' });
  await expect(ct).toContainText('CT, 89 images');
  // A series that is not CT: one line, nothing else changes.
  await page.getByTestId('archive-series-open').filter({ hasText: 'T1 MR localizer' }).click();
  await expect(page.getByTestId('error')).toContainText("Series 'T1 MR localizer' is MR, not CT");
  await expect(page.getByTestId('dims')).toHaveText('96 × 80 × 48');
  await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();

  const t0 = Date.now();
  await ct.click();
  await expect(page.getByTestId('archive-busy')).toContainText(/Retrieving 'Recon 3: LIVER 2 PHASE \(C\/A\/P\)'/);
  await expect(page.getByTestId('dims')).toHaveText('512 × 512 × 89', { timeout: 120_000 });
  console.log(`hcc048 from the archive: series chosen to CT shown ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('volume-name')).toHaveText('Recon 3: LIVER 2 PHASE (C/A/P) (DICOM, 89 slices)');
  await expect(page.getByTestId('spacing')).toHaveText('0.70 × 0.70 × 2.50 mm');

  // The archive flow is under test, not the model: one pass, no mirroring.
  await page.getByTestId('mirror-toggle').uncheck();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 400_000 });
  const labels = await pageLabels(page);
  const model = await page.getByTestId('model-select').inputValue();

  // Stored as a new series of the same study; QIDO lists it; it reads back voxel for voxel and passes dciodvfy.
  await page.getByTestId('store-seg').click();
  await expect(page.getByTestId('seg-store-note')).toContainText(`Stored a SEG of`, { timeout: 60_000 });
  await expect(page.getByTestId('seg-store-note')).toContainText(`by ${model} in the archive`);
  const segSeries = (await archive.series(source.studyInstanceUid)).filter((s) => s.modality === 'SEG');
  expect(segSeries).toHaveLength(1);
  const [stored] = await archive.retrieveSeries(source.studyInstanceUid, segSeries[0].seriesUid, () => {});
  const back = readDicomSeg(stored.bytes, source, 'stored.dcm', []);
  expect(back.mapping).toBe('number');
  const segPath = testInfo.outputPath('stored-seg.dcm');
  writeFileSync(segPath, stored.bytes);
  const check = dciodvfy(segPath);
  expect(check.lines.filter((l) => /^Error/.test(l))).toEqual([]);
  const byName = readDicomSeg(stored.bytes, source, 'stored.dcm', CODED_ORGANS.map((name, i) => ({ id: i + 1, name, color: [0, 0, 0] as [number, number, number] })));
  expect(byName.mapping).toBe('name');
  // Voxel for voxel (a counted comparison: toEqual on 23 M voxels takes a minute).
  expect(agreement(byName.labels, labels)).toBe(1);

  // The download is the same SEG (a new series UID each time, the same labels).
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-seg').click()]);
  expect(dl.suggestedFilename()).toBe('Recon 3_ LIVER 2 PHASE (C_A_P) (DICOM, 89 slices)_seg.dcm');
  const downloaded = readDicomSeg(new Uint8Array(readFileSync(await dl.path())), source, 'dl.dcm', byName.segments.map((s) => ({ ...s })));
  expect(agreement(downloaded.labels, labels)).toBe(1);

  // SEG in: the stored SEG from the study list, as the reference of the result: every organ agrees.
  await page.getByTestId('archive-list').click();
  await page.getByTestId('archive-studies').locator('tr', { hasText: 'CT C/A/P LIVER PR' }).getByTestId('archive-study').click();
  await page.getByTestId('archive-seg').first().getByTestId('archive-seg-reference').click();
  await expect(page.getByTestId('dice-mean')).toHaveText('1.000', { timeout: 60_000 });
  await shot(page, 'archive-seg-reference');

  // A corrected result is stored as another new series that says it was corrected by hand.
  await page.getByTestId('tab-edit').click();
  await page.getByTestId('edit-start').click();
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.7);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width * (0.2 + 0.02 * k), box.y + box.height * 0.75);
  await page.mouse.up();
  await Promise.all([page.waitForEvent('download'), page.getByTestId('edit-save').click()]);
  await page.getByTestId('store-seg').click();
  await expect(page.getByTestId('seg-store-note')).toContainText('corrected by hand in the archive', { timeout: 60_000 });
  const after = (await archive.series(source.studyInstanceUid)).filter((s) => s.modality === 'SEG');
  expect(after).toHaveLength(2);
  expect(after.map((s) => s.description).join(' | ')).toContain('corrected by hand');

  // An archive that is down: one line, the study stays open.
  await page.route('**/pacs/**', (r) => r.abort('connectionrefused'));
  await page.getByTestId('archive-list').click();
  await expect(page.getByTestId('error')).toContainText('did not answer the study list');
  await expect(page.getByTestId('dims')).toHaveText('512 × 512 × 89');
  await page.unroute('**/pacs/**');
  await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();

  expect(recorder.pageErrors).toEqual([]);
});
