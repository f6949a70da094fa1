/**
 * Applicability warnings at the segment CLI: `warning:` lines on the warning channel (stderr in the
 * command) with the output still written; `--strict` turns any warning into exit code 3 and no file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StrictWarningError, segmentFile } from '../../src/infer/cli/segment';
import { makeNiftiHeader, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import type { Vec3 } from '../../src/infer/io/niftiHeader';
import { makePhantom } from '../../src/infer/synthetic/phantom';

const dir = mkdtempSync(join(tmpdir(), 'fine-strict-'));
const CARD = 'models/fine-tiny.json';

function phantomFile(name: string, dims: Vec3, labelsInstead = false): string {
  const p = makePhantom({ dims, spacing: [3, 3, 3], seed: 4 });
  const like = { dims, header: makeNiftiHeader(dims, [3, 3, 3]) };
  const f = join(dir, name);
  writeFileSync(f, labelsInstead ? writeNifti(p.labels, like) : writeNiftiFloat(p.image, like));
  return f;
}

async function run(input: string, strict: boolean, card = CARD) {
  const output = `${input}.seg.nii.gz`;
  const log: string[] = [];
  const warn: string[] = [];
  let error: Error | undefined;
  try {
    await segmentFile(['--input', input, '--output', output, '--model', card, ...(strict ? ['--strict'] : [])], (s) => log.push(s), (s) => warn.push(s));
  } catch (e) {
    error = e as Error;
  }
  return { log, warn, error, output };
}

describe('segment CLI applicability warnings', () => {
  it('a normal phantom CT: no warnings, output written, also with --strict', async () => {
    const r = await run(phantomFile('normal.nii', [40, 32, 20]), true);
    expect(r.error).toBeUndefined();
    expect(r.warn).toEqual([]);
    expect(existsSync(r.output)).toBe(true);
  });

  it('a thin slab: a warning line on the warning channel, output still written', async () => {
    const r = await run(phantomFile('thin.nii', [40, 32, 10]), false);
    expect(r.error).toBeUndefined();
    expect(r.warn).toEqual([
      "warning: the scan covers only 30 mm head-foot (10 slices), less than the 48 mm the model sees at once; organs cut off at the scan's ends may be missed or mislabelled",
    ]);
    expect(r.log.some((l) => l.startsWith('warning:'))).toBe(false);
    expect(existsSync(r.output)).toBe(true);
  });

  it('--strict: the same slab stops before segmenting and writes nothing', async () => {
    const r = await run(phantomFile('thin-strict.nii', [40, 32, 10]), true);
    expect(r.error).toBeInstanceOf(StrictWarningError);
    expect(r.error?.message).toBe('--strict: 1 warning before segmenting; no output written');
    expect(r.warn).toHaveLength(1);
    expect(existsSync(r.output)).toBe(false);
  });

  it('--strict: organ volumes outside the card\'s range stop after segmenting, nothing written', async () => {
    const card = JSON.parse(readFileSync(CARD, 'utf8'));
    card.onnx.file = join(process.cwd(), 'models', card.onnx.file);
    card.applicability = { organVolumeMl: { liver: [0.5, 2] } };
    const cardPath = join(dir, 'ranged.json');
    writeFileSync(cardPath, JSON.stringify(card));
    const input = phantomFile('ranged.nii', [40, 32, 20]);
    const loose = await run(input, false, cardPath);
    expect(loose.warn).toEqual([expect.stringMatching(/^warning: liver: \d+(\.\d)? mL, above the 0.5-2 mL expected from the training data/)]);
    expect(existsSync(loose.output)).toBe(true);
    const strictOut = join(dir, 'ranged-strict.nii');
    writeFileSync(strictOut, readFileSync(input));
    const r = await run(strictOut, true, cardPath);
    expect(r.error?.message).toBe('--strict: 1 warning after segmenting; no output written');
    expect(existsSync(r.output)).toBe(false);
  });

  it('--strict from the real command: exit code 3, warning lines on stderr, no output file', () => {
    const input = phantomFile('labels-strict.nii', [40, 32, 20], true);
    const output = join(dir, 'labels-strict.out.nii.gz');
    const r = spawnSync('npx', ['tsx', 'src/infer/cli/segment.ts', '--input', input, '--output', output, '--model', CARD, '--strict'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('warning:') || l.startsWith('segment:'));
    expect(lines).toEqual([
      expect.stringMatching(/^warning: the image holds only 10 distinct integer values \(0\.\.9\), so it looks like a label map/),
      'segment: --strict: 1 warning before segmenting; no output written',
    ]);
    expect(r.stdout).not.toMatch(/warning:/);
    expect(existsSync(output)).toBe(false);
  }, 60_000);
});
