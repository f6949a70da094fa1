/**
 * The real slab CT from ../shared/data, segmented in the browser with the default model on WASM, and
 * scored against the slab's label map. Those labels are silver-standard (another model's output), and
 * the slab is part of the default model's training case: a sanity check, not a generalisation figure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNifti } from '../src/infer/io/nifti';
import { diceScore } from '../src/infer/eval/metrics';
import { expect, fine, openApp, shot, test } from './fixtures';
import { MODELS_DIR } from './support/nodeReference';

const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data', 'ct');
const CT = join(DATA, 'caseA_slab_ct.nii.gz');
const SEG = join(DATA, 'caseA_slab_seg9.nii.gz');
const CARD = join(MODELS_DIR, 'fine-small.json');

test.skip(!existsSync(CT), `no ${CT}: the real-CT spec needs ../shared/data (absent on a fresh clone)`);
test.skip(!existsSync(CARD), `no ${CARD}: the default model is not in models/`);

for (const threads of ['1', '']) {
  test(`the slab CT on WASM (${threads ? '1 thread' : 'isolated threads'}) with the default model reaches the Dice floor`, async ({ page }) => {
    await openApp(page, `?backend=wasm${threads ? `&threads=${threads}` : ''}`);
    await page.getByTestId('model-select').selectOption('fine-small');
    const t0 = Date.now();
    await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(CT);
    await expect(page.getByTestId('dims')).toHaveText('122 × 101 × 30');
    await page.getByTestId('run').click();
    await expect(page.getByTestId('status')).toHaveText('done', { timeout: 600_000 });
    const seconds = (Date.now() - t0) / 1000;
    const got = await fine(page, 'getLabels');
    const pred = new Uint8Array(Buffer.from(got?.base64 ?? '', 'base64'));
    const ref = Uint8Array.from(readNifti(new Uint8Array(readFileSync(SEG)), SEG).data);
    const dice = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((id) => ref.includes(id)).map((id) => diceScore(pred, ref, id));
    const mean = dice.reduce((a, b) => a + b, 0) / dice.length;
    console.log(`slab CT, WASM ${threads ? '1 thread' : 'threads'}: drop to overlay ${seconds.toFixed(1)} s; mean Dice ${mean.toFixed(3)} over ${dice.length} organs [${dice.map((d) => d.toFixed(2)).join(' ')}] (silver labels, training case)`);
    expect(mean).toBeGreaterThan(0.6);
    await shot(page, `real-slab-wasm${threads ? '-1thread' : '-threads'}`);
  });
}
