/**
 * `npm run ablation -- --quick` end to end on the synthetic context task: every network (and the
 * fine-official row) trains a few steps, exports, segments the held-out case on onnxruntime-node, and
 * lands in the markdown table, the JSON and the SVG plot. The context task itself is tested for what
 * makes it a context task.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContextCase } from '../../src/infer/synthetic/contextTask';
import type { AblationRow } from '../../src/trainer/ablation/report';
import { ROW_NAMES, dicePlotSvg, markdownTable } from '../../src/trainer/ablation/report';

describe('context task', () => {
  it('blobs look alike and their label is their side of the body midline; 32-voxel crops around them show no body edge', () => {
    for (const seed of [1, 2, 3]) {
      const c = makeContextCase(seed);
      const nx = c.dims[0];
      let lo = nx, hi = 0;
      for (let i = 0; i < c.image.length; i++) if (c.image[i] > -500) { lo = Math.min(lo, i % nx); hi = Math.max(hi, i % nx); }
      const mid = (lo + hi) / 2;
      const hu: Record<number, number[]> = { 1: [], 2: [] };
      for (let i = 0; i < c.labels.length; i++) {
        const l = c.labels[i];
        if (!l) continue;
        const x = i % nx;
        expect(l === 1 ? x > mid : x < mid).toBe(true);
        hu[l].push(c.image[i]);
      }
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      expect(hu[1].length + hu[2].length).toBeGreaterThan(0);
      for (const l of [1, 2]) if (hu[l].length) expect(Math.abs(mean(hu[l]) - 120)).toBeLessThan(5);
      for (let i = 0; i < c.labels.length; i++) {
        if (!c.labels[i]) continue;
        const x = i % nx;
        // A 32-voxel crop centred on any blob voxel stays inside the body (its edges are lo and hi).
        expect(x + 16).toBeLessThanOrEqual(hi);
        expect(x - 16).toBeGreaterThanOrEqual(lo);
      }
    }
  });
});

describe('npm run ablation -- --quick', () => {
  it('trains, exports and tests every network on the context task and writes the table, JSON and plot', () => {
    const out = mkdtempSync(join(tmpdir(), 'ablation-test-'));
    const r = spawnSync('npx', ['tsx', 'src/trainer/ablation/cli.ts', '--quick', '--tasks', 'context', '--out', out], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(readFileSync(join(out, 'ablation.json'), 'utf8')) as AblationRow[];
    expect(rows.map((x) => x.network)).toEqual([...ROW_NAMES]);
    for (const row of rows) {
      expect(row.parameters).toBeGreaterThan(1000);
      expect(row.meanDice).toBeGreaterThanOrEqual(0);
      expect(row.meanDice).toBeLessThanOrEqual(1);
      expect(row.onnxMb).toBeGreaterThan(0);
      expect(row.trainMsPerStep).toBeGreaterThan(0);
      expect(row.peakMb).toBeGreaterThan(50);
      expect(Object.keys(row.dice)).toEqual(['blob_right', 'blob_left']);
    }
    const md = readFileSync(join(out, 'ablation.md'), 'utf8');
    for (const n of ROW_NAMES) expect(md).toMatch(new RegExp(`^\\| ${n} \\|`, 'm'));
    expect(md).toMatch(/a quick run: the numbers check the path, they mean nothing/);
    expect(readFileSync(join(out, 'ablation.svg'), 'utf8').match(/<circle /g)?.length).toBe(ROW_NAMES.length + 2);
  }, 300_000);

  it('the table says when a task was not run, and the plot has one point per row', () => {
    expect(markdownTable([], 'ct')).toMatch(/Not run: \.\.\/shared\/data was not found/);
    const row = { task: 'context', network: 'unet', parameters: 1e5, meanDice: 0.5 } as AblationRow;
    expect(dicePlotSvg([row, { ...row, network: 'fine', parameters: 5e4 }]).match(/<circle /g)?.length).toBe(4);
  });
});
