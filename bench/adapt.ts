/**
 * Adaptation speed and memory, Chromium against Node, on the same corrected phantom and steps: the page
 * (WASM, the app's thread choice) through e2e/adaptBench.spec.ts (run with the bench's other browser
 * specs), Node through `npm run adapt`'s job in a child process (bench/adaptNode.ts). Steps per second
 * count the training steps alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writePhantomCase } from '../scripts/make-phantom-cases';

export interface AdaptFigures {
  model: string;
  steps: number;
  browser: { stepsPerSecond: number; peakMb: number; threads: number } | null;
  node: { stepsPerSecond: number; peakRssMb: number } | null;
}

/** A corrected phantom in nnU-Net layout (imagesTr, labelsTr): the page and Node learn the same scan. */
export function adaptationData(dir: string, quick: boolean): string {
  const data = join(dir, 'adapt');
  for (const d of ['imagesTr', 'labelsTr']) mkdirSync(join(data, d), { recursive: true });
  const { ct, seg } = writePhantomCase(join(data, 'src'), 9, quick ? [48, 40, 24] : [96, 80, 48], [3, 3, 3]);
  renameSync(ct, join(data, 'imagesTr', 'phantom9_0000.nii.gz'));
  renameSync(seg, join(data, 'labelsTr', 'phantom9.nii.gz'));
  return data;
}

/** What e2e/adaptBench.spec.ts reads from the environment. */
export function adaptBenchEnv(data: string, card: string, steps: number): Record<string, string> {
  return { FINE_ADAPT_DATA: data, FINE_ADAPT_MODEL: card.replace(/^models\/|\.json$/g, ''), FINE_ADAPT_STEPS: String(steps) };
}

/** The page's figures from the bench specs' output (`specs`), and the same steps in Node. */
export function measureAdaptation(specs: string, data: string, dir: string, card: string, steps: number, failures: string[]): AdaptFigures {
  const m = /adapt bench: (.*)$/m.exec(specs);
  const browser = m ? (JSON.parse(m[1]) as AdaptFigures['browser']) : null;
  let node: AdaptFigures['node'] = null;
  try {
    const out = execFileSync('npx', ['tsx', 'bench/adaptNode.ts', card, data, String(steps), join(dir, 'adapt-out')], { encoding: 'utf8' });
    node = JSON.parse(out.trim().split('\n').pop()!) as AdaptFigures['node'];
  } catch (e) {
    console.log(`adaptation in Node failed: ${(e as Error).message}`);
    failures.push('the adaptation in Node');
  }
  return { model: card.replace(/^models\/|\.json$/g, ''), steps, browser, node };
}
