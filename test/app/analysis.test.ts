import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/app/analysis';
import { disagreementMap, scoreAgainst } from '../../src/app/reference';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';
import { PHANTOM_LABELS, makePhantom } from '../../src/infer/synthetic/phantom';

describe('analysis in the worker: Dice first, HD95 organ by organ, then the disagreement map', () => {
  it('reports in that order and ends with exactly the offline scores (scoreAgainst, disagreementMap)', async () => {
    const dims: [number, number, number] = [24, 20, 12];
    const ref = Uint8Array.from(makePhantom({ dims, spacing: [3, 3, 3], seed: 3 }).labels);
    const pred = ref.map((v, i) => (i % 7 === 0 ? 0 : v === 2 ? 3 : v));
    const ct: NiftiVolume = { dims, spacing: [3, 3, 3], data: new Float32Array(ref.length), affine: [3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1], datatype: 16, header: makeNiftiHeader(dims, [3, 3, 3]), warnings: [] };
    const events: string[] = [];
    let pauses = 0;
    const done = await analyse(pred, ref, ct, PHANTOM_LABELS, {
      dice: (rows) => {
        events.push('dice');
        expect(rows.every((r) => Number.isNaN(r.hd95))).toBe(true);
        expect(rows.map((r) => r.dice)).toEqual(scoreAgainst(pred, ref, ct, PHANTOM_LABELS).map((r) => r.dice));
      },
      progress: (d, t) => events.push(`${d}/${t}`),
    }, async () => { pauses++; });
    const organs = PHANTOM_LABELS.length - 1;
    expect(events).toEqual(['dice', ...Array.from({ length: organs }, (_, k) => `${k + 1}/${organs}`)]);
    expect(pauses).toBe(organs + 1);
    expect(done.rows).toEqual(scoreAgainst(pred, ref, ct, PHANTOM_LABELS));
    expect(done.disagreement).toEqual(disagreementMap(pred, ref));
    await expect(analyse(pred, ref.subarray(1), ct, PHANTOM_LABELS, { dice: () => {}, progress: () => {} })).rejects.toThrow(/voxels but/);
  });
});
