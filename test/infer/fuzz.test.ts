/**
 * Fuzzing the readers: thousands of seeded random mutations of valid NIfTI and DICOM files (byte
 * flips, header fields set to extreme values, truncation, appended garbage). Every one must end in a
 * loaded volume whose data matches its dims, or in an Error of one line, quickly: never a hang, a crash
 * or an allocation driven by a huge declared size (the whole test runs inside its timeout).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readDicomSeries, scanDicom } from '../../src/infer/io/dicom';
import { makeNiftiHeader, readNifti, writeNiftiInt16 } from '../../src/infer/io/nifti';
import { rng } from '../../src/util/random';
import { ENCODED_SYNTAXES, dicomMultiFrame, dicomSlice, encodeFrame } from './dicomFixture';
import { mutate, mutateGeometry } from './mutate';
import { checkBeforeRun } from '../../src/infer/preprocess/applicability';
import { preprocess } from '../../src/infer/preprocess/preprocess';
import { testCard } from './cardFixture';

type Outcome = 'volume' | 'error';

function checkVolume(v: { dims: number[]; data: ArrayLike<number> }): void {
  expect(v.dims.every((d) => Number.isInteger(d) && d > 0)).toBe(true);
  expect(v.data.length).toBe(v.dims.reduce((a, b) => a * b, 1));
}

async function outcome(run: () => Promise<{ dims: number[]; data: ArrayLike<number> }>): Promise<Outcome> {
  try {
    checkVolume(await run());
    return 'volume';
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    // The readers' own errors, which say what is wrong with the file; not a TypeError from deep inside.
    expect([(e as Error).name, (e as Error).message]).toEqual([expect.stringMatching(/^(NiftiError|DicomError)$/), expect.any(String)]);
    expect((e as Error).message).not.toMatch(/\n/);
    expect((e as Error).message.length).toBeGreaterThan(10);
    return 'error';
  }
}

describe('reader fuzzing', () => {
  it('NIfTI: 10000 mutations of a .nii and 1000 of a .nii.gz end in a volume or a one-line error', async () => {
    const dims: [number, number, number] = [6, 5, 4];
    const valid = writeNiftiInt16(Int16Array.from({ length: 120 }, (_, i) => i - 60), { dims, header: makeNiftiHeader(dims, [1, 1, 2]) });
    const r = rng(42);
    const seen: Record<Outcome, number> = { volume: 0, error: 0 };
    const t0 = performance.now();
    for (let i = 0; i < 10000; i++) seen[await outcome(async () => readNifti(mutate(valid, r, 352), `m${i}.nii`))]++;
    const gz = gzipSync(valid);
    for (let i = 0; i < 1000; i++) seen[await outcome(async () => readNifti(mutate(gz, r, gz.length), `m${i}.nii.gz`))]++;
    console.log(`NIfTI fuzz: ${seen.volume} volumes, ${seen.error} one-line errors in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(seen.volume).toBeGreaterThan(100);
    expect(seen.error).toBeGreaterThan(100);
  }, 120_000);

  it('DICOM: 5000 mutations of single-slice, multi-frame and JPEG-LS series end in a volume or a one-line error', async () => {
    const px = (z: number) => Int16Array.from({ length: 12 }, (_, i) => 1000 + 10 * z + i);
    const [, pkg, cls, ts] = ENCODED_SYNTAXES[0];
    const frames = [0, 1].map((z) => ({ position: [0, 0, z] as [number, number, number], pixels: px(z) }));
    const seeds: Uint8Array[][] = [
      [0, 1].map((z) => dicomSlice({ rows: 3, columns: 4, position: [0, 0, z], pixels: px(z) })),
      [0, 1].map((z) => dicomSlice({ rows: 3, columns: 4, position: [0, 0, z], pixels: px(z), rle: true })),
      [dicomMultiFrame({ rows: 3, columns: 4, frames })],
      [dicomMultiFrame({ rows: 3, columns: 4, frames, transferSyntax: ts, encoded: await Promise.all([0, 1].map((z) => encodeFrame(pkg, cls, px(z), 3, 4))) })],
    ];
    const r = rng(7);
    const seen: Record<Outcome, number> = { volume: 0, error: 0 };
    const t0 = performance.now();
    for (let i = 0; i < 5000; i++) {
      const files = seeds[i % seeds.length].map((b, k) => ({ name: `f${k}.dcm`, bytes: k === 0 || r() < 0.3 ? mutate(b, r, 600) : b }));
      seen[await outcome(async () => readDicomSeries(scanDicom(files).series[0]))]++;
    }
    console.log(`DICOM fuzz: ${seen.volume} volumes, ${seen.error} one-line errors in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(seen.volume).toBeGreaterThan(50);
    expect(seen.error).toBeGreaterThan(50);
  }, 120_000);

  it('the whole path up to the model: 1500 header mutations through the reader, the checks and preprocess, each within its time limit', () => {
    const dims: [number, number, number] = [12, 10, 8];
    const valid = writeNiftiInt16(Int16Array.from({ length: 960 }, (_, i) => (i % 12 < 2 ? -1000 : 40)), { dims, header: makeNiftiHeader(dims, [1.5, 1.5, 3]) });
    const card = testCard({ spacing: [3, 3, 3], patchSize: [16, 16, 8] });
    const r = rng(11);
    const seen = { preprocessed: 0, readerError: 0, refused: 0, warned: 0 };
    let slowest = 0;
    const t0 = performance.now();
    for (let i = 0; i < 1500; i++) {
      const bytes = i % 2 === 0 ? mutateGeometry(valid, r) : mutate(valid, r, 352);
      const t = performance.now();
      try {
        const volume = readNifti(bytes, `g${i}.nii`);
        const warnings = checkBeforeRun(volume, card);
        for (const w of warnings) expect(w).not.toMatch(/\n/);
        if (warnings.length) seen.warned++;
        const p = preprocess(volume, card);
        expect(p.image.length).toBe(p.dims[0] * p.dims[1] * p.dims[2]);
        expect(warnings.some((w) => w.startsWith('this scan cannot be segmented'))).toBe(false);
        seen.preprocessed++;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        // The reader's or preprocess's own one-line errors, never a RangeError or TypeError from an allocation or a NaN.
        expect((e as Error).name, (e as Error).message).toMatch(/^(NiftiError|PreprocessError)$/);
        expect((e as Error).message).not.toMatch(/\n/);
        if ((e as Error).name === 'PreprocessError') seen.refused++;
        else seen.readerError++;
      }
      slowest = Math.max(slowest, performance.now() - t);
    }
    console.log(`whole-path fuzz: ${JSON.stringify(seen)} in ${((performance.now() - t0) / 1000).toFixed(1)} s; slowest input ${slowest.toFixed(0)} ms`);
    expect(seen.preprocessed).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(10);
    expect(slowest).toBeLessThan(5000);
  }, 300_000);

  it('a voxel size of 1e6 mm is refused in one line, by the checks on load and by preprocess alike', () => {
    const dims: [number, number, number] = [12, 10, 8];
    const volume = readNifti(writeNiftiInt16(new Int16Array(960), { dims, header: makeNiftiHeader(dims, [1e6, 1, 1]) }), 'huge.nii');
    const card = testCard({ spacing: [3, 3, 3], patchSize: [16, 16, 8] });
    const problem = checkBeforeRun(volume, card).find((w) => w.startsWith('this scan cannot be segmented'));
    expect(problem).toMatch(/voxel size \(1000000 x 1 x 1 mm/);
    expect(() => preprocess(volume, card)).toThrow(problem);
  });
});
