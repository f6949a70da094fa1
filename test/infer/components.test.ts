/** Largest-component post-processing on label maps with a known answer. */
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../src/infer/io/niftiHeader';
import { keepLargestComponent, keepLargestComponents } from '../../src/infer/postprocess/components';

const dims: Vec3 = [6, 5, 4];
const at = (x: number, y: number, z: number) => x + 6 * (y + 5 * z);

describe('keepLargestComponent', () => {
  it('keeps the largest 6-connected part of one label and leaves the other labels alone', () => {
    const l = new Uint8Array(6 * 5 * 4);
    for (let x = 0; x < 3; x++) for (let y = 0; y < 2; y++) l[at(x, y, 0)] = 1; // 6 voxels
    l[at(5, 4, 3)] = 1; // an island of 1
    l[at(4, 4, 3)] = 2;
    l[at(3, 2, 1)] = 1; l[at(4, 3, 1)] = 1; // diagonal neighbours: two islands under 6-connectivity
    const removed = keepLargestComponent(l, dims, 1);
    expect(removed).toBe(3);
    expect(l.reduce((s, v) => s + (v === 1 ? 1 : 0), 0)).toBe(6);
    expect(l[at(4, 4, 3)]).toBe(2);
    expect(l[at(5, 4, 3)]).toBe(0);
  });

  it('does nothing to an absent label or a single component', () => {
    const l = new Uint8Array(6 * 5 * 4);
    l[at(1, 1, 1)] = 3; l[at(1, 1, 2)] = 3;
    expect(keepLargestComponents(l, dims, [1, 3])).toEqual({ 1: 0, 3: 0 });
    expect(l[at(1, 1, 2)]).toBe(3);
  });
});
