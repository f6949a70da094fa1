import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgsError, parseArgs } from '../../src/util/args';
import { evaluateFiles } from '../../src/infer/cli/evaluate';
import { makeNiftiHeader, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import type { Vec3 } from '../../src/infer/io/niftiHeader';

const specs = {
  pred: { description: 'prediction', required: true },
  labels: { description: 'ids', default: 'all' },
  quiet: { description: 'less output', boolean: true },
};

describe('parseArgs', () => {
  it('reads --key value, --key=value and boolean flags, with defaults', () => {
    expect(parseArgs(['--pred', 'a.nii', '--quiet'], specs)).toEqual({ pred: 'a.nii', labels: 'all', quiet: 'true' });
    expect(parseArgs(['--pred=b.nii', '--labels', '1,2'], specs)).toMatchObject({ pred: 'b.nii', labels: '1,2' });
  });

  it('errors list the valid options', () => {
    expect(() => parseArgs(['--pred', 'a', '--bogus', '1'], specs)).toThrow(ArgsError);
    expect(() => parseArgs(['--pred', 'a', '--bogus', '1'], specs)).toThrow('unknown option "--bogus"; valid options are --pred, --labels, --quiet');
    expect(() => parseArgs([], specs)).toThrow('missing required option --pred');
    // --help asks for the usage: a missing required option is not an error then.
    const help = parseArgs(['--help'], { ...specs, help: { description: 'help', boolean: true } });
    expect(help.help).toBe('true');
    expect(help.pred).toBeUndefined();
    expect(() => parseArgs(['--pred'], specs)).toThrow('option --pred needs a value');
    expect(() => parseArgs(['a.nii'], specs)).toThrow('unexpected argument "a.nii"');
  });
});

describe('evaluate CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evaluate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dims: Vec3 = [12, 10, 8];
  const like = { dims, header: makeNiftiHeader(dims, [1.5, 1.5, 1.5]) };
  const n = 12 * 10 * 8;
  const box = (x0: number, x1: number, id: number, into: Uint8Array) => {
    for (let z = 2; z < 6; z++) for (let y = 2; y < 8; y++) for (let x = x0; x < x1; x++) into[x + 12 * (y + 10 * z)] = id;
    return into;
  };
  const ref = box(2, 8, 1, new Uint8Array(n));
  const pred = box(4, 10, 1, new Uint8Array(n));
  writeFileSync(join(dir, 'ref.nii.gz'), writeNifti(ref, like, { gzip: true }));
  writeFileSync(join(dir, 'pred.nii'), writeNifti(pred, like));
  writeFileSync(join(dir, 'ct.nii'), writeNiftiFloat(new Float32Array(n).fill(-0.5), like));

  it('prints an aligned table of Dice and HD95', () => {
    const out = evaluateFiles(['--pred', join(dir, 'pred.nii'), '--ref', join(dir, 'ref.nii.gz')]);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/reference: ref.nii.gz \(12x10x8, 1.50x1.50x1.50 mm\)/);
    expect(lines[1]).toMatch(/id\s+label\s+Dice\s+HD95 mm\s+in ref/);
    expect(lines[2]).toMatch(/1\s+liver\s+0.6667\s+3.00\s+yes/);
    expect(lines[3]).toMatch(/mean\s+0.6667\s+3.00/);
    expect(new Set(lines.slice(1).map((l) => l.length)).size).toBeLessThanOrEqual(2);
  });

  it('an explicit label list, including an absent label', () => {
    const out = evaluateFiles(['--pred', join(dir, 'pred.nii'), '--ref', join(dir, 'ref.nii.gz'), '--labels', '1,4']);
    expect(out).toMatch(/4\s+kidney_left\s+1.0000\s+0.00\s+no/);
  });

  it('bad input: one clear message', () => {
    expect(() => evaluateFiles(['--pred', join(dir, 'missing.nii'), '--ref', join(dir, 'ref.nii.gz')])).toThrow(/cannot read .*missing.nii: ENOENT/);
    expect(() => evaluateFiles(['--pred', join(dir, 'ct.nii'), '--ref', join(dir, 'ref.nii.gz')])).toThrow(/ct.nii: voxel 0 is -0.5, expected integer label ids/);
    expect(() => evaluateFiles(['--pred', join(dir, 'pred.nii'), '--ref', join(dir, 'ref.nii.gz'), '--labels', 'liver'])).toThrow(/"liver" is not a label id/);
  });
});
