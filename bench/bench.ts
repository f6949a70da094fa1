/**
 * `npm run bench`: training and inference speed and memory, medians of repeated runs measured side by
 * side in one run, printed as a table and written to bench/results.json. Not a test: numbers vary with
 * the machine's load; compare ratios from the same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureBrowser } from './browser';
import { measureFolder } from './folder';
import { measureTrainLoop } from './trainLoop';
import { attentionBlock, convLayer, measureDefaultPreset, measureLayer } from './kernels';
import { median } from './stats';
import { writePhantomCase } from '../scripts/make-phantom-cases';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REAL = '../shared/data/ct/caseA_ct.nii.gz';
const CARD = existsSync('models/fine-small.json') ? 'models/fine-small.json' : 'models/fine-tiny.json';

function volumeForInference(): { file: string; what: string } {
  if (existsSync(REAL)) return { file: REAL, what: 'caseA (122x101x112, 3 mm)' };
  const { ct } = writePhantomCase('bench/.data', 5, [122, 101, 112], [3, 3, 3]);
  return { file: ct, what: 'phantom of caseA size (../shared/data absent)' };
}

const LARGE = '512,512,300';

/** The full-size large-volume browser run: the e2e spec at 512 x 512 x 300, its log line parsed. */
function largeVolume(): { dims: string; model: string; seconds: number; peakMb: number } | null {
  const model = CARD.replace(/^models\/|\.json$/g, '');
  const r = spawnSync('npx', ['playwright', 'test', 'e2e/largeVolume.spec.ts'], { encoding: 'utf8', env: { ...process.env, FINE_LARGE_DIMS: LARGE, FINE_LARGE_MODEL: model } });
  const m = /segmented in ([\d.]+) s; peak page\+worker memory (\d+) MB/.exec(r.stdout);
  return m ? { dims: LARGE, model, seconds: Number(m[1]), peakMb: Number(m[2]) } : null;
}

