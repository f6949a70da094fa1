/**
 * Shared e2e fixtures: every request the page makes is recorded and the test fails if one leaves
 * the page's origin (the product promise: nothing leaves the browser); page errors are collected.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { makeNiftiHeader, writeNiftiFloat } from '../src/infer/io/nifti';
import { makePhantom } from '../src/infer/synthetic/phantom';
import { fine } from './support/hooks';

export interface Recorder {
  requests: string[];
  pageErrors: string[];
  consoleErrors: string[];
}

export const test = base.extend<{ recorder: Recorder }>({
  recorder: async ({ page, baseURL }, use) => {
    const rec: Recorder = { requests: [], pageErrors: [], consoleErrors: [] };
    const origin = new URL(baseURL ?? 'http://127.0.0.1').origin;
    page.context().on('request', (r) => rec.requests.push(r.url()));
    page.on('pageerror', (e) => rec.pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') rec.consoleErrors.push(m.text());
    });
    await use(rec);
    const foreign = rec.requests.filter((u) => {
      if (u.startsWith('blob:') || u.startsWith('data:')) return false;
      return new URL(u).origin !== origin;
    });
    expect(foreign, `requests that left ${origin}`).toEqual([]);
  },
});

export { expect };

/** Opens the app and waits until the bundled sample is shown. */
export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByTestId('dims')).toHaveText('96 × 80 × 48');
  await expect(page.getByTestId('status')).toHaveText('idle');
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/${name}.png` });
}

export { fine, type Hooks } from './support/hooks';

/** The label map the page holds, voxel for voxel. */
export async function pageLabels(page: Page): Promise<Uint8Array> {
  const got = await fine(page, 'getLabels');
  if (!got) throw new Error('no labels in the page');
  return new Uint8Array(Buffer.from(got.base64, 'base64'));
}

/**
 * A small seeded phantom written into the test's output folder (64 x 56 x 28 voxels of 3 mm by default:
 * a few tiles, so software WebGPU stays quick).
 */
export function smallPhantomFile(dims: [number, number, number] = [64, 56, 28]): string {
  const { image } = makePhantom({ dims, spacing: [3, 3, 3], seed: 11 });
  const file = join(test.info().outputDir, `phantom-${dims.join('x')}.nii.gz`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, writeNiftiFloat(image, { dims, header: makeNiftiHeader(dims, [3, 3, 3]) }, { gzip: true }));
  return file;
}
