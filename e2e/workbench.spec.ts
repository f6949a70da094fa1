/**
 * The workbench as a reader meets it: the first run pairs the synthetic sample with the model trained
 * on phantoms, a drop during a run cancels it cleanly, and the reference check scores like the CLI.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { headerText, makeNiftiHeader, readNifti, writeNifti, writeNiftiFloat } from '../src/infer/io/nifti';
import { makePhantom } from '../src/infer/synthetic/phantom';
import { makeVariant } from '../src/infer/eval/variants';
import type { Page } from '@playwright/test';
import { expect, fine, openApp, pageLabels, shot, test } from './fixtures';
import { MODELS_DIR } from './support/nodeReference';

const REFERENCE = join(import.meta.dirname, '..', 'public', 'sample', 'phantom_labels.nii.gz');
test.skip(!existsSync(join(MODELS_DIR, 'fine-tiny.json')), 'needs models/fine-tiny.{onnx,json}');

/** A pen stroke over the viewer in `steps` moves, from (x0, y0) to (x1, y1) given as fractions of its box. */
function strokeOn(page: Page, box: { x: number; y: number; width: number; height: number }, steps: number) {
  return async (x0: number, y0: number, x1: number, y1: number) => {
    await page.mouse.move(box.x + box.width * x0, box.y + box.height * y0);
    await page.mouse.down();
    for (let k = 1; k <= steps; k++) await page.mouse.move(box.x + box.width * (x0 + ((x1 - x0) * k) / steps), box.y + box.height * (y0 + ((y1 - y0) * k) / steps));
    await page.mouse.up();
  };
}

function ctFile(dims: [number, number, number], seed: number): Buffer {
  const { image } = makePhantom({ dims, spacing: [3, 3, 3], seed });
  return Buffer.from(writeNiftiFloat(image, { dims, header: makeNiftiHeader(dims, [3, 3, 3]) }, { gzip: true }));
}

