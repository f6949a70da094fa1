/**
 * The same volume segmented end to end in headless Chromium (drop to overlay), side by side:
 * - `wasm`: the plain WASM build (`onnxruntime-web/wasm`, what the app loads for WASM), 1 thread;
 * - `threads`: the same build with the app's default thread count under cross-origin isolation;
 * - `webgpuBuild`: the WASM provider of the WebGPU build (what the app loaded before), 1 thread;
 * - `webgpu`: a tiny volume on WebGPU under a time cap, checked against WASM in the same browser; the
 *   full volume too when the adapter is a hardware GPU (a software adapter would take many minutes).
 * Every series records the drop-to-overlay time and the worker's own pipeline time (segmentVolume,
 * the figure Node's `inferNode.seconds` measures). Peak memory of the page and its worker comes from
 * performance.measureUserAgentSpecificMemory (needs cross-origin isolation), sampled in one extra run
 * so that its forced collections do not slow the timed runs.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { makeNiftiHeader, writeNiftiFloat } from '../src/infer/io/nifti';
import { makePhantom } from '../src/infer/synthetic/phantom';
import { fine } from '../e2e/support/hooks';
import { median } from './stats';

export type Series = 'wasm' | 'threads' | 'webgpuBuild' | 'webgpu';

export interface SeriesResult {
  query: string;
  runs: number;
  /** Median seconds from handing the file to the page until the label overlay is shown. */
  seconds: number | null;
  /** Median seconds of the worker's segmentVolume (preprocess, tiles, stitch, postprocess), as Node's inferNode.seconds. */
  pipelineSeconds: number | null;
  /** Median share of the pipeline spent outside session.run (preprocess, tiling, stitching, postprocess), as Node's outsideRunShare. */
  outsideRunShare: number | null;
  /** Median seconds from the drop until the volume is shown (read, gunzip, viewer). */
  loadSeconds: number | null;
  /** Median seconds from pressing Segment until the overlay, minus the pipeline: session creation, messages, overlay. */
  sessionAndOverlaySeconds: number | null;
  /** What ran it, as the app's run panel says: provider, build, threads. */
  engine: string | null;
}

export interface WebGpuCheck {
  dims: string;
  capS: number;
  adapter: string;
  /** Pipeline seconds on WebGPU and on WASM for the tiny volume, or null when it did not finish under the cap. */
  webgpuSeconds: number | null;
  wasmSeconds: number | null;
  /** Fraction of voxels on which WebGPU and WASM labels agree. */
  agreement: number | null;
}

export interface BrowserResult {
  /** Drop to overlay, plain WASM build, 1 thread. */
  wasmSeconds: number | null;
  /** Drop to overlay, plain WASM build, the app's default threads (min(4, cores) when isolated). */
  wasmThreadedSeconds: number | null;
  /** Drop to overlay of the full volume on WebGPU; measured only on a hardware adapter. */
  webgpuSeconds: number | null;
  peakHeapMb: number | null;
  notes: string[];
  series: Partial<Record<Series, SeriesResult>>;
  webgpuCheck: WebGpuCheck | null;
}

const PORT = Number(process.env.BENCH_PORT ?? 5183);
/** Time cap of one WebGPU run; a software adapter gets only the tiny volume. */
const WEBGPU_LIMIT_S = Number(process.env.BENCH_WEBGPU_LIMIT_S ?? 180);
const TINY_DIMS: [number, number, number] = [64, 56, 28];

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

const hook = fine;

/**
 * What selecting a model really needs: the model index loaded (the select lists `model`) and the select
 * enabled. The page reports `idle` before the index arrives, while the select is still disabled.
 */
async function modelReady(page: Page, model: string): Promise<void> {
  await page.waitForFunction((name) => {
    const sel = document.querySelector('[data-testid="model-select"]') as HTMLSelectElement | null;
    return !!sel && !sel.disabled && [...sel.options].some((o) => o.value === name);
  }, model, { timeout: 60_000 }).catch(() => {
    throw new Error(`model ${model} did not become selectable within 60 s (is it in models/index.json?)`);
  });
}

interface OneRun { seconds: number; loadSeconds: number; runSeconds: number; pipelineSeconds: number | null; outsideRunShare: number | null; engine: string | null; peakMb: number | null }

