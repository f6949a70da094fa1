/**
 * Adaptation speed and memory, Chromium against Node, on the same corrected phantom and steps: the page
 * (WASM, the app's thread choice) through e2e/adaptBench.spec.ts, Node through `npm run adapt`'s job in a
 * child process (bench/adaptNode.ts). Steps per second count the training steps alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writePhantomCase } from '../scripts/make-phantom-cases';

export interface AdaptFigures {
  model: string;
  steps: number;
  browser: { stepsPerSecond: number; peakMb: number; threads: number } | null;
  node: { stepsPerSecond: number; peakRssMb: number } | null;
}

export function measureAdaptation(dir: string, card: string, steps: number, quick: boolean, failures: string[]): AdaptFigures {
  const data = join(dir, 'adapt');
  for (const d of ['imagesTr', 'labelsTr']) mkdirSync(join(data, d), { recursive: true });
  const { ct, seg } = writePhantomCase(join(data, 'src'), 9, quick ? [48, 40, 24] : [96, 80, 48], [3, 3, 3]);
  renameSync(ct, join(data, 'imagesTr', 'phantom9_0000.nii.gz'));
  renameSync(seg, join(data, 'labelsTr', 'phantom9.nii.gz'));
  const model = card.replace(/^models\/|\.json$/g, '');
  const r = spawnSync('npx', ['playwright', 'test', 'e2e/adaptBench.spec.ts'], { encoding: 'utf8', env: { ...process.env, FINE_ADAPT_DATA: data, FINE_ADAPT_MODEL: model, FINE_ADAPT_STEPS: String(steps) } });
  if (r.status !== 0) {
    console.log(`adaptBench spec failed:\n${r.stdout.slice(-2000)}${r.stderr.slice(-1000)}`);
    failures.push('the adaptation bench spec');
  }
  const m = /adapt bench: (.*)$/m.exec(r.stdout);
  const browser = m ? (JSON.parse(m[1]) as AdaptFigures['browser']) : null;
  let node: AdaptFigures['node'] = null;
  try {
    const out = execFileSync('npx', ['tsx', 'bench/adaptNode.ts', card, data, String(steps), join(dir, 'adapt-out')], { encoding: 'utf8' });
    node = JSON.parse(out.trim().split('\n').pop()!) as AdaptFigures['node'];
  } catch (e) {
    console.log(`adaptation in Node failed: ${(e as Error).message}`);
    failures.push('the adaptation in Node');
  }
  return { model, steps, browser, node };
}
