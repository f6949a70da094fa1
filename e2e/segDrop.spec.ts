/**
 * A DICOM SEG dropped with its series is offered for it and read onto it as the labels to correct; the
 * same SEG dropped on another series is refused in one line and the series shown stays as it is.
 * Small generated series (test/infer/segFixture.ts), a SEG written by the project's writer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDicomSeg } from '../src/infer/io/dicomSeg';
import { boxes, singleFrameSeries, volumeOf } from '../test/infer/segFixture';
import { expect, fine, openApp, pageLabels, shot, test } from './fixtures';

const A = '1.2.826.0.1.3680043.8.498.2001', B = '1.2.826.0.1.3680043.8.498.2002';

test('a SEG dropped beside its series becomes the labels to correct; on another series it is refused in one line', async ({ page }, info) => {
  const dir = info.outputPath('series');
  mkdirSync(dir, { recursive: true });
  const write = (files: { name: string; bytes: Uint8Array }[], sub: string) => {
    mkdirSync(join(dir, sub), { recursive: true });
    return files.map((f) => {
      const p = join(dir, sub, f.name);
      writeFileSync(p, f.bytes);
      return p;
    });
  };
  const seriesA = singleFrameSeries(10, 40, 48, A), seriesB = singleFrameSeries(10, 40, 48, B);
  const volume = await volumeOf(seriesA);
  const labels = boxes(volume.dims, [[1, 4, 30, 5, 25, 1, 7], [2, 32, 44, 10, 30, 3, 9]]);
  const seg = writeDicomSeg(labels, volume.source, { segments: [{ id: 1, name: 'liver', color: [221, 130, 101] }, { id: 2, name: 'spleen', color: [157, 108, 162] }], algorithm: { name: 'hand', version: '1' }, corrected: true });
  const segFile = join(dir, 'labels-seg.dcm');
  writeFileSync(segFile, seg);

  await openApp(page, '?backend=wasm');
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles([...write(seriesA, 'a'), segFile]);
  await expect(page.getByTestId('dims')).toHaveText('48 × 40 × 10');
  await expect(page.getByTestId('seg-choice')).toContainText('labels-seg.dcm is a DICOM segmentation');
  await expect(page.getByTestId('seg-as-reference')).toBeDisabled();
  await page.getByTestId('seg-as-labels').click();
  await expect(page.getByTestId('seg-choice')).toHaveCount(0);
  await expect(page.getByTestId('status')).toHaveText('done');
  expect(Array.from(await pageLabels(page))).toEqual(Array.from(labels));
  await expect(page.getByTestId('legend')).toContainText('liver');
  await expect(page.getByTestId('legend')).toContainText('spleen');
  await shot(page, 'seg-dropped-as-labels');

  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(write(seriesB, 'b'));
  await expect(page.getByTestId('status')).toHaveText('idle');
  expect(await fine(page, 'getLabels')).toBeNull();
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(segFile);
  await page.getByTestId('seg-as-labels').click();
  await expect(page.getByTestId('error')).toContainText(`references series ${A}, the open series is ${B}`);
  await expect(page.getByTestId('dims')).toHaveText('48 × 40 × 10');
  expect(await fine(page, 'getLabels')).toBeNull();
});
