/** Folder-mode throughput: the same scan copied `copies` times, segmented with worker pools of 1 and 2. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export function measureFolder(file: string, card: string, copies = 8, pools = [1, 2]): Record<string, number> {
  const dir = 'bench/.folder';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'in'), { recursive: true });
  for (let i = 0; i < copies; i++) copyFileSync(file, join(dir, 'in', `scan${i}.nii.gz`));
  const out: Record<string, number> = {};
  for (const jobs of pools) {
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    const t0 = performance.now();
    const r = spawnSync('npx', ['tsx', 'src/infer/cli/segment.ts', '--input', join(dir, 'in'), '--output', join(dir, 'out'), '--model', card, '--jobs', String(jobs)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`folder mode failed: ${r.stderr}`);
    out[`pool${jobs}ScansPerMinute`] = copies / ((performance.now() - t0) / 60000);
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}
