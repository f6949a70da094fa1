/**
 * `npm run reexport -- --model models/<name>.json [--config '{...}']`: writes a trained model again with
 * the current code's graph (and its training graph for adaptation) (a faster layout, a fused op) and its own weights, after proving that the two
 * graphs compute the same logits: both run on the same random input, and the new files are written only
 * when the largest difference is within rounding (`--tolerance`, default 1e-4 of the logits' range).
 * The card keeps everything but the file hashes. Exit codes: 0 written, 2 bad input or a mismatch.
 */
import { readFileSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readWeights } from '../graph';
import { buildModel, makeConfig } from '../model';
import type { ModelCard } from '../infer/contract/modelCard';
import { loadModel } from '../infer/runtime/loadModel';
import { ArgsError, parseArgs, usage, type FlagSpecs } from '../util/args';
import { errorText } from '../util/errorText';
import { exportModel } from './export';
import { logits, logitsDifference, seenMask, testFeeds } from './graphCheck';

const FLAGS: FlagSpecs = {
  model: { description: 'the model card, e.g. models/fine-small.json', required: true },
  config: { description: 'JSON overrides of the preset the model was trained with (as given to npm run train --config)' },
  tolerance: { description: 'largest allowed |new - old| logit difference, relative to the old logits range', default: '1e-4' },
  help: { description: 'print this help', boolean: true },
};

export interface ReexportResult {
  card: ModelCard;
  /** Largest |new - old| over all logits on the test input. */
  maxAbsDiff: number;
  /** max - min of the old logits on the test input. */
  range: number;
}

export async function reexport(cardPath: string, overrides: Record<string, unknown>, tolerance: number): Promise<ReexportResult> {
  // The card checked and the ONNX file verified against its sha256, read once.
  const { card, onnx } = await loadModel(cardPath);
  const dir = dirname(cardPath);
  const cfg = makeConfig(card.preset, { ...overrides, variant: card.variant, classes: card.labels.length });
  const weights = readWeights(onnx);
  const seen = seenMask(weights);
  const graph = buildModel(cfg, 'infer', seen).graph;
  const params = new Map<string, Float32Array>();
  for (const p of graph.paramList()) {
    const w = weights.get(p.value.name);
    const n = p.value.shape.reduce((a, b) => a * b, 1);
    if (!w) throw new ArgsError(`${cardPath}: the current ${card.variant} ${card.preset} graph has a parameter '${p.value.name}' the model lacks; give the training --config`);
    if (w.length !== n) throw new ArgsError(`${cardPath}: '${p.value.name}' has ${w.length} values, the current graph needs ${n}; give the training --config`);
    params.set(p.value.name, w);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'fine-reexport-'));
  try {
    const name = basename(cardPath, '.json');
    const next = exportModel(join(tmp, name), cfg, params, seen, card);
    const feeds = testFeeds(graph.inputs);
    const out = card.io.logits;
    const [a, b] = [await logits(onnx, feeds, out), await logits(new Uint8Array(readFileSync(join(tmp, next.onnx.file))), feeds, out)];
    if (a.length !== b.length) throw new ArgsError(`${cardPath}: the new graph gives ${b.length} logits, the old ${a.length}`);
    const { maxAbsDiff, range } = logitsDifference(a, b);
    if (!(maxAbsDiff <= tolerance * range)) throw new ArgsError(`${cardPath}: the new graph's logits differ by up to ${maxAbsDiff.toExponential(2)} (range ${range.toFixed(2)}); not written`);
    for (const f of [next.onnx.file, next.attention?.file, next.adaptation?.file, `${name}.json`]) if (f) copyFileSync(join(tmp, f), join(dir, f));
    return { card: next, maxAbsDiff, range };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) {
    console.log(usage('npm run reexport --', FLAGS));
    return 0;
  }
  const tolerance = Number(a.tolerance);
  if (!(tolerance >= 0)) throw new ArgsError(`--tolerance must be a number >= 0, got "${a.tolerance}"`);
  const overrides = a.config ? (JSON.parse(a.config) as Record<string, unknown>) : {};
  const r = await reexport(a.model as string, overrides, tolerance);
  console.log(`${a.model}: rewritten with the current graph; logits differ by at most ${r.maxAbsDiff.toExponential(2)} (range ${r.range.toFixed(2)})`);
  return 0;
}

if (process.argv[1]?.endsWith('reexport.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`reexport: ${errorText(err)}`);
      process.exit(err instanceof ArgsError || err instanceof SyntaxError ? 2 : 1);
    },
  );
}
