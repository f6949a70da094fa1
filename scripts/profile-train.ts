/**
 * Op-type profile of the training graphs on onnxruntime-node:
 *
 *   npx tsx scripts/profile-train.ts [--preset small] [--runs 10] [--top 15] [--threads 2]
 *                                    [--against <checkout>] [--time-only]
 *
 * Builds the preset's forward (inference) graph and its forward+backward (training) graph exactly as
 * src/trainer/runtime.ts does, runs both with onnxruntime's profiler on, and prints the top op types by
 * total kernel time: for the forward session, and for the training session split into its forward part
 * and its backward part (by node: ONNX nodes created before `backward()` ran are forward). Then it times
 * both sessions without the profiler, interleaved, and prints fwd, fwd+bwd and their ratio.
 *
 * `--against <dir>` also builds the graphs from another checkout of this project (e.g. a `git worktree`
 * of an older commit, with node_modules linked in) and times the two side by side in this process, so
 * before/after ratios come from the same run.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as GraphMod from '../src/graph';
import type * as ModelMod from '../src/model';
import { createSession, type HostTensor, type Session } from '../src/infer/runtime/backend';
import { type FlagSpecs, parseArgs } from '../src/util/args';

interface Variant {
  label: string;
  graph: typeof GraphMod;
  model: typeof ModelMod;
}

interface Built {
  fwdModel: Uint8Array;
  trainModel: Uint8Array;
  fwdFeeds: Record<string, HostTensor>;
  trainFeeds: Record<string, HostTensor>;
  /** Name of the first backward node (nodes at or after it in the training graph are backward). */
  backwardNodes: Set<string>;
  trainNodes: number;
  fwdNodes: number;
  fwdFlops: number;
}

function build(v: Variant, preset: string): Built {
  const { backward, serializeGraph, initialise, paramSeed, rng, normal, matmulFlops } = v.graph;
  const cfg = v.model.makeConfig(preset);
  const t = v.model.buildModel(cfg, 'train');
  const g = t.graph;
  const n0 = g.nodes.length;
  const ps = g.paramList().map((p) => p.value);
  const grads = backward(g, t.loss as GraphMod.Value, ps);
  g.output(t.loss as GraphMod.Value, 'loss');
  for (const p of ps) g.output(grads.get(p.name) as GraphMod.Value, `grad.${p.name}`);
  const inf = v.model.buildModel(cfg, 'infer').graph;
  const r = rng(2);
  const feeds: Record<string, HostTensor> = {};
  for (const x of g.inputs) {
    const n = x.shape.reduce((a, b) => a * b, 1);
    if (x.dtype === 'int64') feeds[x.name] = { data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 36)), dims: x.shape };
    else if (x.name.startsWith('target')) {
      // One-hot targets: class (voxel mod C) on axis 1.
      const [, c] = x.shape;
      const vox = n / c;
      const d = new Float32Array(n);
      for (let i = 0; i < vox; i++) d[(i % c) * vox + i] = 1;
      feeds[x.name] = { data: d, dims: x.shape };
    } else if (x.name === 'vt_seen') feeds[x.name] = { data: new Float32Array(n).fill(1), dims: x.shape };
    else feeds[x.name] = { data: Float32Array.from({ length: n }, () => normal(r)), dims: x.shape };
  }
  for (const p of g.paramList()) {
    const n = p.value.shape.reduce((a, b) => a * b, 1);
    feeds[p.value.name] = { data: initialise(p.init, n, paramSeed(p.value.name, 1)), dims: p.value.shape };
  }
  const fwdFeeds = Object.fromEntries([...inf.inputs, ...inf.paramList().map((p) => p.value)].map((x) => [x.name, feeds[x.name]]));
  return {
    fwdModel: serializeGraph(inf, { paramsAs: 'inputs' }).model,
    trainModel: serializeGraph(g, { paramsAs: 'inputs' }).model,
    fwdFeeds,
    trainFeeds: feeds,
    backwardNodes: new Set(g.nodes.slice(n0).map((n) => n.name)),
    trainNodes: g.nodes.length,
    fwdNodes: inf.nodes.length,
    fwdFlops: matmulFlops(inf),
  };
}

