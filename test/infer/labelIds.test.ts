import { describe, expect, it } from 'vitest';
import { labelIds } from '../../src/infer/contract/labels';

describe('labelIds: the one rule for a label volume as bytes', () => {
  it('keeps integer ids, rounds float-stored ids within 1e-3, and refuses anything else by name', () => {
    expect(Array.from(labelIds(Float32Array.of(0, 1, 9, 255), 'a'))).toEqual([0, 1, 9, 255]);
    expect(Array.from(labelIds(Float32Array.of(0.9999, 2.0004), 'a'))).toEqual([1, 2]);
    expect(() => labelIds(Float32Array.of(0, 1.5), 'seg.nii')).toThrow(/seg.nii: voxel 1 is 1.5, expected integer label ids 0..255; load a label map, not an image/);
    expect(() => labelIds(Float32Array.of(-1), 'a')).toThrow(/voxel 0 is -1/);
    expect(() => labelIds(Float32Array.of(256), 'a')).toThrow(/voxel 0 is 256/);
    expect(() => labelIds(Float32Array.of(NaN), 'a')).toThrow(/voxel 0 is NaN/);
    class Mine extends Error {}
    expect(() => labelIds(Float32Array.of(-1000), 'ct', (m) => new Mine(m))).toThrow(Mine);
  });
});
