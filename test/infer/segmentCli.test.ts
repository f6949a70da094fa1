/**
 * Bad input at the segment CLI, generated here: each case gets one clear message, exit code 2 and no
 * output file; files that are readable but suspicious (label map, MR, no orientation) run with a warning.
 * The input file is never modified.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { segmentFile } from '../../src/infer/cli/segment';
import { makeNiftiHeader, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { buildNifti } from './niftiFixture';

const dir = mkdtempSync(join(tmpdir(), 'fine-badinput-'));
const CARD = 'models/fine-tiny.json';
const good = (() => {
  const p = makePhantom({ dims: [40, 32, 20], spacing: [3, 3, 3], seed: 4 });
  return { bytes: writeNiftiFloat(p.image, { dims: [40, 32, 20], header: makeNiftiHeader([40, 32, 20], [3, 3, 3]) }), labels: p.labels };
})();

function file(name: string, bytes: Uint8Array | string): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
}
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

async function segment(input: string, extra: string[] = []): Promise<{ error?: Error; lines: string[]; output: string }> {
  const output = join(dir, `${input.split('/').pop()}.seg.nii.gz`);
  const lines: string[] = [];
  const before = existsSync(input) ? sha(input) : '';
  try {
    await segmentFile(['--input', input, '--output', output, '--model', CARD, ...extra], (s) => lines.push(s));
    return { lines, output };
  } catch (e) {
    return { error: e as Error, lines, output };
  } finally {
    if (before) expect(sha(input)).toBe(before);
  }
}

const refused: [string, () => Uint8Array | string, RegExp][] = [
  ['empty file', () => new Uint8Array(0), /empty/],
  ['random bytes', () => Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251), /NIfTI/],
  ['truncated .nii.gz', () => gzipSync(good.bytes).slice(0, 2000), /gzip|truncated/i],
  ['data shorter than the header says', () => good.bytes.slice(0, 352 + 1000), /bytes/],
  ['NIfTI-2', () => buildNifti({ sizeofHdr: 540 }), /NIfTI-2 is not supported/],
  ['4-D volume', () => buildNifti({ dim: [4, 2, 2, 2, 3, 1, 1, 1] }), /dim\[4\] = 3/],
  ['negative dimension', () => buildNifti({ dim: [3, -4, 4, 4, 1, 1, 1, 1], values: [] }), /dim\[1\] = -4/],
  ['absurd dimension', () => buildNifti({ dim: [3, 5000, 1, 1, 1, 1, 1, 1], values: [] }), /expected 1..4096/],
  ['zero spacing', () => buildNifti({ pixdim: [1, 1, 0, 1, 1, 1, 1, 1] }), /pixdim\[2\]/],
  ['negative spacing', () => buildNifti({ pixdim: [1, -2, 1, 1, 1, 1, 1, 1] }), /pixdim\[1\]/],
  ['unknown datatype', () => buildNifti({ datatype: 1024 }), /unsupported datatype code 1024/],
  ['RGB datatype', () => buildNifti({ datatype: 128 }), /RGB/],
  ['NaN voxels', () => buildNifti({ values: [NaN, ...Array(23).fill(0)] }), /NaN/],
];

describe('segment CLI refuses bad input clearly and writes nothing', () => {
  for (const [name, make, msg] of refused) {
    it(name, async () => {
      const r = await segment(file(`${name.replace(/\W+/g, '_')}.nii`, make()));
      expect(r.error?.message).toMatch(msg);
      expect(r.error?.message.split('\n')).toHaveLength(1);
      expect(existsSync(r.output)).toBe(false);
    });
  }

  it('a model card whose sha256 does not match its ONNX, and one missing fields', async () => {
    const card = JSON.parse(readFileSync(CARD, 'utf8'));
    const bad = file('badsha.json', JSON.stringify({ ...card, onnx: { ...card.onnx, file: join(process.cwd(), 'models', card.onnx.file), sha256: '0'.repeat(64) } }));
    const input = file('good.nii', good.bytes);
    const out = join(dir, 'never.nii.gz');
    await expect(segmentFile(['--input', input, '--output', out, '--model', bad], () => undefined)).rejects.toThrow(/sha256/);
    const { patchSize: _p, ...missing } = card;
    const incomplete = file('missing.json', JSON.stringify(missing));
    await expect(segmentFile(['--input', input, '--output', out, '--model', incomplete], () => undefined)).rejects.toThrow(/patchSize/);
    expect(existsSync(out)).toBe(false);
  });

  it('exit code 2 and one line on stderr from the real command', () => {
    const r = spawnSync('npx', ['tsx', 'src/infer/cli/segment.ts', '--input', file('junk.nii', 'not a nifti at all'), '--output', join(dir, 'junk.out.nii.gz'), '--model', CARD], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    const errLines = r.stderr.split('\n').filter((l) => l.startsWith('segment:'));
    expect(errLines).toHaveLength(1);
    expect(existsSync(join(dir, 'junk.out.nii.gz'))).toBe(false);
  });
});

describe('segment CLI reads suspicious but valid input with a warning', () => {
  it('a label map passed as a CT', async () => {
    const r = await segment(file('labels_as_ct.nii', writeNifti(good.labels, { dims: [40, 32, 20], header: makeNiftiHeader([40, 32, 20], [3, 3, 3]) })));
    expect(r.error).toBeUndefined();
    expect(r.lines.join('\n')).toMatch(/warning: .*looks like a label map/);
  });

  it('an MR-like volume (no air at -1000)', async () => {
    const mr = Float32Array.from({ length: 40 * 32 * 20 }, (_, i) => 200 + ((i * 37) % 800));
    const r = await segment(file('mr.nii', writeNiftiFloat(mr, { dims: [40, 32, 20], header: makeNiftiHeader([40, 32, 20], [3, 3, 3]) })));
    expect(r.error).toBeUndefined();
    expect(r.lines.join('\n')).toMatch(/warning: .*trained on CT/);
  });

  it('missing qform and sform: read with pixdim spacing and a warning', async () => {
    const vals = Array.from({ length: 24 * 20 * 12 }, (_, i) => (i % 24 < 2 ? -1000 : 40));
    const r = await segment(file('noorient.nii', buildNifti({ dims: [24, 20, 12], pixdim: [1, 3, 3, 3, 1, 1, 1, 1], values: vals })));
    expect(r.error).toBeUndefined();
    expect(r.lines.join('\n')).toMatch(/warning: .*(qform|sform)/);
    expect(existsSync(r.output)).toBe(true);
  });
});
