/**
 * `npm run bench`: training and inference speed and memory, medians of repeated runs measured side by
 * side in one run, printed as a table and written to bench/results.json. Not a test: numbers vary with
 * the machine's load; compare ratios from the same run.
 *
 * `npm run bench -- --quick`: every code path of the full bench on tiny inputs (one run each, the tiny
 * model, a small phantom, a small "large" volume), written to a temporary folder; the numbers mean
 * nothing. `npm test` runs it so a change that breaks the bench fails there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureBrowser } from './browser';
import { measureFolder } from './folder';
import { measureTrainLoop } from './trainLoop';
import { attentionBlock, convLayer, measureDefaultPreset, measureLayer } from './kernels';
import { median } from './stats';
import { writePhantomCase } from '../scripts/make-phantom-cases';
import { adaptBenchEnv, adaptationData, measureAdaptation } from './adapt';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 1 : Number(process.env.BENCH_RUNS ?? 3);
const REAL = '../shared/data/ct/caseA_ct.nii.gz';
const CARD = QUICK || !existsSync('models/fine-small.json') ? 'models/fine-tiny.json' : 'models/fine-small.json';
const OUT_DIR = QUICK ? mkdtempSync(join(tmpdir(), 'fine-bench-quick-')) : 'bench';

function volumeForInference(): { file: string; what: string } {
  if (QUICK) return { file: writePhantomCase(join(OUT_DIR, 'data'), 5, [40, 36, 24], [4, 4, 4]).ct, what: 'quick: a 40x36x24 phantom' };
  if (existsSync(REAL)) return { file: REAL, what: 'caseA (122x101x112, 3 mm)' };
  const { ct } = writePhantomCase('bench/.data', 5, [122, 101, 112], [3, 3, 3]);
  return { file: ct, what: 'phantom of caseA size (../shared/data absent)' };
}

const LARGE = QUICK ? '96,96,40' : '512,512,300';

/** Parts that ran but failed their own checks: the bench reports its figures, then exits 1. */
const failures: string[] = [];

const HCC048 = '../shared/data/dicom/hcc048';
const ARCHIVE_SERIES = QUICK || !existsSync(HCC048) ? 'synthetic' : HCC048;

/**
 * The bench's browser specs in one Playwright run (the servers start once): the large volume at
 * 512 x 512 x 300 (e2e/largeVolume.spec.ts), a series from the archive against a drop
 * (e2e/archiveOpen.spec.ts) and adaptation (e2e/adaptBench.spec.ts). Returns their output to parse.
 */
function browserSpecs(adaptEnv: Record<string, string>): string {
  const env = {
    ...process.env, FINE_LARGE_DIMS: LARGE, FINE_LARGE_MODEL: CARD.replace(/^models\/|\.json$/g, ''),
    FINE_ARCHIVE_SERIES: ARCHIVE_SERIES, FINE_ARCHIVE_RUNS: String(QUICK ? 1 : Math.max(RUNS, 3)), ...adaptEnv,
  };
  const r = spawnSync('npx', ['playwright', 'test', 'e2e/largeVolume.spec.ts', 'e2e/archiveOpen.spec.ts', 'e2e/adaptBench.spec.ts'], { encoding: 'utf8', env });
  if (r.status !== 0) {
    console.log(`a bench spec failed:\n${r.stdout.slice(-3000)}${r.stderr.slice(-1000)}`);
    failures.push('the bench specs (large volume, archive, adaptation)');
  }
  return r.stdout;
}

/** The large-volume run's log lines. */
function largeVolume(out: string): { dims: string; model: string; seconds: number; peakMb: number; stages: Record<string, number> | null; page: Record<string, number> | null } | null {
  const m = /segmented in ([\d.]+) s; peak page\+worker memory (\d+) MB/.exec(out);
  const st = /large volume stages \(worker, s\): (.*)$/m.exec(out);
  const pg = /large volume page \(s\): (.*)$/m.exec(out);
  const json = (x: RegExpExecArray | null) => (x ? (JSON.parse(x[1]) as Record<string, number> | null) : null);
  return m ? { dims: LARGE, model: CARD.replace(/^models\/|\.json$/g, ''), seconds: Number(m[1]), peakMb: Number(m[2]), stages: json(st), page: json(pg) } : null;
}

