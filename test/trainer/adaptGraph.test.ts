import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeConfig, buildModel } from '../../src/model';
import { parseModelCard } from '../../src/infer/contract/cardCheck';
import { createSession } from '../../src/infer/runtime/backend';
import { exportTrainGraph } from '../../src/trainer/adaptExport';
import { adaptationGraph } from '../../src/trainer/adaptGraph';
import { TrainingRuntime } from '../../src/trainer/runtime';
import { adaptProbeFeeds, weightFeeds } from './adaptFeeds';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function copyModel(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'adapt-graph-'));
  dirs.push(dir);
  for (const f of [`${name}.json`, `${name}.onnx`]) copyFileSync(join('models', f), join(dir, f));
  return dir;
}

describe('the training graph shipped for adaptation', () => {
  it('export-train writes <name>.train.onnx and a card section that names its inputs; fed the model\'s own weights it gives the trainer\'s loss and gradients', async () => {
    const dir = copyModel('fine-tiny');
    const cardPath = join(dir, 'fine-tiny.json');
    const card = await exportTrainGraph(cardPath);
    const ad = card.adaptation!;
    const bytes = new Uint8Array(readFileSync(join(dir, ad.file)));
    expect(ad.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(parseModelCard(JSON.parse(readFileSync(cardPath, 'utf8')), cardPath).adaptation).toEqual(ad);
    expect(ad.inputs.map((i) => i.name)).toEqual(['image', 'vt_index', 'vt_seen', 'target', 'target_ds0']);
    expect(ad.inputs[0].shape).toEqual([1, 1, card.patchSize[2], card.patchSize[1], card.patchSize[0]]);

    const cfg = makeConfig(card.preset, { variant: card.variant, classes: card.labels.length });
    const params = adaptationGraph(cfg).paramList().map((p) => p.value);
    expect(params).toHaveLength(ad.parameters);
    const feeds = { ...adaptProbeFeeds(ad.inputs), ...weightFeeds(new Uint8Array(readFileSync(join(dir, card.onnx.file))), params.map((p) => p.name), params.map((p) => p.shape)) };
    const session = await createSession(bytes, { provider: 'cpu', threads: 1 });
    const out = await session.run(feeds);
    await session.release();
    expect(Object.keys(out).filter((k) => k.startsWith(ad.gradPrefix))).toHaveLength(ad.parameters);

    // The trainer's own runtime on the same weights and crop.
    const rt = new TrainingRuntime((m) => buildModel(cfg, m), { seed: 1 });
    for (const p of params) rt.params.set(p.name, feeds[p.name].data as Float32Array);
    const ref = await rt.lossAndGrads(adaptProbeFeeds(ad.inputs));
    expect(out[ad.loss].data[0]).toBeCloseTo(ref.loss, 5);
    expect(Number.isFinite(ref.loss) && ref.loss > 0).toBe(true);
    let worst = 0, scale = 0;
    for (const p of params) {
      const a = out[ad.gradPrefix + p.name].data, b = ref.grads.get(p.name)!;
      for (let i = 0; i < b.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
      }
    }
    expect(scale).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(1e-6 * scale);
  }, 120_000);

  it('refuses a model whose weights the training graph would not fit, writing nothing', async () => {
    const dir = copyModel('fine-tiny');
    const cardPath = join(dir, 'fine-tiny.json');
    const before = readFileSync(cardPath, 'utf8');
    await expect(exportTrainGraph(cardPath, { embedDim: 8 })).rejects.toThrow(/values in the model, the training graph needs .* --config/);
    // Same parameter shapes, another network: the logits tell.
    await expect(exportTrainGraph(cardPath, { blockOrder: 'official' })).rejects.toThrow(/computes other logits than the model .* --config/);
    expect(readFileSync(cardPath, 'utf8')).toBe(before);
  }, 60_000);
});
