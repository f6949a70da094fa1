import { describe, expect, it } from 'vitest';
import { attentionLevelsOf, crossLevel, windowLevelHeat } from '../../src/infer/attention/attentionMap';
import type { AttentionExport } from '../../src/infer/contract/modelCard';

const ref = { file: 'a.onnx', sha256: 'a'.repeat(64), bytes: 1 };
const fine: AttentionExport = { ...ref, outputs: { window: 'attn_window', global: 'attn_global', volume: 'attn_volume' }, tokenGrid: [8, 8, 4], window: [4, 4, 2], windowTokens: 1 };
const glam: AttentionExport = { ...fine, outputs: { window: 'attn_window', global: 'attn_global' } };
const utr: AttentionExport = {
  ...ref, outputs: {}, tokenGrid: [4, 4, 2], window: [4, 4, 2], windowTokens: 0,
  cross: [{ output: 'attn_cross1', stage: 1, tokenGrid: [4, 4, 2] }, { output: 'attn_cross2', stage: 2, tokenGrid: [2, 2, 1] }],
};

describe('attention levels per network', () => {
  it('FINE offers window, global and volume; GLAM no volume; U-Transformer its cross levels; no export nothing', () => {
    expect(attentionLevelsOf(fine)).toEqual(['window', 'global', 'volume']);
    expect(attentionLevelsOf(glam)).toEqual(['window', 'global']);
    expect(attentionLevelsOf(utr)).toEqual(['cross1', 'cross2']);
    expect(attentionLevelsOf(undefined)).toEqual([]);
  });

  it('a cross level reads its [T, T] map as one window over the tile: the clicked token\'s row, painted per token', () => {
    const c = crossLevel(utr, 'cross2', [32, 32, 16]);
    expect(c?.output).toBe('attn_cross2');
    const T = 4;
    const data = new Float32Array(T * T);
    data[3 * T + 1] = 0.7; // row of token (1, 1, 0), column token (1, 0, 0)
    data[3 * T + 2] = 0.3;
    const heat = windowLevelHeat({ data, dims: [1, T, T] }, [1, 1, 0], c!.g);
    expect(Array.from(heat)).toEqual([0, 0.7, 0.3, 0].map((v) => Math.fround(v)));
    expect(crossLevel(utr, 'window', [32, 32, 16])).toBeUndefined();
  });
});
