import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adaptFolder } from '../../src/infer/jobs/adaptFolder';
import { parseModelCard, sha256Hex } from '../../src/infer/contract/cardCheck';
import { readInitializers } from '../../src/infer/io/onnxWeights';
import { writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import { makeNiftiHeader } from '../../src/infer/io/niftiHeader';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { checkModelName, renamedModel } from '../../src/infer/adapt/adaptedModel';

const root = mkdtempSync(join(tmpdir(), 'adapt-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Two small phantoms with the organs' contrast shifted, their true labels as the corrections. */
function dataset(dir: string): string {
  const dims: [number, number, number] = [48, 40, 20];
  for (const d of ['imagesTr', 'labelsTr']) mkdirSync(join(dir, d), { recursive: true });
  for (const [name, seed] of [['a', 31], ['b', 32]] as const) {
    const { image, labels } = makePhantom({ dims, spacing: [3, 3, 3], seed });
    for (let i = 0; i < image.length; i++) if (labels[i] === 1) image[i] -= 60;
    const h = makeNiftiHeader(dims, [3, 3, 3]);
    writeFileSync(join(dir, 'imagesTr', `${name}_0000.nii.gz`), writeNiftiFloat(image, { dims, header: h }, { gzip: true }));
    writeFileSync(join(dir, 'labelsTr', `${name}.nii.gz`), writeNifti(labels, { dims, header: h }, { gzip: true }));
  }
  return dir;
}

describe('npm run adapt', () => {
  const data = dataset(join(root, 'data'));
  const run = (out: string, extra: string[] = []) => adaptFolder(['--model', 'models/fine-tiny.json', '--data', data, '--out', out, '--dir', join(root, 'models'), '--steps', '6', ...extra], () => {});

  it('writes an adapted model whose card checks, names its base and the scans by hash, and is reproducible', async () => {
    const r = (await run('tiny-site', ['--holdout', 'b']))!;
    const card = parseModelCard(JSON.parse(readFileSync(join(root, 'models', 'tiny-site.json'), 'utf8')), 'tiny-site.json');
    const base = JSON.parse(readFileSync('models/fine-tiny.json', 'utf8')) as { onnx: { sha256: string } };
    expect(card.adapted?.base).toEqual({ name: 'fine-tiny', sha256: base.onnx.sha256 });
    expect(card.adapted?.scans.length).toBe(1);
    expect(card.adapted?.steps).toBe(6);
    expect(card.adaptation).toBeUndefined();
    expect(card.adapted?.heldOut?.before).toBeCloseTo(r.before.mean, 6);
    const onnx = new Uint8Array(readFileSync(join(root, 'models', 'tiny-site.onnx')));
    expect(await sha256Hex(onnx)).toBe(card.onnx.sha256);
    // The weights moved, and the attention graph carries the same adapted weights.
    const w = readInitializers(onnx), w0 = readInitializers(new Uint8Array(readFileSync('models/fine-tiny.onnx')));
    const moved = [...r.params.keys()].filter((k) => w.get(k)!.some((x, i) => x !== w0.get(k)![i]));
    expect(moved.length).toBeGreaterThan(r.params.size / 2);
    const att = readInitializers(new Uint8Array(readFileSync(join(root, 'models', 'tiny-site.attn.onnx'))));
    const shared = moved.filter((k) => att.has(k));
    expect(shared.length).toBeGreaterThan(0);
    for (const k of shared) expect(Buffer.from(att.get(k)!.buffer).equals(Buffer.from(w.get(k)!.buffer))).toBe(true);
    // Kept under another name: names change, hashes do not, and the card still checks.
    const other = renamedModel(r.files, 'site-model');
    expect(parseModelCard(JSON.parse(JSON.stringify(other.card)), 'site-model.json')).toMatchObject({ name: 'site-model', onnx: { file: 'site-model.onnx', sha256: card.onnx.sha256 }, attention: { file: 'site-model.attn.onnx', sha256: card.attention!.sha256 } });
    expect(() => renamedModel(r.files, 'a/b')).toThrow(/not a usable model name/);
    const again = (await run('tiny-site2', ['--holdout', 'b']))!;
    for (const [k, v] of r.params) expect(Buffer.from(again.params.get(k)!.buffer).equals(Buffer.from(v.buffer))).toBe(true);
  }, 60_000);

  it('without --holdout, learns from part of each scan and scores the rest', async () => {
    const r = (await run('tiny-split'))!;
    expect(r.files.card.adapted?.scans.length).toBe(2);
    expect(r.files.card.adapted?.heldOut?.what).toMatch(/slices \d+-20 of 20; slices \d+-20 of 20/);
  }, 60_000);

  it('refuses bad input in one line', async () => {
    await expect(adaptFolder(['--model', 'models/fine-tiny.json', '--data', root, '--out', 'x'])).rejects.toThrow(/no imagesTr folder/);
    await expect(run('x', ['--holdout', 'zz'])).rejects.toThrow(/--holdout zz: no such case/);
    await expect(run('../evil')).rejects.toThrow(/not a usable model name/);
    await expect(adaptFolder(['--model', 'models/fine-tiny.json', '--data', data, '--out', 'x', '--steps', '-3'])).rejects.toThrow(/--steps must be/);
    const card = JSON.parse(readFileSync('models/fine-tiny.json', 'utf8')) as Record<string, unknown>;
    delete card.adaptation;
    const bare = join(root, 'bare.json');
    writeFileSync(bare, JSON.stringify(card));
    writeFileSync(join(root, 'fine-tiny.onnx'), readFileSync('models/fine-tiny.onnx'));
    await expect(adaptFolder(['--model', bare, '--data', data, '--out', 'x'])).rejects.toThrow(/lists no training graph/);
    expect(() => checkModelName('a b')).toThrow(/not a usable model name/);
    await expect(run('fine-tiny')).rejects.toThrow(/base model's own name/);
    await expect(run('tiny-site')).rejects.toThrow(/tiny-site\.json exists; choose another --out or give --force/);
    await expect(run('y', ['--lr', '0'])).rejects.toThrow(/--lr must be above 0/);
    // A case whose "corrected" labels are the model's own: named, in one line.
    const same = join(root, 'same');
    dataset(same);
    mkdirSync(join(same, 'predictions'));
    for (const c of ['a', 'b']) writeFileSync(join(same, 'predictions', `${c}.nii.gz`), readFileSync(join(same, 'labelsTr', `${c}.nii.gz`)));
    const err = await adaptFolder(['--model', 'models/fine-tiny.json', '--data', same, '--out', 'z', '--dir', join(root, 'models'), '--steps', '2'], () => {}).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^a: Nothing was corrected/);
    expect((err as Error).message).not.toContain('\n');
  });
});
