import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, readNifti, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import { CASE_LABELS } from '../../src/infer/contract/labels';
import { writePhantomCase } from '../../scripts/make-phantom-cases';

const train = (args: string[]) => spawnSync('npx', ['tsx', 'src/trainer/cli.ts', '--preset', 'tiny', ...(args.includes('--steps') ? [] : ['--steps', '2']), ...args], { encoding: 'utf8' });

describe('train CLI refuses bad data with exit code 2 and one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fine-baddata-'));
  const geo = { dims: [8, 8, 8] as [number, number, number], header: makeNiftiHeader([8, 8, 8], [3, 3, 3]) };
  const cases: [string, (d: string) => void, RegExp][] = [
    ['an empty CT file', (d) => {
      writeFileSync(join(d, 'a_ct.nii'), new Uint8Array(0));
      writeFileSync(join(d, 'a_seg.nii'), writeNifti(new Uint8Array(512), geo));
    }, /a_ct\.nii.*empty/],
    ['a CT without a label map', (d) => writeFileSync(join(d, 'b_ct.nii'), writeNiftiFloat(new Float32Array(512), geo)), /no label map b_seg\*/],
    ['labels outside the model classes', (d) => {
      writeFileSync(join(d, 'c_ct.nii'), writeNiftiFloat(new Float32Array(512), geo));
      writeFileSync(join(d, 'c_seg.nii'), writeNifti(new Uint8Array(512).fill(42), geo));
    }, /label 42 .* outside 0\.\.9/],
    ['a folder with no CT', () => undefined, /no <case>_ct\.nii\[\.gz\] files/],
    ['a labels card that omits a label the map holds', (d) => {
      writeFileSync(join(d, 'e_ct.nii'), writeNiftiFloat(new Float32Array(512), geo));
      writeFileSync(join(d, 'e_seg.nii'), writeNifti(new Uint8Array(512).fill(2), geo));
      writeFileSync(join(d, 'e_labels.json'), JSON.stringify({ annotates: ['liver'] }));
    }, /holds label spleen although .*e_labels\.json does not list it/],
  ];
  cases.forEach(([name, make, msg], i) => {
    it(name, () => {
      const d = join(dir, String(i));
      mkdirSync(d);
      make(d);
      const r = train(['--data', d, '--out', join(d, 'out', 'm')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('train:'))).toHaveLength(1);
    });
  });

  it('a diverging run stops on NaN/Inf with exit code 3 and a message', () => {
    const d = join(dir, 'diverge');
    writePhantomCase(d, 5, [40, 32, 20]);
    const r = train(['--data', d, '--out', join(d, 'out', 'm'), '--steps', '40', '--lr', '1e30', '--spacing', '4,4,4', '--val-every', '1000']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/training diverged: loss .*lower the learning rate or resume from the last checkpoint/);
  });

  it('a case annotating only some labels trains with the marginal loss', () => {
    const d = join(dir, 'partial');
    writePhantomCase(d, 6, [40, 32, 20]);
    writeFileSync(join(d, 'phantom6_labels.json'), JSON.stringify({ annotates: CASE_LABELS.slice(1).map((l) => l.name) }));
    const ok = train(['--data', d, '--out', join(d, 'out', 'full'), '--steps', '3', '--spacing', '4,4,4', '--val-every', '1000']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).not.toMatch(/partial labels/);
    // Drop the gallbladder from the map and from the card: a partial case.
    const seg = readNifti(new Uint8Array(readFileSync(join(d, 'phantom6_seg.nii.gz'))));
    writeFileSync(join(d, 'phantom6_seg.nii.gz'), writeNifti(Uint8Array.from(seg.data, (v) => (v === 7 ? 0 : v)), seg, { gzip: true }));
    writeFileSync(join(d, 'phantom6_labels.json'), JSON.stringify({ annotates: CASE_LABELS.slice(1).map((l) => l.name).filter((n) => n !== 'gallbladder') }));
    const r = train(['--data', d, '--out', join(d, 'out', 'm'), '--steps', '3', '--spacing', '4,4,4', '--val-every', '1000']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/partial labels: phantom6 annotate only some labels; training with the marginal loss/);
  }, 120_000);

  it('unknown options list the valid ones', () => {
    const r = train(['--data', dir, '--out', join(dir, 'x'), '--stepz', '3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option "--stepz"; valid options are --data, --val/);
  });
});