/** A DICOM series from the archive's study list against the same files dropped: seconds to the CT shown. */
function archiveOpen(out: string): { series: string; archiveToCt: number; dropToCt: number } | null {
  const m = /archive open \(s\): (.*)$/m.exec(out);
  if (!m) return null;
  const v = JSON.parse(m[1]) as { slices: number; archiveToCt: number; dropToCt: number };
  return { series: ARCHIVE_SERIES === 'synthetic' ? `synthetic, ${v.slices} slices` : `hcc048, ${v.slices} slices`, archiveToCt: v.archiveToCt, dropToCt: v.dropToCt };
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const log = (s: string) => console.log(s);
  log(`bench${QUICK ? ' --quick (tiny inputs; the numbers mean nothing)' : ''}: ${RUNS} runs each; model ${CARD}`);
  const reps = QUICK ? 1 : Math.max(RUNS, 5);
  const preset = await measureDefaultPreset(reps);
  const conv = await measureLayer(QUICK ? convLayer(8, 16, 16, 8) : convLayer(32, 64, 64, 32), reps);
  const peak = await measureLayer(QUICK ? convLayer(8, 16, 16, 8) : convLayer(64, 64, 64, 32), RUNS);
  const block = await measureLayer(attentionBlock, reps);
  const loop = QUICK ? await measureTrainLoop(2, 1, true) : await measureTrainLoop();
  const vol = volumeForInference();
  const inferRuns = (mode: 'plain' | 'full') => [...Array(RUNS)].map(() => JSON.parse(execFileSync('npx', ['tsx', 'bench/inferNode.ts', vol.file, CARD, '2', mode], { encoding: 'utf8' }).trim().split('\n').pop() as string) as Record<string, number>);
  // Plain and with mirroring + largest-component post-processing, run by run in turn.
  const node: Record<string, number>[] = [], full: Record<string, number>[] = [];
  for (let i = 0; i < RUNS; i++) { node.push(...inferRuns('plain')); full.push(...inferRuns('full')); }
  const pick = (k: string): number => median(node.map((r) => r[k] as number));
  const stageNames = Object.keys((node[0] as unknown as { stages: Record<string, number> }).stages);
  const nodeStages = Object.fromEntries(stageNames.map((k) => [k, median(node.map((r) => (r as unknown as { stages: Record<string, number> }).stages[k]))]));
  const shares = (st: Record<string, number> | null | undefined): string => {
    if (!st) return 'n/a';
    const total = Object.values(st).reduce((a, b) => a + b, 0);
    return Object.entries(st).map(([k, v]) => `${k} ${(100 * v / total).toFixed(0)}%`).join(', ');
  };
  const fullSeconds = median(full.map((r) => r.seconds));
  const browser = await measureBrowser(vol.file, CARD, RUNS, QUICK ? ['wasm'] : undefined);
  const adaptSteps = QUICK ? 10 : 40;
  const adaptData = adaptationData(OUT_DIR, QUICK);
  const specs = browserSpecs(adaptBenchEnv(adaptData, CARD, adaptSteps));
  const large = largeVolume(specs);
  const archive = archiveOpen(specs);
  const folder = measureFolder(vol.file, CARD, QUICK ? 2 : 8, QUICK ? [1] : [1, 2]);
  const adapt = measureAdaptation(specs, adaptData, OUT_DIR, CARD, adaptSteps, failures);
  const nodeSeconds = pick('seconds');
  // The browser runs with the card's inference defaults; compare it with Node's run of the same work.
  const cardMirrors = (JSON.parse(readFileSync(CARD, 'utf8')) as { inference?: { mirror?: boolean } }).inference?.mirror === true;
  const nodeLikeBrowser = cardMirrors ? fullSeconds : nodeSeconds;
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
    inferNode: {
      stages: nodeStages,
      seconds: nodeSeconds, voxelsPerSecond: pick('voxelsPerSecond'), outsideRunShare: pick('outsideRunShare'), tiles: node[0].tiles,
      mirrorAndPostprocessSeconds: fullSeconds, mirrorAndPostprocessRatio: fullSeconds / nodeSeconds,
    },
    inferBrowser: {
      ...browser,
      comparedWith: cardMirrors ? 'Node with the card defaults (mirroring, largest component)' : 'Node plain',
      ratioToNode: Number.isFinite(bestPipeline) ? bestPipeline / nodeLikeBrowser : null,
      dropToOverlayRatioToNode: Number.isFinite(bestWasm) ? bestWasm / nodeLikeBrowser : null,
    },
    memory: { nodePeakRssMb: pick('peakRssMb'), browserPeakHeapMb: browser.peakHeapMb },
    largeVolume: large,
    archiveOpen: archive ? { ...archive, ratio: archive.archiveToCt / archive.dropToCt } : null,
    folder: { volume: vol.what, copies: QUICK ? 2 : 8, ...folder },
    adaptation: { ...adapt, browserOverNodeStepsPerSecond: adapt.browser && adapt.node ? adapt.browser.stepsPerSecond / adapt.node.stepsPerSecond : null },
  };
  writeFileSync(join(OUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
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
    ['inferNode stages (share of the pipeline)', shares(nodeStages)],
    ['inferNode with mirroring + largest component (every organ): s / ratio to plain', `${f(fullSeconds, 2)} / x${f(fullSeconds / nodeSeconds, 2)}`],
    ['inferBrowser.wasmSeconds (1 thread)', f(browser.wasmSeconds, 2)],
    ['inferBrowser.wasmThreadedSeconds', f(browser.wasmThreadedSeconds, 2)],
    ['inferBrowser.webgpuSeconds', f(browser.webgpuSeconds, 2)],
    [`inferBrowser.ratioToNode (best WASM pipeline / ${results.inferBrowser.comparedWith})`, f(results.inferBrowser.ratioToNode, 2)],
    [`inferBrowser.dropToOverlayRatioToNode (best WASM drop-to-overlay / ${results.inferBrowser.comparedWith})`, f(results.inferBrowser.dropToOverlayRatioToNode, 2)],
    ['memory.nodePeakRssMb', f(pick('peakRssMb'), 0)],
    ['memory.browserPeakHeapMb', f(browser.peakHeapMb, 0)],
    [`largeVolume ${LARGE.replace(/,/g, 'x')} int16 in Chromium (${CARD}, WASM): s / peak MB`, large ? `${f(large.seconds)} / ${f(large.peakMb, 0)}` : 'failed'],
    [`largeVolume stages in the worker (share)`, shares(large?.stages)],
    [`largeVolume on the page: drop to CT shown / Segment to overlay / worker pipeline / window change (s)`, large?.page ? `${f(large.page.dropToCt)} / ${f(large.page.segmentToOverlay)} / ${f(large.page.worker)} / ${f(large.page.windowChange)}` : 'n/a'],
    [`largeVolume CPU for the session (s): graphics process / page and worker; graphics CPU of a window change, 3-D view off / on`, large?.page ? `${f(large.page.gpuCpu)} / ${f(large.page.pageCpu)}; ${f(large.page.windowGpuCpu)} / ${f(large.page.windowGpuCpu3d)}` : 'n/a'],
    [`DICOM series (${archive?.series ?? 'n/a'}) to the CT shown: from the archive's study list / dropped (s)`, archive ? `${f(archive.archiveToCt)} / ${f(archive.dropToCt)} (x${f(archive.archiveToCt / archive.dropToCt, 2)})` : 'failed'],
    [`folder mode, ${QUICK ? 2 : 8} copies: scans/min with pool 1 / pool 2`, `${f(folder.pool1ScansPerMinute, 2)} / ${f(folder.pool2ScansPerMinute, 2)}`],
    [`adaptation (${adapt.model}, ${adapt.steps} steps): steps/s Chromium WASM (${adapt.browser?.threads ?? '?'} threads) / Node (2 threads)`, `${f(adapt.browser?.stepsPerSecond, 2)} / ${f(adapt.node?.stepsPerSecond, 2)} (x${f(results.adaptation.browserOverNodeStepsPerSecond, 2)})`],
    ['adaptation peak memory (MB): page + worker / Node RSS', `${f(adapt.browser?.peakMb, 0)} / ${f(adapt.node?.peakRssMb, 0)}`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  log(`volume: ${vol.what}`);
  for (const [k, v] of rows) log(`${k.padEnd(w)}  ${v}`);
  for (const n of browser.notes) log(`note: ${n}`);
  log(`results: ${join(OUT_DIR, 'results.json')}`);
  if (QUICK) {
    // The quick mode is a test of the bench: every part must have produced its figures.
    const missing = [
      ['browser wasm series', browser.wasmSeconds], ['browser memory', browser.peakHeapMb], ['large volume', large?.seconds], ['large volume on the page', large?.page?.segmentToOverlay], ['archive open', archive?.archiveToCt],
      ['node inference', nodeSeconds], ['mirror + postprocess', fullSeconds], ['folder mode', folder.pool1ScansPerMinute], ['train loop', loop.full.stepsPerSecond],
      ['adaptation in the page', adapt.browser?.stepsPerSecond], ['adaptation peak memory', adapt.browser?.peakMb], ['adaptation in Node', adapt.node?.stepsPerSecond],
    ].filter(([, v]) => !(typeof v === 'number' && Number.isFinite(v) && v > 0)).map(([k]) => k);
    if (missing.length) {
      log(`bench --quick: no figure for ${missing.join(', ')}`);
      process.exit(1);
    }
  }
}

await main();
if (failures.length) {
  console.log(`bench: failed: ${failures.join(', ')}`);
  process.exit(1);
}
// Sessions and the browser leave handles open; the benchmark is done.
process.exit(0);
