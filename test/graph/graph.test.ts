import { describe, expect, it } from 'vitest';
import { Graph, ShapeError, evaluate, ops as o, readWeights, serializeGraph } from '../../src/graph';
import { createSession } from '../../src/infer/runtime/backend';

describe('graph builder', () => {
  it('infers static shapes and names the op and shapes on mismatch', () => {
    const g = new Graph('t');
    const a = g.input('a', [2, 3, 4]);
    const b = g.input('b', [4, 5]);
    expect(o.matmul(g, a, b).shape).toEqual([2, 3, 5]);
    expect(o.conv(g, g.input('x', [1, 2, 9, 8, 7]), g.input('w', [4, 2, 3, 3, 3]), undefined, { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1] }).shape).toEqual([1, 4, 5, 4, 4]);
    expect(() => o.matmul(g, a, g.input('c', [5, 2]))).toThrow(ShapeError);
    expect(() => o.matmul(g, a, g.input('d', [5, 2]))).toThrow(/MatMul: got inputs a\[2,3,4\]:float32, d\[5,2\]:float32; expected inner dimensions equal \(4 vs 5\)/);
    expect(() => o.add(g, a, g.input('e', [2, 4]))).toThrow(/Add: .*expected shapes that broadcast/);
    expect(() => o.reshape(g, a, [5, 5])).toThrow(/Reshape: .*24 elements/);
    expect(() => g.input('a', [1])).toThrow(/already used/);
  });

  it('serializes weights as initializers and reads them back; external data too', async () => {
    const g = new Graph('t');
    const x = g.input('x', [2, 3]);
    const w = g.param('w', [3, 4], { kind: 'zeros' });
    g.output(o.matmul(g, x, w), 'y');
    const wv = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2);
    const embedded = serializeGraph(g, { paramsAs: 'initializers', paramValues: new Map([['w', wv]]) });
    expect(readWeights(embedded.model).get('w')).toEqual(wv);
    const ext = serializeGraph(g, { paramsAs: 'initializers', paramValues: new Map([['w', wv]]), externalData: { fileName: 'w.bin', threshold: 16 } });
    expect(ext.external?.byteLength).toBe(48);
    expect(readWeights(ext.model, ext.external).get('w')).toEqual(wv);
    const xv = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const s = await createSession(ext.model, { provider: 'cpu', externalData: [{ path: 'w.bin', data: ext.external as Uint8Array }] });
    const y = (await s.run({ x: { data: xv, dims: [2, 3] } })).y.data;
    const ref = evaluate(g, new Map([['x', { data: Float64Array.from(xv), shape: [2, 3] }], ['w', { data: Float64Array.from(wv), shape: [3, 4] }]]), [g.outputs[0]])[0];
    expect(Array.from(y)).toEqual(Array.from(ref.data).map((v) => Math.fround(v)));
    await s.release();
  });
});