test('first run: the synthetic phantom opens with fine-tiny, segments well, and a dropped CT selects the real-CT model', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await expect(page.getByTestId('volume-kind')).toContainText('synthetic phantom');
  await expect(page.getByTestId('model-select')).toHaveValue('fine-tiny');
  await expect(page.getByTestId('model-mismatch')).toHaveCount(0);
  // The model card is folded to one line under the picker; it opens on a click.
  await expect(page.getByTestId('model-card')).not.toHaveAttribute('open');
  await expect(page.getByTestId('model-network')).toBeHidden();
  await page.getByTestId('model-card').locator('summary').click();
  await expect(page.getByTestId('model-network')).toBeVisible();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  await page.getByTestId('reference-input').setInputFiles(REFERENCE);
  const mean = Number(await page.getByTestId('dice-mean').textContent());
  console.log(`first run on the sample: mean Dice ${mean}`);
  expect(mean).toBeGreaterThan(0.5);
  await shot(page, 'first-run');
  // Where they disagree: the overlay turns into false positives / negatives / wrong organ, counted as the test counts them.
  const labels = await pageLabels(page);
  const ref = readNifti(new Uint8Array(readFileSync(REFERENCE)), REFERENCE).data;
  const want = { falsePositive: 0, falseNegative: 0, wrongOrgan: 0, notScored: 0 };
  labels.forEach((p, i) => {
    const r = ref[i];
    if (p !== r) want[r === 0 ? 'falsePositive' : p === 0 ? 'falseNegative' : 'wrongOrgan']++;
  });
  expect(new Set(ref).size).toBeGreaterThan(9); // every organ labelled: nothing goes unscored
  expect(want.falsePositive + want.falseNegative).toBeGreaterThan(0);
  expect(await fine(page, 'overlayLabels')).toContain('liver');
  await page.getByTestId('disagreement-toggle').check();
  await expect.poll(() => fine(page, 'overlayLabels')).toContain('false negative: in the reference, missed');
  expect(await fine(page, 'disagreement')).toEqual(want);
  await expect(page.getByTestId('disagreement-key').locator('li[data-kind="1"]')).toContainText(want.falsePositive.toLocaleString('en-US'));
  await shot(page, 'first-run-disagreement');
  // A reference without the liver: the predicted liver is "not scored" (the Dice table leaves it out), not false positive.
  const noLiver = Float32Array.from(ref, (r) => (r === 1 ? 0 : r));
  const refDims = (await fine(page, 'getLabels'))!.dims as [number, number, number];
  await page.getByTestId('reference-input').setInputFiles({ name: 'no_liver.nii.gz', mimeType: 'application/gzip', buffer: Buffer.from(writeNifti(Uint8Array.from(noLiver), { dims: refDims, header: readNifti(new Uint8Array(readFileSync(REFERENCE)), REFERENCE).header }, { gzip: true })) });
  await expect(page.getByTestId('disagreement-reference')).toContainText('no_liver.nii.gz');
  const liverOnBackground = labels.reduce((n, p, i) => n + (p === 1 && noLiver[i] === 0 ? 1 : 0), 0);
  expect(liverOnBackground).toBeGreaterThan(1000);
  const falsePositive = labels.reduce((n, p, i) => n + (p !== 0 && p !== 1 && noLiver[i] === 0 ? 1 : 0), 0);
  await expect.poll(async () => (await fine(page, 'disagreement'))?.notScored).toBe(liverOnBackground);
  expect((await fine(page, 'disagreement'))!.falsePositive).toBe(falsePositive);
  await expect(page.getByTestId('dice-table')).toContainText('livernot in reference (predicted)');
  await expect(page.getByTestId('dice-table')).toContainText('mean (8 organs in the reference)');
  await page.getByTestId('reference-input').setInputFiles(REFERENCE);
  await expect(page.getByTestId('disagreement-reference')).toContainText('phantom_labels.nii.gz');
  await page.getByTestId('disagreement-toggle').uncheck();
  await expect.poll(() => fine(page, 'overlayLabels')).toContain('liver');
  // Two models on one volume: the real-CT model's result against the phantom model's, as a reference.
  if (existsSync(join(MODELS_DIR, 'fine-small.json'))) {
    await page.getByTestId('model-select').selectOption('fine-small');
    await page.getByTestId('compare-models').click();
    await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
    await expect(page.getByTestId('dice-table')).toContainText("Against fine-tiny's result");
    await expect(page.getByTestId('disagreement-reference')).toContainText("fine-tiny's result");
    await expect.poll(() => fine(page, 'overlayLabels')).toContain('wrong organ: both labelled, differently');
    await shot(page, 'compare-models');
  }
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles({ name: 'patient.nii.gz', mimeType: 'application/gzip', buffer: ctFile([40, 40, 20], 5) });
  await expect(page.getByTestId('volume-name')).toHaveText('patient.nii.gz');
  await expect(page.getByTestId('volume-kind')).toHaveCount(0);
  if (existsSync(join(MODELS_DIR, 'fine-small.json'))) await expect(page.getByTestId('model-select')).toHaveValue('fine-small');
});

test('a drop during a run cancels it cleanly and loads the new volume', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles({ name: 'large.nii.gz', mimeType: 'application/gzip', buffer: ctFile([160, 128, 64], 3) });
  await expect(page.getByTestId('dims')).toHaveText('160 × 128 × 64');
  await page.getByTestId('model-select').selectOption('fine-tiny');
  await page.getByTestId('run').click();
  await expect.poll(async () => Number(await page.getByTestId('progress').getAttribute('aria-valuenow')), { intervals: [50] }).toBeGreaterThan(0);
  await expect(page.getByTestId('cancel')).toBeEnabled();
  await expect(page.getByTestId('run')).toBeDisabled();
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles({ name: 'second.nii.gz', mimeType: 'application/gzip', buffer: ctFile([40, 40, 20], 5) });
  await expect(page.getByTestId('dims')).toHaveText('40 × 40 × 20');
  await expect(page.getByTestId('status')).toHaveText('idle');
  await expect(page.getByTestId('cancel')).toBeDisabled();
  await expect(page.getByTestId('run')).toBeEnabled();
  await expect(page.getByTestId('error')).toHaveCount(0);
  // The old run's tiles stop arriving: the bar stays empty and no labels appear.
  await page.waitForTimeout(1500);
  await expect(page.getByTestId('progress')).toHaveAttribute('aria-valuenow', '0');
  expect(await fine(page, 'getLabels')).toBeNull();
  await shot(page, 'drop-mid-run');
});

const display = (page: import('@playwright/test').Page) => fine(page, 'viewerDisplay');

