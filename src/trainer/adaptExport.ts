/**
 * `npm run export-train -- --model models/<name>.json [--config '{...}']`: adds the training graph for
 * adaptation (`<name>.train.onnx`, adaptGraph.ts) to a model trained before the trainer wrote it, and
 * its `adaptation` section to the card. The model's own `.onnx` is not touched; the graph's parameters
 * must be exactly the model's weights (names and sizes), since those are what it is fed.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readWeights, serializeGraph } from '../graph';
import { buildModel, makeConfig } from '../model';
import type { ModelCard } from '../infer/contract/modelCard';
import { parseModelCard } from '../infer/contract/cardCheck';
import { loadModel } from '../infer/runtime/loadModel';
import { ArgsError, parseArgs, usage, type FlagSpecs } from '../util/args';
import { errorText } from '../util/errorText';
import { adaptationGraph, writeAdaptation } from './adaptGraph';
import { logits, logitsDifference, seenMask, testFeeds } from './graphCheck';

const FLAGS: FlagSpecs = {
  model: { description: 'the model card, e.g. models/fine-small.json', required: true },
  config: { description: 'JSON overrides of the preset the model was trained with (as given to npm run train --config)' },
  help: { description: 'print this help', boolean: true },
};

export async function exportTrainGraph(cardPath: string, overrides: Record<string, unknown> = {}): Promise<ModelCard> {
  const { card, onnx } = await loadModel(cardPath);
  const cfg = makeConfig(card.preset, { ...overrides, variant: card.variant, classes: card.labels.length });
  const weights = readWeights(onnx);
  const params = new Map<string, Float32Array>();
  for (const p of adaptationGraph(cfg).paramList()) {
    const w = weights.get(p.value.name);
    const n = p.value.shape.reduce((a, b) => a * b, 1);
    if (!w) throw new ArgsError(`${cardPath}: the training graph has a parameter '${p.value.name}' the model lacks; give the training --config`);
    if (w.length !== n) throw new ArgsError(`${cardPath}: '${p.value.name}' has ${w.length} values in the model, the training graph needs ${n}; give the training --config`);
    params.set(p.value.name, w);
  }
  // The same weights must mean the same network: the inference graph built from this config, with the
  // model's weights, gives the model's logits (a block order or attention layout with the same
  // parameter shapes would not).
  const seen = seenMask(weights);
  const rebuilt = buildModel(cfg, 'infer', seen).graph;
  const feeds = testFeeds(rebuilt.inputs);
  const [a, b] = [await logits(onnx, feeds, card.io.logits), await logits(serializeGraph(rebuilt, { paramsAs: 'initializers', paramValues: params }).model, feeds, card.io.logits)];
  const { maxAbsDiff, range } = logitsDifference(a, b);
  if (!(maxAbsDiff <= 1e-4 * range)) {
    throw new ArgsError(`${cardPath}: the network built from the card computes other logits than the model (up to ${maxAbsDiff.toExponential(2)}, range ${range.toFixed(2)}); give the training --config`);
  }
  const dir = dirname(cardPath), name = basename(cardPath, '.json');
  const next: ModelCard = { ...card, adaptation: writeAdaptation(dir, name, cfg) };
  parseModelCard(JSON.parse(JSON.stringify(next)), cardPath);
  writeFileSync(cardPath, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) {
    console.log(usage('npm run export-train --', FLAGS));
    return 0;
  }
  const card = await exportTrainGraph(a.model as string, a.config ? (JSON.parse(a.config) as Record<string, unknown>) : {});
  const ad = card.adaptation!;
  console.log(`${a.model}: wrote ${join(dirname(a.model as string), ad.file)} (${(ad.bytes / 1e6).toFixed(1)} MB, ${ad.parameters} parameters as inputs, data inputs ${ad.inputs.map((i) => i.name).join(', ')})`);
  return 0;
}

if (process.argv[1]?.endsWith('adaptExport.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`export-train: ${errorText(err)}`);
      process.exit(err instanceof ArgsError || err instanceof SyntaxError ? 2 : 1);
    },
  );
}