interface OpRow {
  op: string;
  count: number;
  ms: number;
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

export interface NodeRow {
  node: string;
  part: string;
  op: string;
  ms: number;
  shapes: string;
}

const shapesOf = (e: ProfileEvent): string => {
  const f = (xs?: Record<string, number[]>[]) => (xs ?? []).map((x) => `[${Object.values(x)[0]?.join('x') ?? ''}]`).join(',');
  return `${f(e.args?.input_type_shape)} -> ${f(e.args?.output_type_shape)}`;
};

/** Runs a session `runs` times with the profiler on; returns per-run kernel time by op type and part. */
async function profile(model: Uint8Array, feeds: Record<string, HostTensor>, runs: number, threads: number, classify: (node: string) => string, nodes: NodeRow[] = [], optimization?: 'basic' | 'extended' | 'all'): Promise<Map<string, OpRow[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'ortprof-'));
  const s = await createSession(model, { provider: 'cpu', threads, profilePrefix: join(dir, 'p'), optimization });
  for (let i = 0; i < runs + 1; i++) await s.run(feeds);
  s.endProfiling?.();
  await s.release();
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`profile: no trace written in ${dir}`);
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
  rmSync(dir, { recursive: true, force: true });
  // Skip the first (warm-up) run: kernel events are grouped by run between model_run events.
  const runEnds = events.map((e, i) => (e.cat === 'Session' && e.name === 'model_run' ? i : -1)).filter((i) => i >= 0);
  const start = runEnds.length > 1 ? runEnds[0] : -1;
  const parts = new Map<string, Map<string, OpRow>>();
  const byNode = new Map<string, NodeRow>();
  const measured = Math.max(1, runEnds.length - 1);
  for (const e of events.slice(start + 1)) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time')) continue;
    const node = e.name.slice(0, -'_kernel_time'.length);
    const part = classify(node);
    const op = e.args?.op_name ?? '?';
    const nr = byNode.get(node) ?? { node, part, op, ms: 0, shapes: shapesOf(e) };
    nr.ms += (e.dur ?? 0) / 1000 / measured;
    byNode.set(node, nr);
    const m = parts.get(part) ?? new Map<string, OpRow>();
    parts.set(part, m);
    const row = m.get(op) ?? { op, count: 0, ms: 0 };
    row.count++;
    row.ms += (e.dur ?? 0) / 1000;
    m.set(op, row);
  }
  nodes.push(...byNode.values());
  const out = new Map<string, OpRow[]>();
  for (const [k, m] of parts) out.set(k, [...m.values()].map((r) => ({ op: r.op, count: r.count / measured, ms: r.ms / measured })).sort((a, b) => b.ms - a.ms));
  return out;
}

