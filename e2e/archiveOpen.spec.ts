/**
 * For `npm run bench`: the time from choosing a series in the archive's study list to the CT shown,
 * against the time from dropping the same files, in turn, FINE_ARCHIVE_RUNS times each. The series is
 * FINE_ARCHIVE_SERIES (a folder of .dcm files; the bench uses hcc048) or, with `synthetic`, a small
 * generated CT series (the quick bench). Skipped in the e2e suite (archive.spec.ts tests the flow).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { DicomWebClient } from '../src/app/archive/dicomweb';
import { readDicomFiles } from '../src/infer/io/dicom';
import { dicomSlice } from '../test/infer/dicomFixture';
import { expect, fine, openApp, test } from './fixtures';

const SERIES = process.env.FINE_ARCHIVE_SERIES;
const RUNS = Number(process.env.FINE_ARCHIVE_RUNS ?? 1);
const ARCHIVE = `http://127.0.0.1:${process.env.PACS_PORT ?? 8052}/dicom-web`;
test.skip(!SERIES, 'run by npm run bench (FINE_ARCHIVE_SERIES)');

/** 24 slices of 128 x 128, a bright disc in water: a CT series with its UIDs. */
function syntheticSeries(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const px = Int16Array.from({ length: 128 * 128 }, (_, i) => ((i % 128) - 64) ** 2 + (Math.floor(i / 128) - 64) ** 2 < 40 ** 2 ? 60 : -1000);
  return Array.from({ length: 24 }, (_, k) => {
    const file = join(dir, `slice${String(k).padStart(3, '0')}.dcm`);
    writeFileSync(file, dicomSlice({
      seriesUid: '2.25.1010101010101', description: 'bench synthetic CT', modality: 'CT', rows: 128, columns: 128, position: [0, 0, 2 * k], pixelSpacing: [1, 1], pixels: px, intercept: 0,
      ids: { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `2.25.1010101010101${k}`, studyUid: '2.25.2020202020202', frameOfReferenceUid: '2.25.3030303030303', patientId: 'BENCH', patientName: 'Bench^Synthetic', studyDate: '20260101', instanceNumber: k + 1 },
    }));
    return file;
  });
}

const shownAt = async (page: Page) => (await fine(page, 'viewerShownAt'))?.volume ?? 0;

/** Seconds (the page's clock) from `act` to the viewer showing a new CT. */
async function timeToCt(page: Page, act: () => Promise<void>): Promise<number> {
  const before = await shownAt(page);
  const t0 = await page.evaluate(() => performance.now());
  await act();
  await expect.poll(() => shownAt(page), { timeout: 120_000 }).toBeGreaterThan(before);
  await expect(page.getByTestId('status')).not.toHaveText('loading');
  return ((await shownAt(page)) - t0) / 1000;
}

test('series from the archive against the same files dropped: time to the CT shown', async ({ page }, info) => {
  test.setTimeout(900_000);
  const files = SERIES === 'synthetic' ? syntheticSeries(join(info.outputDir, 'series')) : readdirSync(SERIES!).filter((f) => f.endsWith('.dcm')).map((f) => join(SERIES!, f));
  const bytes = files.map((f) => new Uint8Array(readFileSync(f)));
  const { volume, series } = await readDicomFiles(bytes.map((b, i) => ({ name: files[i], bytes: b })));
  await new DicomWebClient(ARCHIVE).store(bytes);
  await openApp(page, '?backend=wasm');
  await page.getByTestId('archive').locator('summary').click();
  await page.getByTestId('archive-list').click();
  await page.locator(`tr[data-uid="${volume.source!.studyInstanceUid}"]`).getByTestId('archive-study').click();
  const fromList = page.locator(`[data-testid=archive-series-open][data-uid="${series.uid}"]`);
  await expect(fromList).toBeVisible();
  const archive: number[] = [], drop: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    drop.push(await timeToCt(page, () => page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(files)));
    archive.push(await timeToCt(page, () => fromList.click()));
  }
  await expect(page.getByTestId('dims')).toHaveText(`${series.dims[0]} × ${series.dims[1]} × ${series.sliceCount}`);
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`archive open (s): ${JSON.stringify({ slices: series.sliceCount, runs: RUNS, archiveToCt: med(archive), dropToCt: med(drop), archive, drop })}`);
});