async function main(): Promise<void> {
  mkdirSync('bench', { recursive: true });
  const log = (s: string) => console.log(s);
  log(`bench: ${RUNS} runs each; model ${CARD}`);
  const preset = await measureDefaultPreset(Math.max(RUNS, 5));
  const conv = await measureLayer(convLayer(32, 64, 64, 32), Math.max(RUNS, 5));
  const peak = await measureLayer(convLayer(64, 64, 64, 32), RUNS);
  const block = await measureLayer(attentionBlock, Math.max(RUNS, 5));
  const loop = await measureTrainLoop();
  const vol = volumeForInference();
  const node = [...Array(RUNS)].map(() => JSON.parse(execFileSync('npx', ['tsx', 'bench/inferNode.ts', vol.file, CARD], { encoding: 'utf8' }).trim().split('\n').pop() as string));
  const pick = (k: string): number => median(node.map((r) => r[k] as number));
  const browser = await measureBrowser(vol.file, CARD, RUNS);
  const large = largeVolume();
  const folder = measureFolder(vol.file, CARD);
  const nodeSeconds = pick('seconds');
  const bestWasm = Math.min(...[browser.wasmSeconds, browser.wasmThreadedSeconds].filter((v): v is number => v !== null));
  // Like for like with Node's pipeline time: the worker's segmentVolume, without page load and session setup.
  const bestPipeline = Math.min(...[browser.series.wasm?.pipelineSeconds, browser.series.threads?.pipelineSeconds].filter((v): v is number => typeof v === 'number'));
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    model: CARD,
    volume: vol.what,
    train: {
      fwdMs: preset.fwdMs, fwdBwdMs: preset.fwdBwdMs, ratio: preset.ratio, gflops: preset.gflops, peakGflops: peak.fwdGflops,
      forwardShareOfPeak: preset.gflops / peak.fwdGflops, conv32: conv, fineBlock: block,
      loop: { ...loop, fullOverPlainStepsPerSecond: loop.full.stepsPerSecond / loop.plain.stepsPerSecond },
    },
    inferNode: { seconds: nodeSeconds, voxelsPerSecond: pick('voxelsPerSecond'), outsideRunShare: pick('outsideRunShare'), tiles: node[0].tiles },
    inferBrowser: {
      ...browser,
      ratioToNode: Number.isFinite(bestPipeline) ? bestPipeline / nodeSeconds : null,
      dropToOverlayRatioToNode: Number.isFinite(bestWasm) ? bestWasm / nodeSeconds : null,
    },
    memory: { nodePeakRssMb: pick('peakRssMb'), browserPeakHeapMb: browser.peakHeapMb },
    largeVolume: large,
    folder: { volume: vol.what, copies: 8, ...folder },
  };
  writeFileSync(join('bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const f = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
  const rows: [string, string][] = [
    ['train.fwdMs (small, one crop)', f(preset.fwdMs)],
    ['train.fwdBwdMs', f(preset.fwdBwdMs)],
    ['train.ratio (fwd+bwd / fwd)', f(preset.ratio, 2)],
    ['train.gflops (model forward)', f(preset.gflops)],
    ['train.peakGflops (Conv3D 64->64, 64x64x32)', f(peak.fwdGflops)],
    ['train.forwardShareOfPeak', f(preset.gflops / peak.fwdGflops, 3)],
    [`train loop (${loop.data}): steps/s full recipe / plain`, `${f(loop.full.stepsPerSecond, 2)} / ${f(loop.plain.stepsPerSecond, 2)} (x${f(loop.full.stepsPerSecond / loop.plain.stepsPerSecond, 2)})`],
    ['train loop: share outside onnxruntime, full / plain', `${f(loop.full.outsideOrtShare, 3)} / ${f(loop.plain.outsideOrtShare, 3)}`],
    ['train loop: crop preparation ms (worker thread), full / plain', `${f(loop.full.cropMs)} / ${f(loop.plain.cropMs)}`],
    ['conv 32->32 64x64x32 fwd / fwd+bwd ms', `${f(conv.fwdMs)} / ${f(conv.fwdBwdMs)} (x${f(conv.ratio, 2)})`],
    ['FINE block 16^3 tokens C=32 fwd / fwd+bwd ms', `${f(block.fwdMs, 2)} / ${f(block.fwdBwdMs, 2)} (x${f(block.ratio, 2)})`],
    ['inferNode.seconds', f(nodeSeconds, 2)],
    ['inferNode.voxelsPerSecond', f(pick('voxelsPerSecond'), 0)],
    ['inferNode.outsideRunShare', f(pick('outsideRunShare'), 3)],
    ['inferBrowser.wasmSeconds (1 thread)', f(browser.wasmSeconds, 2)],
    ['inferBrowser.wasmThreadedSeconds', f(browser.wasmThreadedSeconds, 2)],
    ['inferBrowser.webgpuSeconds', f(browser.webgpuSeconds, 2)],
    ['inferBrowser.ratioToNode (best WASM pipeline / Node pipeline)', f(results.inferBrowser.ratioToNode, 2)],
    ['inferBrowser.dropToOverlayRatioToNode (best WASM drop-to-overlay / Node pipeline)', f(results.inferBrowser.dropToOverlayRatioToNode, 2)],
    ['memory.nodePeakRssMb', f(pick('peakRssMb'), 0)],
    ['memory.browserPeakHeapMb', f(browser.peakHeapMb, 0)],
    [`largeVolume ${LARGE} int16 in Chromium (${CARD}, WASM): s / peak MB`, large ? `${f(large.seconds)} / ${f(large.peakMb, 0)}` : 'failed'],
    ['folder mode, 8 copies: scans/min with pool 1 / pool 2', `${f(folder.pool1ScansPerMinute, 2)} / ${f(folder.pool2ScansPerMinute, 2)}`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  log(`volume: ${vol.what}`);
  for (const [k, v] of rows) log(`${k.padEnd(w)}  ${v}`);
  for (const n of browser.notes) log(`note: ${n}`);
}

await main();
// Sessions and the browser leave handles open; the benchmark is done.
process.exit(0);
