import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readWeights } from '../../src/graph';
import { createSession } from '../../src/infer/runtime/backend';
import { OnnxWeightsError, initializerSpans, readInitializers, withInitializers } from '../../src/infer/io/onnxWeights';

const model = new Uint8Array(readFileSync('models/fine-tiny.onnx'));

describe('ONNX weights read and written in place', () => {
  it('reads the same weights as the protobuf library does', () => {
    const ours = readInitializers(model), lib = readWeights(model);
    expect([...ours.keys()].sort()).toEqual([...lib.keys()].sort());
    for (const [k, v] of lib) expect(ours.get(k)).toEqual(v);
    expect(ours.size).toBeGreaterThan(50);
  });

  it('writes new weights into a copy that the library reads back, every other byte unchanged, and onnxruntime runs', async () => {
    const spans = initializerSpans(model);
    const name = [...spans.keys()][3];
    const w = readInitializers(model).get(name)!;
    const changed = w.map((x, i) => x + 0.25 * (i % 3));
    const next = withInitializers(model, new Map([[name, changed]]));
    expect(next.length).toBe(model.length);
    expect(readWeights(next).get(name)).toEqual(changed);
    const sp = spans.get(name)!;
    let outside = 0;
    for (let i = 0; i < model.length; i++) if ((i < sp.offset || i >= sp.offset + sp.length) && next[i] !== model[i]) outside++;
    expect(outside).toBe(0);
    expect(withInitializers(model, readInitializers(model))).toEqual(model);
    const s = await createSession(next, { provider: 'cpu', threads: 1 });
    expect(s.inputNames.length).toBeGreaterThan(0);
    await s.release();
  });

  it('says what is wrong in one line', () => {
    const name = [...initializerSpans(model).keys()][0];
    expect(() => withInitializers(model, new Map([[name, new Float32Array(1)]]))).toThrow(/values given, the model holds/);
    expect(() => withInitializers(model, new Map([['nope', new Float32Array(1)]]))).toThrow(/no weight 'nope'/);
    expect(() => initializerSpans(model.subarray(0, 1000))).toThrow(OnnxWeightsError);
    expect(() => initializerSpans(new TextEncoder().encode('not a model at all'))).toThrow(OnnxWeightsError);
  });
});
