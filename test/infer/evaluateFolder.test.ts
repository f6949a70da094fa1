/**
 * `npm run evaluate` folder mode: predictions and references matched by case name, a summary.json like
 * nnU-Net's (per case, mean per label, foreground mean) with HD95, and nnU-Net's convention that a label
 * absent from both maps of a case is left out (null), not scored as 1.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FolderSummary, evaluateFiles } from '../../src/infer/cli/evaluate';
import { makeNiftiHeader, writeNifti } from '../../src/infer/io/nifti';
import type { Vec3 } from '../../src/infer/io/niftiHeader';

const dims: Vec3 = [12, 10, 10];
const like = { dims, header: makeNiftiHeader(dims, [1.5, 1.5, 1.5]) };
const n = dims[0] * dims[1] * dims[2];

/** Sets label `id` in the box [x0, x1) x [y0, y1) x [z0, z1). */
function box(into: Uint8Array, id: number, [x0, x1]: number[], [y0, y1]: number[], [z0, z1]: number[]): Uint8Array {
  for (let z = z0; z < z1; z++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) into[x + dims[0] * (y + dims[1] * z)] = id;
  return into;
}

const root = mkdtempSync(join(tmpdir(), 'evaluate-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * caseA: label 1 shifted by 2 voxels (Dice 2/3, HD95 3 mm); label 2 in the reference only (Dice 0, HD95 infinite).
 * caseB: label 1 exact (Dice 1, HD95 0); label 2 in neither map (left out).
 * caseC: a reference without a prediction (not scored).
 */
function writeFolders(dir: string): { pred: string; ref: string } {
  const pred = join(dir, 'pred'), ref = join(dir, 'labelsTr');
  mkdirSync(pred, { recursive: true });
  mkdirSync(ref, { recursive: true });
  const refA = box(box(new Uint8Array(n), 1, [2, 8], [2, 8], [2, 6]), 2, [2, 6], [2, 6], [7, 9]);
  const predA = box(new Uint8Array(n), 1, [4, 10], [2, 8], [2, 6]);
  const b = box(new Uint8Array(n), 1, [3, 9], [3, 7], [1, 8]);
  writeFileSync(join(ref, 'caseA.nii.gz'), writeNifti(refA, like, { gzip: true }));
  writeFileSync(join(pred, 'caseA.nii.gz'), writeNifti(predA, like, { gzip: true }));
  writeFileSync(join(ref, 'caseB.nii.gz'), writeNifti(b, like, { gzip: true }));
  writeFileSync(join(pred, 'caseB.nii'), writeNifti(b, like));
  writeFileSync(join(ref, 'caseC.nii.gz'), writeNifti(b, like, { gzip: true }));
  return { pred, ref };
}

describe('evaluate folder mode', () => {
  it('writes an nnU-Net-style summary: labels absent from both maps are left out, not counted as 1', () => {
    const { pred, ref } = writeFolders(join(root, 'a'));
    const out = join(root, 'a', 'summary.json');
    const text = evaluateFiles(['--pred', pred, '--ref', ref, '--out', out, '--labels', '1,2']);
    const s = JSON.parse(readFileSync(out, 'utf8')) as FolderSummary;
    expect(s.metric_per_case.map((c) => c.case)).toEqual(['caseA', 'caseB']);
    const [a, b] = s.metric_per_case;
    expect(a.metrics['1'].DSC).toBeCloseTo(2 / 3, 6);
    expect(a.metrics['1'].HD95).toBeCloseTo(3, 6);
    expect(a.metrics['2']).toEqual({ DSC: 0, HD95: null, n_pred: 0, n_ref: 32 });
    expect(b.metrics['1']).toEqual({ DSC: 1, HD95: 0, n_pred: 168, n_ref: 168 });
    expect(b.metrics['2']).toEqual({ DSC: null, HD95: null, n_pred: 0, n_ref: 0 });
    expect(s.mean['1'].DSC).toBeCloseTo(5 / 6, 6);
    expect(s.mean['1'].HD95).toBeCloseTo(1.5, 6);
    expect(s.mean['1'].n_cases).toBe(2);
    // Counted as 1 where absent from both, label 2 would average 0.5.
    expect(s.mean['2']).toEqual({ name: 'spleen', DSC: 0, HD95: null, n_cases: 1, n_hd95_inf: 1 });
    expect(s.foreground_mean.DSC).toBeCloseTo(5 / 12, 6);
    expect(s.foreground_mean.HD95).toBeCloseTo(1.5, 6);
    expect(s.reference).not.toMatch(/silver/);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^2 case\(s\) scored: .*pred against .*labelsTr; 1 reference case\(s\) without a prediction were not scored$/);
    expect(lines[1]).toMatch(/label names: the built-in 9-organ table/);
    expect(lines[2]).toMatch(/id\s+label\s+Dice\s+HD95 mm\s+cases\s+HD95 inf/);
    expect(lines[3]).toMatch(/1\s+liver\s+0\.8333\s+1\.50\s+2\s+0/);
    expect(lines[4]).toMatch(/2\s+spleen\s+0\.0000\s+-\s+1\s+1/);
    expect(lines[5]).toMatch(/foreground mean\s+0\.4167\s+1\.50/);
    expect(text).toMatch(/left out of that case \(nnU-Net's convention\)/);
    expect(text).toContain(`summary: ${out}`);
    // Without --labels, the ids found in any map; the same null where a case holds neither.
    evaluateFiles(['--pred', pred, '--ref', ref, '--out', join(root, 'a', 'found.json')]);
    const found = JSON.parse(readFileSync(join(root, 'a', 'found.json'), 'utf8')) as FolderSummary;
    expect(found.mean).toEqual(s.mean);
    expect(found.metric_per_case[1].metrics['2']).toEqual({ DSC: null, HD95: null, n_pred: 0, n_ref: 0 });
  });

  it('names from a dataset.json (given, or beside the reference folder); --silver says so', () => {
    const dir = join(root, 'b');
    const { pred, ref } = writeFolders(dir);
    writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ labels: { background: 0, kidney_left: 1, kidney_right: 2, aorta: 3 } }));
    const text = evaluateFiles(['--pred', pred, '--ref', ref, '--silver']);
    const s = JSON.parse(readFileSync(join(pred, 'summary.json'), 'utf8')) as FolderSummary;
    expect(s.labels).toEqual({ 1: 'kidney_left', 2: 'kidney_right', 3: 'aorta' });
    // A dataset label in no map at all: no mean.
    expect(s.mean['3']).toEqual({ name: 'aorta', DSC: null, HD95: null, n_cases: 0, n_hd95_inf: 0 });
    expect(s.reference).toMatch(/silver standard/);
    expect(text).toMatch(/label names: .*dataset\.json/);
    expect(text).toMatch(/reference labels: silver standard/);
    const ids = evaluateFiles(['--pred', pred, '--ref', ref, '--labels', '2', '--out', join(dir, 'only2.json')]);
    expect(ids).toMatch(/2\s+kidney_right\s+0\.0000/);
    expect(Object.keys((JSON.parse(readFileSync(join(dir, 'only2.json'), 'utf8')) as FolderSummary).mean)).toEqual(['2']);
  });

  it('bad input: one clear message', () => {
    const dir = join(root, 'c');
    const { pred, ref } = writeFolders(dir);
    writeFileSync(join(pred, 'caseD.nii.gz'), writeNifti(new Uint8Array(n), like, { gzip: true }));
    expect(() => evaluateFiles(['--pred', pred, '--ref', ref])).toThrow(/--pred .*caseD\.nii\.gz: no reference caseD\.nii\[\.gz\] in .*labelsTr; files are matched by case name/);
    expect(() => evaluateFiles(['--pred', pred, '--ref', join(ref, 'caseA.nii.gz')])).toThrow(/--ref must be one too/);
    expect(() => evaluateFiles(['--pred', join(pred, 'caseA.nii.gz'), '--ref', join(ref, 'caseA.nii.gz'), '--out', 'x.json'])).toThrow(/--out is for folder mode/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(() => evaluateFiles(['--pred', empty, '--ref', ref])).toThrow(/--pred .*empty: no \.nii or \.nii\.gz files in this folder/);
    writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ labels: { background: 0, liver: 2 } }));
    expect(() => evaluateFiles(['--pred', pred, '--ref', ref, '--labels', join(dir, 'dataset.json')])).toThrow(/dataset\.json: label ids must be 0\.\.1 without gaps/);
  });
});
