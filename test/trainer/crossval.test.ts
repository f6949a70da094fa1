/**
 * `npm run crossval -- --quick` end to end on three phantom patients and one case with no organ: three
 * folds (the negative always trains), nnU-Net-style summaries per fold and mode, the table, the decided
 * inference defaults, and a card that receives them. The decision rule is checked on folds with a
 * known answer.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import type { Vec3 } from '../../src/infer/io/niftiHeader';
import type { ModelCard } from '../../src/infer/contract/modelCard';
import { type FoldResult, decide } from '../../src/trainer/crossval/folds';
import { writePhantomCase } from '../../scripts/make-phantom-cases';

const fold = (heldOut: string, plain: number, mirror: number, lcc: Record<string, number | null>, base: Record<string, number | null>): FoldResult => ({
  heldOut, scored: [1, 2], trainSeconds: 0,
  dice: { plain: { liver: plain, spleen: plain }, mirror: { liver: mirror, spleen: mirror, ...base }, 'mirror+lcc': lcc },
});

describe('decide (nnU-Net\'s rule)', () => {
  it('turns mirroring on when it does not lower the mean, and keeps the largest component only where it does not hurt', () => {
    const d = decide([
      fold('a', 0.6, 0.7, { liver: 0.8, spleen: 0.5 }, { liver: 0.7, spleen: 0.7 }),
      fold('b', 0.5, 0.6, { liver: 0.7, spleen: 0.6 }, { liver: 0.6, spleen: 0.6 }),
    ], ['liver', 'spleen']);
    expect(d.mirror).toBe(true);
    expect(d.largestComponent).toEqual(['liver']);
    expect(decide([fold('a', 0.7, 0.6, {}, {})], ['liver']).mirror).toBe(false);
    // A tie is no evidence: no largest-component step for an organ both ways at 0.
    expect(decide([fold('a', 0.5, 0.5, { liver: 0, spleen: 0.4 }, { liver: 0, spleen: 0.3 })], ['liver', 'spleen']).largestComponent).toEqual(['spleen']);
  });
});

describe('npm run crossval -- --quick', () => {
  it('holds out each labelled patient once and writes summaries, the table and the card\'s defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossval-test-'));
    const data = join(dir, 'data');
    for (const s of [1, 2, 3]) writePhantomCase(data, s, [48, 40, 24], [4, 4, 4]);
    // A case with no organ: air and soft tissue, an all-zero label map.
    const dims: Vec3 = [48, 40, 24];
    const header = makeNiftiHeader(dims, [4, 4, 4]);
    writeFileSync(join(data, 'empty_ct.nii.gz'), writeNiftiFloat(Float32Array.from({ length: 48 * 40 * 24 }, (_, i) => (i % 48 > 10 && i % 48 < 38 ? 30 : -1000)), { dims, header }, { gzip: true }));
    writeFileSync(join(data, 'empty_seg.nii.gz'), writeNifti(new Uint8Array(48 * 40 * 24), { dims, header }, { gzip: true }));
    const card = join(dir, 'card.json');
    copyFileSync('models/fine-tiny.json', card);
    const out = join(dir, 'cv');
    const r = spawnSync('npx', ['tsx', 'src/trainer/crossval/cli.ts', '--quick', '--data', data, '--out', out, '--card', card, '--silver', 'phantom1'], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 fold\(s\) \(phantom1, phantom2, phantom3 held out in turn\), negatives always trained: empty/);
    for (const p of ['phantom1', 'phantom2', 'phantom3']) {
      for (const mode of ['plain', 'mirror', 'mirror_lcc']) {
        const s = JSON.parse(readFileSync(join(out, `fold_${p}`, `pred_${mode}`, 'summary.json'), 'utf8')) as { metric_per_case: { case: string }[]; foreground_mean: { DSC: number | null } };
        expect(s.metric_per_case.map((c) => c.case)).toEqual([p]);
        expect(s.foreground_mean.DSC).toBeGreaterThanOrEqual(0);
        expect(s.foreground_mean.DSC).toBeLessThanOrEqual(1);
      }
    }
    const md = readFileSync(join(out, 'crossval.md'), 'utf8');
    expect(md).toMatch(/\| organ \| phantom1 \(silver\) \| phantom2 \| phantom3 \|/);
    expect(md).toMatch(/^\| liver \|( \d\.\d\d \|){3}$/m);
    const written = JSON.parse(readFileSync(card, 'utf8')) as ModelCard;
    expect(typeof written.inference?.mirror).toBe('boolean');
    expect(written.training.crossValidation?.folds.map((f) => f.heldOut)).toEqual(['phantom1', 'phantom2', 'phantom3']);
    // A second run keeps the finished folds.
    const again = spawnSync('npx', ['tsx', 'src/trainer/crossval/cli.ts', '--quick', '--data', data, '--out', out], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/fold phantom2: kept from an earlier run/);
    // Folds of another run join the table and the decision, each marked with its run.
    const pooled = spawnSync('npx', ['tsx', 'src/trainer/crossval/cli.ts', '--quick', '--data', data, '--out', join(dir, 'cv2'), '--folds', 'phantom1', '--pool', out], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    expect(pooled.status, pooled.stderr).toBe(0);
    expect(pooled.stdout).toMatch(/\| organ \| phantom1 \[1\] \| phantom1 \[2\] \| phantom2 \[2\] \| phantom3 \[2\] \|/);
    expect((JSON.parse(readFileSync(join(dir, 'cv2', 'crossval.json'), 'utf8')) as { folds: unknown[]; pooled: number })).toMatchObject({ pooled: 3 });
    expect(existsSync(join(out, 'crossval.json'))).toBe(true);
  }, 240_000);
});
