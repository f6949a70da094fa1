import { describe, expect, it } from 'vitest';
import { Graph, type Value, normal, ops as o, rng } from '../../src/graph';
import { createSession } from '../../src/infer/runtime/backend';
import { serializeGraph } from '../../src/graph';
import { mergePatches, partition, shiftPartition, shiftUnpartition, unpartition, expandPatches } from '../../src/model/blocks';
import type { Triple } from '../../src/model/contract';
import { relativePositionIndex, shiftedWindowMask } from '../../src/model/windows';

async function run(g: Graph, feeds: Record<string, Float32Array>): Promise<Record<string, Float32Array>> {
  const s = await createSession(serializeGraph(g, { paramsAs: 'inputs' }).model, { provider: 'cpu', threads: 1 });
  const res = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { data: v, dims: [...(g.inputs.find((i) => i.name === k) ?? g.params.get(k)?.value)!.shape] }])));
  await s.release();
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.data]));
}

/** The shift as torch.roll does it, in slices and concatenations: the oracle of the one-gather shifted partition. */
function roll(g: Graph, x: Value, s: Triple): Value {
  let out = x;
  s.forEach((sh, i) => {
    const n = x.shape[1 + i];
    const k = ((sh % n) + n) % n;
    if (k === 0) return;
    out = o.concat(g, [o.slice(g, out, [n - k], [n], [1 + i]), o.slice(g, out, [0], [n - k], [1 + i])], 1 + i);
  });
  return out;
}

describe('window index maths', () => {
  it('relative position index: worked example, window (z,y,x) = (1,1,2)', () => {
    expect(Array.from(relativePositionIndex([1, 1, 2]), Number)).toEqual([1, 0, 2, 1]);
    const idx = relativePositionIndex([2, 2, 2]);
    expect(Math.max(...Array.from(idx, Number))).toBe(26);
    expect(Number(idx[0])).toBe(13); // a token with itself sits at the table centre
  });

  it('shifted-window mask separates regions that are not neighbours', () => {
    // Grid 4 along x only (z = y = 1 token), window 2, shift 1: the last window holds x = 2, 3 -> after
    // the roll these are original tokens 3 and 0, which are not neighbours.
    const m = shiftedWindowMask([1, 1, 4], [1, 1, 2], [0, 0, 1]);
    expect(Array.from(m.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(m.subarray(4, 8))).toEqual([0, -100, -100, 0]);
  });
});

describe('window partition, roll, merge and expand on onnxruntime vs direct index loops', () => {
  const shape = [1, 4, 4, 8, 3]; // B, Z, Y, X, C
  const n = shape.reduce((a, b) => a * b, 1);
  const r = rng(5);
  const data = Float32Array.from({ length: n }, () => normal(r));
  const at = (z: number, y: number, x: number, c: number): number => data[(((z * 4) + y) * 8 + x) * 3 + c];

  it('partition into (2,2,4) windows and back', async () => {
    const g = new Graph('p');
    const x = g.input('x', shape);
    const p = partition(g, x, [2, 2, 4]);
    g.output(p, 'p');
    g.output(unpartition(g, p, [2, 2, 4], shape), 'back');
    const res = await run(g, { x: data });
    // window (wz, wy, wx) raster, token (tz, ty, tx) raster inside.
    const expected: number[] = [];
    for (let wz = 0; wz < 2; wz++) for (let wy = 0; wy < 2; wy++) for (let wx = 0; wx < 2; wx++)
      for (let tz = 0; tz < 2; tz++) for (let ty = 0; ty < 2; ty++) for (let tx = 0; tx < 4; tx++)
        for (let c = 0; c < 3; c++) expected.push(at(wz * 2 + tz, wy * 2 + ty, wx * 4 + tx, c));
    expect(Array.from(res.p)).toEqual(expected.map(Math.fround));
    expect(res.back).toEqual(data);
  });

  it('roll matches torch.roll semantics', async () => {
    const g = new Graph('r');
    g.output(roll(g, g.input('x', shape), [1, -1, 3]), 'y');
    const y = (await run(g, { x: data })).y;
    const mod = (a: number, m: number): number => ((a % m) + m) % m;
    for (let z = 0; z < 4; z++) for (let yy = 0; yy < 4; yy++) for (let x = 0; x < 8; x++) {
      expect(y[(((z * 4) + yy) * 8 + x) * 3]).toBe(at(mod(z - 1, 4), mod(yy + 1, 4), mod(x - 3, 8), 0));
    }
  });

  it('the shifted partition (one gather) equals roll then partition, and its inverse restores the input', async () => {
    const g = new Graph('s');
    const x = g.input('x', shape);
    const w: [number, number, number] = [2, 2, 4], s: [number, number, number] = [1, 1, 2];
    const sp = shiftPartition(g, x, w, s);
    g.output(sp, 'gathered');
    g.output(partition(g, roll(g, x, [-1, -1, -2]), w), 'rolled');
    g.output(shiftUnpartition(g, sp, w, s, shape), 'back');
    const res = await run(g, { x: data });
    expect(res.gathered).toEqual(res.rolled);
    expect(res.back).toEqual(data);
  });

  it('patch merging gathers each 2x2x2 block (space-to-depth) before its linear map', async () => {
    const g = new Graph('m');
    const merged = mergePatches(g, g.input('x', shape), 'merge');
    expect(merged.shape).toEqual([1, 2, 2, 4, 6]);
    const up = expandPatches(g, merged, 'exp', 3, [2, 2, 2]);
    expect(up.shape).toEqual(shape);
  });
});