function printTable(title: string, rows: OpRow[], top: number): void {
  const total = rows.reduce((a, r) => a + r.ms, 0);
  console.log(`\n${title}: ${total.toFixed(1)} ms of kernels per run, ${rows.reduce((a, r) => a + r.count, 0)} kernels`);
  console.log(`  ${'op type'.padEnd(28)} ${'count'.padStart(6)} ${'ms'.padStart(8)} ${'%'.padStart(6)}`);
  for (const r of rows.slice(0, top)) console.log(`  ${r.op.padEnd(28)} ${String(Math.round(r.count)).padStart(6)} ${r.ms.toFixed(2).padStart(8)} ${((100 * r.ms) / total).toFixed(1).padStart(6)}`);
  const rest = rows.slice(top);
  if (rest.length) console.log(`  ${`(${rest.length} other types)`.padEnd(28)} ${String(Math.round(rest.reduce((a, r) => a + r.count, 0))).padStart(6)} ${rest.reduce((a, r) => a + r.ms, 0).toFixed(2).padStart(8)} ${((100 * rest.reduce((a, r) => a + r.ms, 0)) / total).toFixed(1).padStart(6)}`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function time(s: Session, feeds: Record<string, HostTensor>): Promise<number> {
  const t = performance.now();
  await s.run(feeds);
  return performance.now() - t;
}

const SPECS: FlagSpecs = {
  preset: { description: 'model preset', default: 'small' },
  runs: { description: 'profiled and timed runs per session', default: '10' },
  top: { description: 'op types listed per table', default: '15' },
  threads: { description: 'intra-op threads', default: '2' },
  against: { description: 'another checkout of this project to compare with (its src/graph and src/model)' },
  nodes: { description: 'also list the N slowest nodes of the training session', default: '0' },
  'time-only': { description: 'skip the profiler, only time', boolean: true },
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), SPECS);
  const preset = args.preset ?? 'small';
  const runs = Number(args.runs ?? 10);
  const top = Number(args.top ?? 15);
  const threads = Number(args.threads ?? 2);
  const variants: Variant[] = [{ label: 'current', graph: await import('../src/graph'), model: await import('../src/model') }];
  if (args.against) {
    const dir = resolve(String(args.against));
    variants.push({ label: `against ${args.against}`, graph: (await import(join(dir, 'src/graph/index.ts'))) as typeof GraphMod, model: (await import(join(dir, 'src/model/index.ts'))) as typeof ModelMod });
  }
  const built = variants.map((v) => build(v, preset));
  if (!args['time-only']) {
    for (const [i, v] of variants.entries()) {
      const b = built[i];
      console.log(`\n=== ${v.label}: preset ${preset}, forward graph ${b.fwdNodes} nodes, training graph ${b.trainNodes} nodes (${b.backwardNodes.size} backward)`);
      const f = await profile(b.fwdModel, b.fwdFeeds, runs, threads, () => 'forward');
      printTable(`${v.label} | forward session`, f.get('forward') ?? [], top);
      const nodes: NodeRow[] = [];
      const t = await profile(b.trainModel, b.trainFeeds, runs, threads, (n) => (b.backwardNodes.has(n) ? 'backward' : /^n_[A-Za-z]+_\d+$/.test(n) ? 'forward' : 'fused/renamed'), nodes);
      for (const part of ['forward', 'backward', 'fused/renamed']) if (t.has(part)) printTable(`${v.label} | training session, ${part} nodes`, t.get(part) ?? [], top);
      const nTop = Number(args.nodes ?? 0);
      if (nTop) {
        console.log(`\n${v.label} | training session, top ${nTop} nodes`);
        for (const r of nodes.sort((a, c) => c.ms - a.ms).slice(0, nTop)) console.log(`  ${r.ms.toFixed(2).padStart(7)} ms  ${r.part.padEnd(9)} ${r.op.padEnd(14)} ${r.node.padEnd(28)} ${r.shapes}`);
      }
    }
  }
  // Timing without the profiler: each variant's forward and forward+backward, interleaved.
  const sessions = await Promise.all(built.map(async (b) => ({ fwd: await createSession(b.fwdModel, { provider: 'cpu', threads }), train: await createSession(b.trainModel, { provider: 'cpu', threads }) })));
  const convW = await import('../bench/kernels');
  const times = built.map(() => ({ fwd: [] as number[], both: [] as number[] }));
  for (const [i, s] of sessions.entries()) {
    await s.fwd.run(built[i].fwdFeeds);
    await s.train.run(built[i].trainFeeds);
  }
  for (let k = 0; k < runs; k++) {
    for (const [i, s] of sessions.entries()) {
      times[i].fwd.push(await time(s.fwd, built[i].fwdFeeds));
      times[i].both.push(await time(s.train, built[i].trainFeeds));
    }
  }
  for (const s of sessions) {
    await s.fwd.release();
    await s.train.release();
  }
  const peak = await convW.measureLayer(convW.convLayer(64, 64, 64, 32), Math.max(3, Math.min(runs, 5)), threads);
  console.log(`\ntiming, ${runs} interleaved runs, ${threads} threads, medians (ratio: median of per-pair ratios):`);
  for (const [i, v] of variants.entries()) {
    const t = times[i];
    const ratios = t.fwd.map((f, k) => t.both[k] / f);
    const fwdMs = median(t.fwd);
    console.log(`  ${v.label.padEnd(24)} fwd ${fwdMs.toFixed(1)} ms  fwd+bwd ${median(t.both).toFixed(1)} ms  ratio ${median(ratios).toFixed(2)}  forward ${(built[i].fwdFlops / fwdMs / 1e6).toFixed(1)} GFLOP/s`);
  }
  console.log(`  Conv3D 64->64 3x3x3 on 64x64x32 (peak)  fwd ${peak.fwdMs.toFixed(1)} ms  ${peak.fwdGflops.toFixed(1)} GFLOP/s`);
}

await main();
