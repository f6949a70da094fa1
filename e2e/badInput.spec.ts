/**
 * Bad input in the app: each file gets one clear message in the error banner, the app keeps working
 * (a good file still loads and segments afterwards), and a model whose bytes do not match the card's
 * sha256 is refused before it runs.
 */
import { gzipSync } from 'fflate';
import { makeNiftiHeader, writeNifti, writeNiftiFloat } from '../src/infer/io/nifti';
import { buildNifti } from '../test/infer/niftiFixture';
import { expect, openApp, test } from './fixtures';

const bad: [string, () => Uint8Array, RegExp][] = [
  ['empty.nii', () => new Uint8Array(0), /empty/],
  ['truncated.nii.gz', () => gzipSync(buildNifti({ dims: [20, 20, 20] })).slice(0, 300), /gzip|truncated/i],
  ['nifti2.nii', () => buildNifti({ sizeofHdr: 540 }), /NIfTI-2 is not supported/],
  ['four_d.nii', () => buildNifti({ dim: [4, 2, 2, 2, 3, 1, 1, 1] }), /dim\[4\] = 3/],
  ['zero_spacing.nii', () => buildNifti({ pixdim: [1, 1, 0, 1, 1, 1, 1, 1] }), /pixdim\[2\]/],
  ['rgb.nii', () => buildNifti({ datatype: 128 }), /RGB/],
  ['nan.nii', () => buildNifti({ values: [NaN, ...Array(23).fill(0)] }), /NaN/],
  ['photo.png', () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /this is a PNG image, not a CT scan/],
  ['study.zip', () => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...Array(60).fill(0)]), /a ZIP archive \(unpack it and open the scan inside\)/],
];

test('bad files each show one clear error, and the app still segments a good file afterwards', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  const input = page.getByTestId('drop-zone').locator('input[type=file]');
  for (const [name, make, msg] of bad) {
    await input.setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(make()) });
    await expect(page.getByTestId('status')).toHaveText('error');
    await expect(page.getByTestId('error')).toContainText(name);
    await expect(page.getByTestId('error')).toHaveText(msg);
  }
  await expect(page.getByTestId('dims')).toHaveText('96 × 80 × 48');
  await page.getByTestId('model-select').selectOption('fine-tiny');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
});

test('a model whose ONNX does not match the card sha256 is refused with a message', async ({ page }) => {
  await page.route('**/models/fine-tiny.onnx', async (route) => {
    const res = await route.fetch();
    const body = Buffer.from(await res.body());
    body[body.length - 1] ^= 0xff;
    await route.fulfill({ response: res, body });
  });
  await openApp(page, '?backend=wasm');
  await page.getByTestId('model-select').selectOption('fine-tiny');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('error', { timeout: 60_000 });
  await expect(page.getByTestId('error')).toContainText('sha256');
});

test('suspicious but readable input: a label map given as CT runs only when the user says so, with a warning; an MR-like volume runs with a warning', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  const input = page.getByTestId('drop-zone').locator('input[type=file]');
  await page.getByTestId('model-select').selectOption('fine-tiny');
  const viewerTop = async () => (await page.getByTestId('viewer').boundingBox())!.y;
  const topBefore = await viewerTop();
  const dims: [number, number, number] = [40, 32, 20];
  const labels = Uint8Array.from({ length: 40 * 32 * 20 }, (_, i) => (i % 40 > 20 ? 1 : 0));
  await input.setInputFiles({ name: 'labels.nii', mimeType: 'application/octet-stream', buffer: Buffer.from(writeNifti(labels, { dims, header: makeNiftiHeader(dims, [3, 3, 3]) })) });
  await expect(page.getByTestId('dims')).toHaveText('40 × 32 × 20');
  // A label map on another grid than the scan shown opens, flagged: Segment waits for the user's choice.
  await expect(page.getByTestId('label-map-gate')).toContainText('holds only 2 distinct integer values');
  await expect(page.getByTestId('run')).toBeDisabled();
  await page.getByTestId('segment-anyway').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('warnings')).toContainText('looks like a label map');
  expect(await viewerTop()).toBe(topBefore); // warnings head the side panel; the viewer does not move
  const mr = Float32Array.from({ length: 40 * 32 * 20 }, (_, i) => 200 + ((i * 37) % 800));
  await input.setInputFiles({ name: 'mr.nii', mimeType: 'application/octet-stream', buffer: Buffer.from(writeNiftiFloat(mr, { dims, header: makeNiftiHeader(dims, [3, 3, 3]) })) });
  await expect(page.getByTestId('volume-name')).toHaveText('mr.nii');
  // Checked when it opens, before any run; the run's own check of the same thing is not repeated.
  await expect(page.getByTestId('warnings')).toContainText('trained on CT');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('warnings')).toContainText('trained on CT');
  const lines = await page.getByTestId('warnings').locator('div').allTextContents();
  expect(lines.length).toBe(new Set(lines).size);
});

test('a voxel size of 1e6 mm: flagged when it opens, refused in one line by Segment, and the scan stays open', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  const dims: [number, number, number] = [40, 32, 20];
  const ct = Float32Array.from({ length: 40 * 32 * 20 }, (_, i) => (i % 40 < 4 ? -1000 : 20 + ((i * 37) % 90) + 0.5));
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles({ name: 'huge_voxels.nii', mimeType: 'application/octet-stream', buffer: Buffer.from(writeNiftiFloat(ct, { dims, header: makeNiftiHeader(dims, [1e6, 1, 1]) })) });
  await expect(page.getByTestId('dims')).toHaveText('40 × 32 × 20');
  await expect(page.getByTestId('warnings')).toContainText('this scan cannot be segmented: its voxel size (1000000 x 1 x 1 mm');
  await expect(page.getByTestId('warnings').locator('div')).toHaveCount(1);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('error', { timeout: 60_000 });
  await expect(page.getByTestId('error')).toContainText('this scan cannot be segmented');
  await expect(page.getByTestId('error')).not.toContainText('RangeError');
  await expect(page.getByTestId('dims')).toHaveText('40 × 32 × 20');
  await expect(page.getByTestId('volume-name')).toHaveText('huge_voxels.nii');
});
