/** Folder mode of the segment command: a worker pool, progress lines, resume by skipping complete outputs, a volumes CSV. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/infer/io/nifti';
import { writePhantomCase } from '../../scripts/make-phantom-cases';

const segment = (args: string[]) => spawnSync('npx', ['tsx', 'src/infer/cli/segment.ts', ...args, '--model', 'models/fine-tiny.json'], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });

describe('segment --input <folder>', () => {
  it('segments every scan with 2 workers, writes volumes.csv, and resumes without redoing finished scans', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fine-folder-'));
    const c = writePhantomCase(join(dir, 'src'), 3);
    const inDir = join(dir, 'in');
    spawnSync('mkdir', ['-p', inDir]);
    for (const n of ['a', 'b', 'c']) copyFileSync(c.ct, join(inDir, `${n}.nii.gz`));
    const out = join(dir, 'out');
    const r = segment(['--input', inDir, '--output', out, '--jobs', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 scan\(s\) to segment with 2 worker\(s\)/);
    expect(r.stdout).toMatch(/\[3\/3\] done [abc]\.nii\.gz .*ETA 0 s/);
    const ref = readNifti(new Uint8Array(readFileSync(c.ct)));
    const a = readNifti(new Uint8Array(readFileSync(join(out, 'a.nii.gz'))));
    expect(a.dims).toEqual(ref.dims);
    const csv = readFileSync(join(out, 'volumes.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^scan,liver_ml,spleen_ml,/);
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['a', 'b', 'c']);
    expect(Number(csv[1].split(',')[1])).toBeGreaterThan(0);
    // Interrupted job: one output missing, a half-written temp file left behind.
    const before = statSync(join(out, 'a.nii.gz')).mtimeMs;
    spawnSync('rm', [join(out, 'c.nii.gz')]);
    writeFileSync(join(out, 'c.nii.gz.tmp'), 'partial');
    const again = segment(['--input', inDir, '--output', out]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/resuming: 2 of 3 scans already have an output/);
    expect(again.stdout).toMatch(/1 scan\(s\) to segment/);
    expect(statSync(join(out, 'a.nii.gz')).mtimeMs).toBe(before);
    expect(readNifti(new Uint8Array(readFileSync(join(out, 'c.nii.gz')))).dims).toEqual(ref.dims);
  }, 120_000);

  it('reports a scan that cannot be read and finishes the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fine-folder-bad-'));
    const c = writePhantomCase(join(dir, 'src'), 4);
    const inDir = join(dir, 'in');
    spawnSync('mkdir', ['-p', inDir]);
    copyFileSync(c.ct, join(inDir, 'good.nii.gz'));
    writeFileSync(join(inDir, 'bad.nii'), 'not a nifti '.repeat(40));
    const r = segment(['--input', inDir, '--output', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: bad\.nii: .*not a NIfTI-1 file/);
    expect(r.stderr).toMatch(/1 scan\(s\) failed: bad\.nii/);
    expect(readFileSync(join(dir, 'out', 'volumes.csv'), 'utf8')).toMatch(/\ngood,/);
  }, 120_000);
});
