import { describe, expect, it } from 'vitest';
import { PreprocessCache, sameVolume } from '../../src/app/preprocessCache';
import type { ModelCard } from '../../src/infer/contract/modelCard';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';

function volume(values: number[]): NiftiVolume {
  return { dims: [2, 2, 1], spacing: [1, 1, 2], data: Float32Array.from(values), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1], datatype: 16, header: makeNiftiHeader([2, 2, 1], [1, 1, 2]), warnings: [] };
}

const card = (name: string) => ({ name, spacing: [1, 1, 2] }) as unknown as ModelCard;

function counting(): { cache: PreprocessCache<string>; calls: () => number } {
  let n = 0;
  const cache = new PreprocessCache((v: NiftiVolume, c: ModelCard) => `${c.name}:${Array.from(v.data).join(',')}:${++n}`);
  return { cache, calls: () => n };
}

describe('PreprocessCache', () => {
  it('computes on first use and reuses the result', () => {
    const { cache, calls } = counting();
    expect(() => cache.get()).toThrow(/Run a segmentation first/);
    cache.use(volume([1, 2, 3, 4]), card('a'));
    expect(calls()).toBe(0);
    expect(cache.get()).toBe('a:1,2,3,4:1');
    expect(cache.get()).toBe('a:1,2,3,4:1');
    expect(calls()).toBe(1);
  });

  it('keeps the result for a new copy of the same volume and card', () => {
    const { cache, calls } = counting();
    cache.use(volume([1, 2, 3, 4]), card('a'));
    cache.get();
    cache.use(volume([1, 2, 3, 4]), card('a'));
    expect(cache.get()).toBe('a:1,2,3,4:1');
    expect(calls()).toBe(1);
  });

  it('recomputes for another volume or another model', () => {
    const { cache } = counting();
    cache.use(volume([1, 2, 3, 4]), card('a'));
    cache.get();
    cache.use(volume([1, 2, 3, 5]), card('a'));
    expect(cache.get()).toBe('a:1,2,3,5:2');
    cache.use(volume([1, 2, 3, 5]), card('b'));
    expect(cache.get()).toBe('b:1,2,3,5:3');
  });

  it('compares volumes by grid and voxel values', () => {
    const a = volume([1, 2, NaN, 4]);
    expect(sameVolume(a, volume([1, 2, NaN, 4]))).toBe(true);
    expect(sameVolume(a, volume([1, 2, NaN, 4.5]))).toBe(false);
    expect(sameVolume(a, { ...volume([1, 2, NaN, 4]), spacing: [1, 1, 3] })).toBe(false);
    expect(sameVolume(a, { ...volume([1, 2, NaN, 4]), dims: [4, 1, 1] })).toBe(false);
    expect(sameVolume(a, { ...volume([1, 2, NaN, 4]), affine: [] })).toBe(false);
  });
});
