/**
 * Compressed DICOM in the browser, on files written here (no ../shared/data needed): JPEG-LS and HTJ2K
 * frames encoded with the codecs' own encoders in Node, dropped on the page, decoded in the DICOM worker
 * by the WASM decoders the app serves, to the HU the uncompressed pixels give.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dicomSlice } from '../test/infer/dicomFixture';
import { expect, fine, openApp, test } from './fixtures';

type Encoder = { getDecodedBuffer(info: object): Uint8Array; encode(): void; getEncodedBuffer(): Uint8Array; delete(): void };

async function encode(pkg: string, cls: string, px: Int16Array, rows: number, columns: number): Promise<Uint8Array> {
  const m = (await import(pkg)) as { default: (o: object) => Promise<Record<string, new () => Encoder>> };
  const mod = await m.default({ print: () => {}, printErr: () => {} });
  const enc = new mod[cls]();
  enc.getDecodedBuffer({ width: columns, height: rows, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false }).set(new Uint8Array(px.buffer.slice(0)));
  enc.encode();
  const out = enc.getEncodedBuffer().slice();
  enc.delete();
  return out;
}

const ROWS = 24, COLS = 32, SLICES = 3;
const pixels = (z: number) => Int16Array.from({ length: ROWS * COLS }, (_, i) => 1024 - 1000 + 40 * z + ((i * 7919) % 1500));

for (const [name, pkg, cls, ts] of [
  ['JPEG-LS', '@cornerstonejs/codec-charls/wasmjs', 'JpegLSEncoder', '1.2.840.10008.1.2.4.80'],
  ['HTJ2K', '@cornerstonejs/codec-openjph/wasmjs', 'HTJ2KEncoder', '1.2.840.10008.1.2.4.201'],
]) {
  test(`a ${name} series dropped on the page decodes to the right HU`, async ({ page }) => {
    const dir = join(test.info().outputDir, name);
    mkdirSync(dir, { recursive: true });
    let want = 0;
    const files: string[] = [];
    for (let z = 0; z < SLICES; z++) {
      const px = pixels(z);
      px.forEach((v) => { want += v - 1024; }); // the fixture's rescale: slope 1, intercept -1024
      const file = join(dir, `s${z}.dcm`);
      writeFileSync(file, dicomSlice({ rows: ROWS, columns: COLS, position: [0, 0, 2 * z], pixels: px, transferSyntax: ts, frame: await encode(pkg, cls, px, ROWS, COLS) }));
      files.push(file);
    }
    await openApp(page);
    await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(files);
    await expect(page.getByTestId('dims')).toHaveText(`${COLS} × ${ROWS} × ${SLICES}`);
    expect(await fine(page, 'volumeSum')).toBe(want);
    await expect(page.getByTestId('error')).toHaveCount(0);
  });
}
