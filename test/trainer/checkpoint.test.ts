import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, checkCompatible, loadCheckpoint, saveCheckpoint } from '../../src/trainer/checkpoint';
import { writePhantomCase } from '../../scripts/make-phantom-cases';

const meta = { config: { a: 1 }, step: 7, seed: 1, optimizer: 'adamw', seenCounts: [1, 0], curve: [{ step: 5, loss: 1.5 }], seconds: 3 };

describe('checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fine-ckpt-'));
  const file = join(dir, 'x.ckpt');
  const params = new Map([['w', Float32Array.from([1, 2, 3])]]);
  const opt = new Map([['m.w', Float32Array.from([0.5, 0.25, 0])]]);

  it('round-trips parameters, optimizer state and metadata', () => {
    saveCheckpoint(file, meta, params, opt);
    const ck = loadCheckpoint(file);
    expect(ck.meta).toEqual(meta);
    expect(ck.params.get('w')).toEqual(params.get('w'));
    expect(ck.optState.get('m.w')).toEqual(opt.get('m.w'));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses corrupt, truncated, foreign and mismatched checkpoints with a clear message', () => {
    saveCheckpoint(file, meta, params, opt);
    const bytes = readFileSync(file);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 2] ^= 0xff;
    writeFileSync(join(dir, 'flip.ckpt'), flipped);
    expect(() => loadCheckpoint(join(dir, 'flip.ckpt'))).toThrow(/checksum mismatch/);
    writeFileSync(join(dir, 'short.ckpt'), bytes.subarray(0, bytes.length - 4));
    expect(() => loadCheckpoint(join(dir, 'short.ckpt'))).toThrow(/payload has \d+ bytes/);
    writeFileSync(join(dir, 'foreign.ckpt'), 'hello world, not a checkpoint');
    expect(() => loadCheckpoint(join(dir, 'foreign.ckpt'))).toThrow(/bad magic/);
    expect(() => loadCheckpoint(join(dir, 'none.ckpt'))).toThrow(CheckpointError);
    const ck = loadCheckpoint(file);
    expect(() => checkCompatible(file, ck, { a: 2 }, params)).toThrow(/trained with config \{"a":1\}/);
    expect(() => checkCompatible(file, ck, { a: 1 }, new Map([['w', new Float32Array(4)]]))).toThrow(/parameter 'w' is 3 values, this model needs 4/);
  });

  it('a training run killed with SIGKILL resumes from its last checkpoint', async () => {
    writePhantomCase(join(dir, 'data'), 3, [48, 40, 24]);
    const out = join(dir, 'run', 'k');
    const args = ['tsx', 'src/trainer/cli.ts', '--data', join(dir, 'data'), '--preset', 'tiny', '--spacing', '4,4,4', '--out', out, '--ckpt-every', '10', '--val-every', '100000', '--threads', '1'];
    const child = spawn('npx', [...args, '--steps', '100000'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (/step 30\//.test(log)) {
          clearInterval(t);
          process.kill(-(child.pid as number), 'SIGKILL');
          resolve();
        }
      }, 100);
      child.on('exit', () => {
        clearInterval(t);
        if (!/step 30\//.test(log)) reject(new Error(`training exited early: ${log}`));
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = Number(/step (\d+)\/\d+/g.exec(log.split('\n').filter((l) => l.startsWith('step')).pop() ?? '')?.[1]);
    const res = spawnSync('npx', [...args, '--steps', '60', '--resume'], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const resumedAt = Number(/resumed from .* at step (\d+)/.exec(res.stdout)?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(killedAt - 10);
    expect(resumedAt % 10).toBe(0);
    expect(res.stdout).toMatch(/step 60\/60/);
  }, 180_000);
});
