import { makeConfig, buildFine, volumeTokenCount, volumeIndexCount } from '../src/model';
import { TrainingRuntime } from '../src/trainer/runtime';
import { serializeGraph } from '../src/graph';
for (const preset of (process.argv[2] ?? 'tiny').split(',')) {
  const cfg = makeConfig(preset);
  const rt = new TrainingRuntime((m) => buildFine(cfg, m), { seed: 1, threads: 2 });
  const n = rt.trainGraph.parameterCount();
  const bytes = serializeGraph(rt.inferGraph, { paramsAs: 'initializers', paramValues: rt.params }).model.length;
  console.log(preset, 'params', n, 'onnxMB', (bytes / 1e6).toFixed(2), 'trainNodes', rt.trainGraph.nodes.length);
  if (preset === 'paper') continue;
  const feeds: Record<string, { data: Float32Array | BigInt64Array; dims: number[] }> = {};
  for (const v of rt.trainGraph.inputs) {
    const len = v.shape.reduce((a, b) => a * b, 1);
    feeds[v.name] = v.dtype === 'int64' ? { data: new BigInt64Array(len).fill(1n), dims: [...v.shape] } : { data: Float32Array.from({ length: len }, (_, i) => v.name === 'vt_seen' ? 1 : v.name.startsWith('target') ? +(i % v.shape[1] === 0) : Math.random()), dims: [...v.shape] };
  }
  let t = performance.now();
  const r = await rt.lossAndGrads(feeds);
  console.log('first fwd+bwd (incl session)', (performance.now() - t).toFixed(0), 'ms loss', r.loss);
  for (let k = 0; k < 3; k++) { t = performance.now(); await rt.lossAndGrads(feeds); console.log('fwd+bwd', (performance.now() - t).toFixed(0)); }
  const inf: Record<string, { data: Float32Array | BigInt64Array; dims: number[] }> = {};
  for (const v of rt.inferGraph.inputs) inf[v.name] = feeds[v.name];
  for (let k = 0; k < 3; k++) { t = performance.now(); await rt.infer(inf); console.log('fwd', (performance.now() - t).toFixed(0)); }
  void volumeTokenCount; void volumeIndexCount;
}