test('reading: radiological by default with a toggle, crosshair readout, numeric window/level, thin slabs', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await expect(page.getByTestId('radiological')).toBeChecked();
  await expect.poll(() => display(page)).toMatchObject({ radiological: true, thinSlabLayout: false });
  await expect(page.getByTestId('convention')).toContainText('patient left on screen right');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.27, box.y + box.height * 0.67);
  await expect(page.getByTestId('readout-hu')).toHaveText(/^-?\d+$/);
  await expect(page.getByTestId('readout-voxel')).toHaveText(/^\d+, \d+, \d+$/);
  await expect(page.getByTestId('readout-mm')).toHaveText(/^-?\d+\.\d, -?\d+\.\d, -?\d+\.\d$/);
  await expect(page.getByTestId('readout-label')).not.toBeEmpty();
  await expect(page.getByTestId('readout-slice')).toHaveText(/^\d+ \/ \d+$/);
  await shot(page, 'reading-radiological');
  // Layouts: one large axial view, 2 x 2 with the 3-D render, 1 x 3 without; the L key steps on.
  await page.getByTestId('layout').selectOption('axial');
  await expect.poll(() => display(page)).toMatchObject({ layout: 'axial', sliceType: 0 });
  await shot(page, 'layout-axial');
  await page.getByTestId('layout').selectOption('2x2');
  await expect.poll(() => display(page)).toMatchObject({ layout: '2x2', sliceType: 3, multiplanarLayout: 2, render3d: true });
  await page.getByTestId('layout').selectOption('1x3');
  await expect.poll(() => display(page)).toMatchObject({ layout: '1x3', sliceType: 3, multiplanarLayout: 3, render3d: false });
  await page.keyboard.press('l');
  await expect(page.getByTestId('layout')).toHaveValue('axial');
  await page.getByTestId('layout').selectOption('auto');
  await expect.poll(() => display(page)).toMatchObject({ layout: 'auto', sliceType: 3, render3d: true });
  await page.getByTestId('radiological').uncheck();
  await expect.poll(() => display(page)).toMatchObject({ radiological: false });
  await expect(page.getByTestId('convention')).toContainText('patient left on screen left');
  await page.getByTestId('window-width').fill('350');
  await page.getByTestId('window-width').press('Enter');
  await page.getByTestId('window-level').fill('50');
  await page.getByTestId('window-level').press('Enter');
  await expect(page.getByTestId('window-abdomen')).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('window-lung').click();
  await expect(page.getByTestId('window-width')).toHaveValue('1500');
  await expect(page.getByTestId('window-level')).toHaveValue('-600');
  // Keyboard: ? lists the shortcuts, the keys do what it says, and keys typed into a field stay there.
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toContainText('Switch radiological / neurological convention');
  await shot(page, 'help-overlay');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
  await page.keyboard.press('r');
  await expect(page.getByTestId('convention')).toContainText('patient left on screen right');
  await expect(page.getByTestId('radiological')).toBeChecked();
  await page.keyboard.press('2');
  await expect(page.getByTestId('window-width')).toHaveValue('1800');
  await page.getByTestId('window-level').fill('');
  await page.getByTestId('window-level').press('1');
  await expect(page.getByTestId('window-width')).toHaveValue('1800');
  await page.getByTestId('help-button').click();
  await expect(page.getByTestId('help-overlay')).toBeVisible();
  await page.getByTestId('help-close').click();
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
  // A slab of 6 slices: the views go in one column, the coronal and sagittal as full-width bands.
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles({ name: 'slab.nii.gz', mimeType: 'application/gzip', buffer: ctFile([96, 80, 6], 7) });
  await expect(page.getByTestId('dims')).toHaveText('96 × 80 × 6');
  await expect.poll(() => display(page)).toMatchObject({ thinSlabLayout: true });
  // Flagged as it opens, before any run.
  await expect(page.getByTestId('warnings')).toContainText('the scan covers only 18 mm head-foot (6 slices)');
  await expect(page.getByTestId('status')).toHaveText('idle');
  await shot(page, 'thin-slab');
});

test('phone width: the viewer keeps the screen width', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page);
  const box = (await page.getByTestId('viewer').boundingBox())!;
  expect(box.width).toBeGreaterThan(350);
  expect(box.height).toBeGreaterThan(300);
  await shot(page, 'phone');
});

