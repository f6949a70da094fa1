/**
 * The same volume segmented end to end in headless Chromium (drop to overlay): WASM on one thread,
 * WASM with cross-origin-isolated threads, and WebGPU (here a software adapter). Peak memory of the
 * page and its worker from performance.measureUserAgentSpecificMemory (needs cross-origin isolation).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { basename } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { median } from './stats';

export interface BrowserResult {
  wasmSeconds: number | null;
  wasmThreadedSeconds: number | null;
  webgpuSeconds: number | null;
  peakHeapMb: number | null;
  notes: string[];
}

const PORT = Number(process.env.BENCH_PORT ?? 5183);
const WEBGPU_LIMIT_S = Number(process.env.BENCH_WEBGPU_LIMIT_S ?? 600);

async function startServer(): Promise<ChildProcess> {
  const server = spawn('npx', ['vite', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) return server;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Vite server did not start on port ${PORT}`);
}

/** Seconds from handing the file to the page until the label overlay is shown; samples memory meanwhile. */
async function segmentOnce(page: Page, query: string, file: string, model: string, limitS: number): Promise<{ seconds: number; peakMb: number | null }> {
  await page.goto(`http://127.0.0.1:${PORT}/${query}`);
  await page.getByTestId('status').filter({ hasText: 'idle' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('model-select').selectOption(model);
  let peak = 0, sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const bytes = await page.evaluate(async () => {
        const p = performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
        return p.measureUserAgentSpecificMemory && globalThis.crossOriginIsolated ? (await p.measureUserAgentSpecificMemory()).bytes : -1;
      }).catch(() => -1);
      peak = Math.max(peak, bytes);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const t0 = performance.now();
  await page.getByTestId('drop-zone').locator('input[type=file]').setInputFiles(file);
  await page.getByTestId('dims').filter({ hasNotText: '96 × 80 × 48' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('status').filter({ hasText: 'idle' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('run').click();
  await page.getByTestId('status').filter({ hasText: /^(done|error)$/ }).waitFor({ timeout: limitS * 1000 });
  const seconds = (performance.now() - t0) / 1000;
  sampling = false;
  await sampler;
  const status = await page.getByTestId('status').textContent();
  if (status !== 'done') throw new Error(`segmentation ended in '${status}': ${await page.getByTestId('error').textContent().catch(() => '')}`);
  return { seconds, peakMb: peak > 0 ? peak / 2 ** 20 : null };
}

export type Series = 'wasm' | 'threads' | 'webgpu';

export async function measureBrowser(file: string, cardPath: string, runs: number, only: readonly Series[] = ['wasm', 'threads', 'webgpu']): Promise<BrowserResult> {
  const model = basename(cardPath, '.json');
  const notes: string[] = [];
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-blink-features=ForceEagerMeasureMemory'],
  });
  const result: BrowserResult = { wasmSeconds: null, wasmThreadedSeconds: null, webgpuSeconds: null, peakHeapMb: null, notes };
  try {
    const page = await browser.newPage();
    const series = async (query: string, n: number, limitS: number): Promise<number | null> => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        try {
          const r = await segmentOnce(page, query, file, model, limitS);
          times.push(r.seconds);
          if (r.peakMb !== null) result.peakHeapMb = Math.max(result.peakHeapMb ?? 0, r.peakMb);
        } catch (e) {
          notes.push(`${query}: ${(e as Error).message.split('\n')[0]}`);
          break;
        }
      }
      return times.length ? median(times) : null;
    };
    if (only.includes('wasm')) result.wasmSeconds = await series('?backend=wasm&threads=1', runs, 900);
    if (only.includes('threads')) result.wasmThreadedSeconds = await series('?backend=wasm', runs, 900);
    await page.goto(`http://127.0.0.1:${PORT}/`);
    const shown = await page.evaluate(async () => Boolean(await (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()));
    if (!only.includes('webgpu')) return result;
    if (shown) result.webgpuSeconds = await series('?backend=webgpu', 1, WEBGPU_LIMIT_S);
    else notes.push('no WebGPU adapter in this browser');
    if (result.webgpuSeconds !== null) notes.push('WebGPU: one run only (software adapter, no GPU on this machine)');
  } finally {
    await browser.close();
    try {
      process.kill(-(server.pid as number));
    } catch {
      /* already gone */
    }
  }
  return result;
}

/** `tsx bench/browser.ts <ct.nii.gz> <card.json> [runs] [wasm,threads,webgpu]`: prints the result as JSON. */
if (process.argv[1]?.endsWith('browser.ts')) {
  const [file, card, runs = '1', only = 'wasm,threads,webgpu'] = process.argv.slice(2);
  console.log(JSON.stringify(await measureBrowser(file, card, Number(runs), only.split(',') as Series[])));
}
