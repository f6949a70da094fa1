import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reexport } from '../../src/trainer/reexport';

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

/** A copy of the shipped fine-small model (shifted windows, volume tokens) in a temporary folder. */
function copyModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reexport-test-'));
  for (const f of ['fine-small.json', 'fine-small.onnx', 'fine-small.attn.onnx']) copyFileSync(join('models', f), join(dir, f));
  return dir;
}

describe('npm run reexport', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('rewrites a model with the current graph and its own weights, card hashes matching the files', async () => {
    const dir = copyModel();
    dirs.push(dir);
    const r = await reexport(join(dir, 'fine-small.json'), {}, 1e-4);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4 * r.range);
    expect(r.range).toBeGreaterThan(1);
    const card = JSON.parse(readFileSync(join(dir, 'fine-small.json'), 'utf8'));
    expect(card.onnx.sha256).toBe(sha(join(dir, 'fine-small.onnx')));
    expect(card.attention.sha256).toBe(sha(join(dir, 'fine-small.attn.onnx')));
    expect(card.training.steps).toBe(JSON.parse(readFileSync('models/fine-small.json', 'utf8')).training.steps);
  }, 60_000);

  it('refuses, writing nothing, when the graph computes something else or needs other weights', async () => {
    const dir = copyModel();
    dirs.push(dir);
    const before = sha(join(dir, 'fine-small.onnx'));
    // Same parameters, another block order: the logits differ.
    await expect(reexport(join(dir, 'fine-small.json'), { blockOrder: 'official' }, 1e-4)).rejects.toThrow(/logits differ by up to .* not written/);
    // Another width: the parameters do not fit.
    await expect(reexport(join(dir, 'fine-small.json'), { embedDim: 16 }, 1e-4)).rejects.toThrow(/values, the current graph needs .* --config/);
    expect(sha(join(dir, 'fine-small.onnx'))).toBe(before);
  }, 60_000);
});
