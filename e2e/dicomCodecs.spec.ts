/**
 * Compressed DICOM in the browser, on files written here (no ../shared/data needed): JPEG-LS and HTJ2K
 * frames encoded with the codecs' own encoders in Node, dropped on the page, decoded in the DICOM worker
 * by the WASM decoders the app serves, to the HU the uncompressed pixels give.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENCODED_SYNTAXES, dicomSlice, encodeFrame } from '../test/infer/dicomFixture';
import { expect, fine, openApp, test } from './fixtures';

const ROWS = 24, COLS = 32, SLICES = 3;
const pixels = (z: number) => Int16Array.from({ length: ROWS * COLS }, (_, i) => 1024 - 1000 + 40 * z + ((i * 7919) % 1500));

for (const [name, pkg, cls, ts] of ENCODED_SYNTAXES) {
  test(`a ${name} series dropped on the page decodes to the right HU`, async ({ page }) => {
    const dir = join(test.info().outputDir, name);
    mkdirSync(dir, { recursive: true });
    let want = 0;
    const files: string[] = [];
    for (let z = 0; z < SLICES; z++) {
      const px = pixels(z);
      px.forEach((v) => { want += v - 1024; }); // the fixture's rescale: slope 1, intercept -1024
      const file = join(dir, `s${z}.dcm`);
      writeFileSync(file, dicomSlice({ rows: ROWS, columns: COLS, position: [0, 0, 2 * z], pixels: px, transferSyntax: ts, frame: await encodeFrame(pkg, cls, px, ROWS, COLS) }));
      files.push(file);
    }
    await openApp(page);
    await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(files);
    await expect(page.getByTestId('dims')).toHaveText(`${COLS} × ${ROWS} × ${SLICES}`);
    expect(await fine(page, 'volumeSum')).toBe(want);
    await expect(page.getByTestId('error')).toHaveCount(0);
  });
}