test('attention: the same voxel recomputes, a level switch shows that level, and the colour bar says what it means', async ({ page }) => {
  const heat = () => fine(page, 'heatMap');
  const shown = () => fine(page, 'heatMapsShown');
  await openApp(page, '?backend=wasm');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  await page.getByTestId('attention-mode').check();
  const box = (await page.getByTestId('viewer').boundingBox())!;
  const at = { x: box.x + box.width * 0.27, y: box.y + box.height * 0.67 };
  await page.mouse.click(at.x, at.y);
  await expect.poll(heat).toMatchObject({ level: 'window' });
  const first = await shown();
  await page.mouse.click(at.x, at.y);
  await expect.poll(shown).toBe(first + 1);
  await page.getByTestId('attention-level-global').click();
  await expect.poll(heat).toMatchObject({ level: 'global' });
  await expect(page.getByTestId('attention-shown')).toContainText('global');
  await expect(page.getByTestId('attention-level-global')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('heat-meaning')).toHaveText("Where this voxel's prediction looked: brighter = more attention.");
  await expect(page.getByTestId('attention-meaning')).toContainText('other windows of this crop');
  await page.getByTestId('heat-bar').scrollIntoViewIfNeeded();
  await shot(page, 'attention-global');
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('results out: the organ table as CSV and the label names beside the label map', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-organs').click()]);
  expect(csv.suggestedFilename()).toBe('phantom_organs.csv');
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('label_id,organ,voxels,volume_ml,mean_hu');
  expect(lines).toHaveLength(10);
  const liver = lines.find((l) => l.split(',')[1] === 'liver')!.split(',');
  expect(Number(liver[3])).toBeCloseTo(Number(await page.locator('[data-label="liver"] td.num').first().textContent()), 0);
  const [txt] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-labels-itksnap').click()]);
  expect(txt.suggestedFilename()).toBe('phantom_seg_labels.txt');
  expect(readFileSync(await txt.path(), 'utf8')).toMatch(/^\s+1\s+\d+\s+\d+\s+\d+\s+1\s+1\s+1\s+"liver"$/m);
});

test('label correction: paint with an organ, undo, erase, save a corrected label map', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  const before = await pageLabels(page);
  const box = (await page.getByTestId('viewer').boundingBox())!;
  const stroke = strokeOn(page, box, 12);
  const save = async () => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('edit-save').click()]);
    expect(file.suggestedFilename()).toBe('phantom_seg_corrected.nii.gz');
    const v = readNifti(new Uint8Array(readFileSync(await file.path())), 'corrected.nii.gz');
    expect(headerText(v.header)).toEqual({ descrip: 'labels by fine-tiny, corrected by hand (FINE workbench)', intentName: 'labels', intentCode: 1002 });
    return v.data;
  };
  // A stroke then undo: saving gives back the model's labels. Correction is the second tab under the results.
  await expect(page.getByTestId('tab-analysis')).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('tab-edit').click();
  await expect(page.getByTestId('analysis-panel')).toHaveCount(0);
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-pen').selectOption({ label: 'spleen' });
  await stroke(0.1, 0.6, 0.4, 0.8);
  await page.getByTestId('edit-undo').click();
  const undone = await save();
  expect(Array.from(undone)).toEqual(Array.from(before));
  // A spleen stroke: voxels change, and every changed voxel is now spleen.
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-pen').selectOption({ label: 'spleen' });
  await stroke(0.1, 0.6, 0.4, 0.8);
  await shot(page, 'label-correction');
  const painted = await save();
  const spleen = Number((await page.getByTestId('legend').locator('[data-label="spleen"]').getAttribute('data-id')) ?? 'NaN');
  let changed = 0;
  painted.forEach((v, i) => { if (v !== before[i]) { changed++; expect(v).toBe(spleen); } });
  console.log(`label correction: ${changed} voxels painted spleen`);
  expect(changed).toBeGreaterThan(10);
  expect(Array.from(await pageLabels(page))).toEqual(Array.from(painted));
  await expect(page.getByTestId('edit-saved')).toContainText('saved 2 times');
  // The eraser takes labels away.
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-erase').click();
  await stroke(0.1, 0.6, 0.4, 0.8);
  const erased = await save();
  let cleared = 0;
  erased.forEach((v, i) => { if (v !== painted[i]) { cleared++; expect(v).toBe(0); } });
  expect(cleared).toBeGreaterThan(10);
  // A wider brush ([ and ] step it): Ctrl+Z takes its stroke back; saved, it paints far more voxels than the 1-voxel eraser took.
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-pen').selectOption({ label: 'spleen' });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // keys in a select stay there
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await expect(page.getByTestId('edit-size')).toHaveValue('5');
  await expect.poll(() => fine(page, 'pen')).toMatchObject({ size: 5, label: spleen });
  await stroke(0.1, 0.6, 0.4, 0.8);
  await page.keyboard.press('Control+z');
  expect(Array.from(await save())).toEqual(Array.from(erased));
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-pen').selectOption({ label: 'spleen' });
  await stroke(0.1, 0.6, 0.4, 0.8);
  const wide = await save();
  let widened = 0;
  wide.forEach((v, i) => { if (v !== erased[i]) { widened++; expect(v).toBe(spleen); } });
  console.log(`label correction: ${cleared} voxels erased with a 1-voxel brush, ${widened} painted with a 5-voxel brush`);
  expect(widened).toBeGreaterThan(2 * cleared);
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('editing the field\'s way: an HU range, protected labels, redo, fill between slices (on a CT stored z-y-x)', async ({ page }) => {
  // The phantom stored with its axes in another order: every check below maps the labels back to the
  // phantom's own grid, so the drawing layer's voxel order must be read right.
  const original = readNifti(new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'public', 'sample', 'phantom.nii.gz'))), 'phantom');
  const variant = makeVariant({ ct: original, ref: readNifti(new Uint8Array(readFileSync(REFERENCE)), 'ref') }, 'zyx');
  const file = join(test.info().outputDir, 'phantom_zyx.nii.gz');
  mkdirSync(test.info().outputDir, { recursive: true });
  writeFileSync(file, writeNiftiFloat(variant.ct.data, variant.ct, { gzip: true }));
  await openApp(page, '?backend=wasm');
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(file);
  await expect(page.getByTestId('dims')).toHaveText([...variant.ct.dims].join(' × '));
  await page.getByTestId('model-select').selectOption('fine-tiny');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  await page.getByTestId('layout').selectOption('axial');
  await page.getByTestId('tab-edit').click();
  const box = (await page.getByTestId('viewer').boundingBox())!;
  const stroke = strokeOn(page, box, 16);
  const save = async () => {
    const [f] = await Promise.all([page.waitForEvent('download'), page.getByTestId('edit-save').click()]);
    return variant.toOriginal!(Uint8Array.from(readNifti(new Uint8Array(readFileSync(await f.path())), 'corrected.nii.gz').data));
  };
  const spleen = Number(await page.getByTestId('legend').locator('[data-label="spleen"]').getAttribute('data-id'));
  const liver = Number(await page.getByTestId('legend').locator('[data-label="liver"]').getAttribute('data-id'));
  const diff = (a: Uint8Array, b: Uint8Array) => [...a.keys()].filter((i) => a[i] !== b[i]);
  let before = variant.toOriginal!(await pageLabels(page));
  const across = () => stroke(0.05, 0.5, 0.95, 0.52);

  // Painting limited to -50..150 HU: across the body and the air around it, only voxels in the range change.
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-pen').selectOption({ label: 'spleen' });
  await page.getByTestId('edit-size').selectOption('9');
  await page.getByTestId('edit-hu').check();
  await page.getByTestId('edit-hu-min').fill('-50');
  await page.getByTestId('edit-hu-min').press('Enter');
  await page.getByTestId('edit-hu-max').fill('150');
  await page.getByTestId('edit-hu-max').press('Enter');
  await across();
  await expect(page.getByTestId('edit-protected')).toContainText('voxels alone');
  await shot(page, 'edit-hu-range');
  const inRange = await save();
  const painted = diff(before, inRange);
  console.log(`HU-limited stroke: ${painted.length} voxels painted, HU ${Math.min(...painted.map((i) => original.data[i]))}..${Math.max(...painted.map((i) => original.data[i]))}`);
  expect(painted.length).toBeGreaterThan(20);
  for (const i of painted) {
    expect(inRange[i]).toBe(spleen);
    expect(original.data[i]).toBeGreaterThanOrEqual(-50);
    expect(original.data[i]).toBeLessThanOrEqual(150);
  }
  before = inRange;

  // Liver protected: a wide stroke over it leaves every liver voxel as it was.
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-hu').uncheck();
  await page.getByTestId('edit-locks').locator('summary').click();
  await page.getByTestId('edit-lock-liver').check();
  await stroke(0.05, 0.6, 0.95, 0.61);
  const locked = await save();
  const changedLocked = diff(before, locked);
  expect(changedLocked.length).toBeGreaterThan(20);
  expect([...before.keys()].filter((i) => before[i] === liver && locked[i] !== liver)).toEqual([]);
  // The stroke did pass over the liver: painted voxels border it.
  expect(changedLocked.some((i) => before[i - 1] === liver || before[i + 1] === liver)).toBe(true);
  before = locked;

  // Undo never goes past the start of a correction, and redo brings an undone stroke back.
  await page.getByTestId('edit-start').click();
  await expect(page.getByTestId('edit-locks').locator('summary')).toHaveText('Protected labels (1)');
  await page.getByTestId('edit-locks').locator('summary').click();
  await page.getByTestId('edit-lock-liver').uncheck();
  await page.getByTestId('edit-pen').selectOption({ label: 'liver' });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await stroke(0.3, 0.2, 0.7, 0.3);
  for (let k = 0; k < 3; k++) await page.keyboard.press('Control+z');
  await expect(page.getByTestId('edit-undo')).toBeDisabled();
  await expect(page.getByTestId('edit-redo')).toBeEnabled();
  await page.keyboard.press('Control+y');
  await expect(page.getByTestId('edit-redo')).toBeDisabled();
  const redone = await save();
  const strokeVoxels = diff(before, redone);
  expect(strokeVoxels.length).toBeGreaterThan(20);
  for (const i of strokeVoxels) expect(redone[i]).toBe(liver);
  await page.getByTestId('edit-start').click();
  await stroke(0.3, 0.2, 0.7, 0.3);
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  expect(diff(redone, await save())).toEqual([]);
  before = redone;

  // Fill between slices: spleen drawn on two axial slices six apart fills the slices between.
  await page.getByTestId('edit-start').click();
  await page.getByTestId('edit-pen').selectOption({ label: 'spleen' });
  await page.getByTestId('edit-size').selectOption('5');
  await page.getByTestId('edit-fill').check();
  const outline = async () => {
    const pts: [number, number][] = [[0.35, 0.35], [0.6, 0.35], [0.6, 0.6], [0.35, 0.6], [0.35, 0.35]];
    await page.mouse.move(box.x + box.width * pts[0][0], box.y + box.height * pts[0][1]);
    await page.mouse.down();
    for (const [x, y] of pts.slice(1)) for (let k = 1; k <= 6; k++) await page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 1 });
    await page.mouse.up();
  };
  await outline();
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.9);
  for (let k = 0; k < 6; k++) {
    await page.mouse.wheel(0, 100);
    await page.waitForTimeout(100);
  }
  await outline();
  await page.getByTestId('edit-interpolate').click();
  await expect(page.getByTestId('edit-fill-note')).toContainText('Filled spleen on the 5 slices between the 2 drawn');
  await shot(page, 'edit-fill-between');
  const filled = await save();
  const zOf = (i: number) => Math.floor(i / (original.dims[0] * original.dims[1]));
  const zs = [...new Set(diff(before, filled).map(zOf))].sort((a, b) => a - b);
  console.log(`fill between slices: voxels changed on slices ${zs.join(', ')}`);
  expect(zs.length).toBeGreaterThanOrEqual(5);
  expect(zs[zs.length - 1] - zs[0]).toBe(zs.length - 1);
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('a label map dropped as a CT is offered as the reference, and is never segmented without a choice', async ({ page }) => {
  await openApp(page, '?backend=wasm');
  const drop = page.getByTestId('drop-zone').locator('input[type=file]');
  // Before a result: held beside the scan, which stays; the reference choice waits for a result.
  await drop.setInputFiles(REFERENCE);
  await expect(page.getByTestId('label-map-choice')).toContainText('looks like a label map, not a CT');
  await expect(page.getByTestId('volume-kind')).toContainText('synthetic phantom');
  await expect(page.getByTestId('use-as-reference')).toBeDisabled();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 200_000 });
  await page.getByTestId('use-as-reference').click();
  await expect(page.getByTestId('dice-table')).toContainText('Against phantom_labels.nii.gz');
  await expect(page.getByTestId('label-map-choice')).toHaveCount(0);
  // Opened as a volume on purpose: Segment stays off until the user ticks "segment it anyway".
  await drop.setInputFiles(REFERENCE);
  await page.getByTestId('open-as-volume').click();
  await expect(page.getByTestId('volume-name')).toHaveText('phantom_labels.nii.gz');
  await expect(page.getByTestId('label-map-gate')).toContainText('looks like a label map');
  await expect(page.getByTestId('run')).toBeDisabled();
  await page.getByTestId('segment-anyway').check();
  await expect(page.getByTestId('run')).toBeEnabled();
  await shot(page, 'label-map-gate');
});
