import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { robustnessFiles } from '../../src/infer/cli/robustness';
import { CASE_LABELS } from '../../src/infer/contract/labels';
import { type NiftiVolume, makeNiftiHeader, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import { type Vec3, centredAffine } from '../../src/infer/io/niftiHeader';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { SILVER_NOTE, type Segmenter, formatRobustness, organsPresent, runRobustness, scoreLabels } from '../../src/infer/eval/robustness';
import { VARIANTS, type CasePair } from '../../src/infer/eval/variants';

const dims: Vec3 = [40, 32, 20];
const spacing: Vec3 = [3, 3, 3];
const phantom = makePhantom({ dims, spacing, seed: 4 });
const vol = (data: Float32Array): NiftiVolume => ({
  dims, spacing, data, affine: centredAffine(dims, spacing), datatype: 16, header: makeNiftiHeader(dims, spacing), warnings: [],
});
const c: CasePair = { ct: vol(phantom.image), ref: vol(Float32Array.from(phantom.labels)) };
const organs = organsPresent(c.ref.data, CASE_LABELS);

const oracle: Segmenter = async (v) => ({ labels: Uint8Array.from(v.ref.data), seconds: 0.01, warnings: [] });
/** Loses the liver (label 1 becomes background) and warns on the slab. */
const broken: Segmenter = async (v) => ({
  labels: Uint8Array.from(v.ref.data, (x) => (x === 1 ? 0 : x)),
  seconds: 0.02,
  warnings: v.name === 'slab13' ? ['the scan covers only 39 mm head-foot'] : [],
});

describe('robustness runner', () => {
  it('identical predictions score Dice 1 everywhere, and agree with the original after storage changes', async () => {
    const scores = await runRobustness(c, VARIANTS, oracle, CASE_LABELS);
    expect(scores.map((s) => s.name)).toEqual(['original', ...VARIANTS]);
    for (const s of scores) {
      expect(s.meanDice).toBe(1);
      for (const d of Object.values(s.dice)) if (d !== null) expect(d).toBe(1);
    }
    expect(scores.find((s) => s.name === 'lps')?.agreement).toBe(1);
    expect(scores.find((s) => s.name === 'zyx')?.agreement).toBe(1);
    expect(scores.find((s) => s.name === 'rot12')?.agreement).toBeNull();
  });

  it('a broken prediction scores lower, organ by organ', async () => {
    const scores = await runRobustness(c, ['lps', 'slab13'], broken, CASE_LABELS);
    for (const s of scores) {
      expect(s.dice.liver).toBe(0);
      expect(s.meanDice).toBeLessThan(1);
      expect(s.dice.spleen === null || s.dice.spleen === 1).toBe(true);
    }
  });

  it('prints a table: header, one row per variant, the silver-standard note, warnings per variant', async () => {
    const scores = await runRobustness(c, ['lps', 'slab13', 'noise35'], broken, CASE_LABELS);
    const lines = formatRobustness(scores, organs).split('\n');
    const header = lines[0].split(/\s{2,}/);
    expect(header).toEqual(['variant', 'mean Dice', ...organs, 'vs original', 'seconds']);
    const rows = lines.slice(1, 5).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(['original', 'lps', 'slab13', 'noise35']);
    for (const r of rows) expect(r).toHaveLength(header.length);
    expect(rows[0][1 + 1 + organs.indexOf('liver')]).toBe('0.000');
    expect(rows[1][header.length - 2]).toBe('1.000');
    expect(lines).toContain(SILVER_NOTE);
    expect(lines).toContain('slab13: warning: the scan covers only 39 mm head-foot');
  });

  it('scores only organs present in the reference', () => {
    const ref = Uint8Array.from([0, 1, 1, 2]);
    const { dice, mean } = scoreLabels(Uint8Array.from([0, 1, 0, 2]), ref, CASE_LABELS);
    expect(dice.liver).toBeCloseTo(2 / 3, 6);
    expect(dice.spleen).toBe(1);
    expect(dice.stomach).toBeNull();
    expect(mean).toBeCloseTo((2 / 3 + 1) / 2, 6);
  });
});

describe('npm run robustness on a tiny phantom with the bundled fine-tiny model', () => {
  it('segments every variant on onnxruntime-node and prints the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fine-robust-'));
    const header = makeNiftiHeader(dims, spacing);
    writeFileSync(join(dir, 'ct.nii.gz'), writeNiftiFloat(phantom.image, { dims, header }, { gzip: true }));
    writeFileSync(join(dir, 'seg.nii.gz'), writeNifti(phantom.labels, { dims, header }, { gzip: true }));
    const lines: string[] = [];
    const out = join(dir, 'results.json');
    await robustnessFiles(
      ['--input', join(dir, 'ct.nii.gz'), '--ref', join(dir, 'seg.nii.gz'), '--model', 'models/fine-tiny.json', '--out', out, '--threads', '1'],
      (s) => lines.push(...s.split('\n')),
    );
    const at = lines.findIndex((l) => l.startsWith('variant'));
    expect(at).toBeGreaterThan(0);
    const rows = lines.slice(at + 1, at + 2 + VARIANTS.length).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(['original', ...VARIANTS]);
    for (const r of rows) {
      const mean = Number(r[1]);
      expect(mean).toBeGreaterThanOrEqual(0);
      expect(mean).toBeLessThanOrEqual(1);
      expect(Number(r[r.length - 1])).toBeGreaterThan(0);
    }
    expect(lines).toContain(SILVER_NOTE);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.scores).toHaveLength(1 + VARIANTS.length);
    expect(json.model).toBe('fine-tiny');
  }, 120_000);

  it('refuses a reference on another grid with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fine-robust-bad-'));
    const other: Vec3 = [20, 32, 20];
    writeFileSync(join(dir, 'ct.nii'), writeNiftiFloat(phantom.image, { dims, header: makeNiftiHeader(dims, spacing) }));
    writeFileSync(join(dir, 'seg.nii'), writeNifti(new Uint8Array(20 * 32 * 20), { dims: other, header: makeNiftiHeader(other, spacing) }));
    await expect(robustnessFiles(['--input', join(dir, 'ct.nii'), '--ref', join(dir, 'seg.nii'), '--model', 'models/fine-tiny.json'], () => undefined))
      .rejects.toThrow(/^grids differ: --input is 40x32x20, --ref is 20x32x20/);
    await expect(robustnessFiles(['--input', join(dir, 'ct.nii'), '--ref', join(dir, 'ct.nii'), '--variants', 'lps,mirror'], () => undefined))
      .rejects.toThrow(/--variants: unknown variant "mirror"/);
  });
});