/** One segmentation on a fresh page: drop `file`, run `model`, wait for the overlay (or `limitS`). */
async function segmentOnce(page: Page, query: string, file: string, model: string, limitS: number, sampleMemory: boolean): Promise<OneRun> {
  await page.goto(`http://127.0.0.1:${PORT}/${query}`);
  await page.getByTestId('status').filter({ hasText: 'idle' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('adapter').filter({ hasNotText: 'checking' }).waitFor({ timeout: 30_000 });
  await modelReady(page, model);
  await page.getByTestId('model-select').selectOption(model, { timeout: 30_000 });
  let peak = 0, sampling = sampleMemory;
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
  await page.getByTestId('volume-name').filter({ hasText: basename(file) }).waitFor({ timeout: 120_000 });
  await page.getByTestId('status').filter({ hasText: 'idle' }).waitFor({ timeout: 120_000 });
  // A dropped CT may switch the app to its real-CT model: choose the measured one again.
  await modelReady(page, model);
  await page.getByTestId('model-select').selectOption(model, { timeout: 30_000 });
  const t1 = performance.now();
  await page.getByTestId('run').click({ timeout: 60_000 });
  try {
    await page.getByTestId('status').filter({ hasText: /^(done|error)$/ }).waitFor({ timeout: limitS * 1000 });
  } finally {
    sampling = false;
    await sampler;
  }
  const t2 = performance.now();
  const seconds = (t2 - t0) / 1000;
  const status = await page.getByTestId('status').textContent();
  if (status !== 'done') throw new Error(`segmentation ended in '${status}': ${await page.getByTestId('error').textContent().catch(() => '')}`);
  const run = await hook(page, 'lastRun');
  const engine = run ? `${run.provider}, ${run.build} build, ${run.threads} thread${run.threads === 1 ? '' : 's'}` : null;
  return { seconds, loadSeconds: (t1 - t0) / 1000, runSeconds: (t2 - t1) / 1000, pipelineSeconds: run?.seconds ?? null, outsideRunShare: run ? run.outsideRunSeconds / run.seconds : null, engine, peakMb: peak > 0 ? peak / 2 ** 20 : null };
}

async function labelsOf(page: Page): Promise<Uint8Array | null> {
  const got = await hook(page, 'getLabels');
  return got ? new Uint8Array(Buffer.from(got.base64, 'base64')) : null;
}

function agreement(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

function tinyVolume(): string {
  const dir = join(tmpdir(), 'fine-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `tiny-${TINY_DIMS.join('x')}.nii.gz`);
  const { image } = makePhantom({ dims: TINY_DIMS, spacing: [3, 3, 3], seed: 11 });
  writeFileSync(file, writeNiftiFloat(image, { dims: TINY_DIMS, header: makeNiftiHeader(TINY_DIMS, [3, 3, 3]) }, { gzip: true }));
  return file;
}

const QUERIES: Record<Exclude<Series, 'webgpu'>, string> = {
  wasm: '?backend=wasm&threads=1',
  threads: '?backend=wasm',
  webgpuBuild: '?backend=wasm&threads=1&ortbuild=webgpu',
};

export async function measureBrowser(file: string, cardPath: string, runs: number, only: readonly Series[] = ['wasm', 'threads', 'webgpuBuild', 'webgpu']): Promise<BrowserResult> {
  const model = basename(cardPath, '.json');
  const notes: string[] = [];
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-blink-features=ForceEagerMeasureMemory'],
  });
  const result: BrowserResult = { wasmSeconds: null, wasmThreadedSeconds: null, webgpuSeconds: null, peakHeapMb: null, notes, series: {}, webgpuCheck: null };
  try {
    const page = await browser.newPage();
    // First load: model download into Cache Storage and the wasm compile caches, outside every timing.
    await segmentOnce(page, QUERIES.threads, file, model, 900, false).catch((e: Error) => notes.push(`warm-up: ${e.message.split('\n')[0]}`));
    const summary = (query: string, got: OneRun[]): SeriesResult => {
      const med = (f: (r: OneRun) => number | null) => {
        const v = got.map(f).filter((x): x is number => x !== null);
        return v.length ? median(v) : null;
      };
      return {
        query, runs: got.length, seconds: med((r) => r.seconds), pipelineSeconds: med((r) => r.pipelineSeconds), outsideRunShare: med((r) => r.outsideRunShare), loadSeconds: med((r) => r.loadSeconds),
        sessionAndOverlaySeconds: med((r) => (r.pipelineSeconds === null ? null : r.runSeconds - r.pipelineSeconds)), engine: got[0]?.engine ?? null,
      };
    };
    const series = async (query: string, n: number, limitS: number, input = file): Promise<SeriesResult> => {
      const got: OneRun[] = [];
      for (let i = 0; i < n; i++) {
        try {
          got.push(await segmentOnce(page, query, input, model, limitS, false));
        } catch (e) {
          notes.push(`${query}: ${(e as Error).message.split('\n')[0]}`);
          break;
        }
      }
      return summary(query, got);
    };
    // The WASM series take turns run by run, so a change in the machine's load hits them alike.
    const side = (['wasm', 'threads', 'webgpuBuild'] as const).filter((k) => only.includes(k));
    const got = new Map<string, OneRun[]>(side.map((k) => [k, []]));
    const failedSeries = new Set<string>();
    for (let i = 0; i < runs; i++) {
      for (const k of side) {
        if (failedSeries.has(k)) continue;
        try {
          got.get(k)!.push(await segmentOnce(page, QUERIES[k], file, model, 900, false));
        } catch (e) {
          failedSeries.add(k);
          notes.push(`${QUERIES[k]}: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
    for (const k of side) result.series[k] = summary(QUERIES[k], got.get(k)!);
    result.wasmSeconds = result.series.wasm?.seconds ?? null;
    result.wasmThreadedSeconds = result.series.threads?.seconds ?? null;
    if (only.includes('threads') || only.includes('wasm')) {
      const mem = await segmentOnce(page, QUERIES.threads, file, model, 900, true).catch((e: Error) => {
        notes.push(`memory run: ${e.message.split('\n')[0]}`);
        return null;
      });
      result.peakHeapMb = mem?.peakMb ?? null;
    }
    if (only.includes('webgpu')) {
      await page.goto(`http://127.0.0.1:${PORT}/`);
      const adapter = (await page.getByTestId('adapter').filter({ hasNotText: 'checking' }).textContent({ timeout: 30_000 })) ?? '';
      if (adapter === 'no WebGPU') notes.push('no WebGPU adapter in this browser');
      else {
        const tiny = tinyVolume();
        const check: WebGpuCheck = { dims: TINY_DIMS.join('x'), capS: WEBGPU_LIMIT_S, adapter, webgpuSeconds: null, wasmSeconds: null, agreement: null };
        result.webgpuCheck = check;
        const onWasm = await segmentOnce(page, QUERIES.threads, tiny, model, 300, false);
        check.wasmSeconds = onWasm.pipelineSeconds;
        const wasmLabels = await labelsOf(page);
        try {
          const onGpu = await segmentOnce(page, '?backend=webgpu', tiny, model, WEBGPU_LIMIT_S, false);
          check.webgpuSeconds = onGpu.pipelineSeconds;
          const gpuLabels = await labelsOf(page);
          if (wasmLabels && gpuLabels) check.agreement = agreement(wasmLabels, gpuLabels);
        } catch (e) {
          notes.push(`WebGPU on the tiny volume: not finished under ${WEBGPU_LIMIT_S} s (${(e as Error).message.split('\n')[0]})`);
        }
        if (/software fallback/.test(adapter)) notes.push(`WebGPU full volume skipped: ${adapter} (the app's default there is WASM)`);
        else {
          const full = await series('?backend=webgpu', runs, WEBGPU_LIMIT_S);
          result.series.webgpu = full;
          result.webgpuSeconds = full.seconds;
        }
      }
    }
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

/** Ratios against onnxruntime-node's pipeline seconds on the same volume (`inferNode.seconds`). */
export function ratiosToNode(r: BrowserResult, nodeSeconds: number): Partial<Record<Series, { dropToOverlay: number | null; pipeline: number | null }>> {
  const out: Partial<Record<Series, { dropToOverlay: number | null; pipeline: number | null }>> = {};
  for (const [k, s] of Object.entries(r.series) as [Series, SeriesResult][]) {
    out[k] = { dropToOverlay: s.seconds === null ? null : s.seconds / nodeSeconds, pipeline: s.pipelineSeconds === null ? null : s.pipelineSeconds / nodeSeconds };
  }
  return out;
}

/**
 * `tsx bench/browser.ts <ct.nii.gz> <card.json> [runs] [wasm,threads,webgpuBuild,webgpu] [node]`: prints
 * the result as JSON; with `node` last, also onnxruntime-node's pipeline seconds (bench/inferNode.ts,
 * same volume and model, medians of `runs`) and every series' ratio to it.
 */
if (process.argv[1]?.endsWith('browser.ts')) {
  const [file, card, runs = '1', only = 'wasm,threads,webgpuBuild,webgpu', withNode] = process.argv.slice(2);
  const n = Number(runs);
  const r = await measureBrowser(file, card, n, only.split(',') as Series[]);
  if (withNode === 'node') {
    const node = [...Array(n)].map(() => JSON.parse(execFileSync('npx', ['tsx', 'bench/inferNode.ts', file, card], { encoding: 'utf8' }).trim().split('\n').pop() as string) as { seconds: number; outsideRunShare: number });
    const nodeSeconds = median(node.map((x) => x.seconds));
    console.log(JSON.stringify({ ...r, nodeSeconds, nodeOutsideRunShare: median(node.map((x) => x.outsideRunShare)), ratioToNode: ratiosToNode(r, nodeSeconds) }));
  } else console.log(JSON.stringify(r));
}
