/**
 * Folder mode: every NIfTI CT in a folder, segmented by a pool of worker threads that share the CPU
 * (each gets cores / jobs onnxruntime threads). Outputs keep the input's file name in the output
 * folder; an output that already exists is complete (written atomically) and is skipped, so an
 * interrupted job resumes where it stopped. At the end `volumes.csv` lists the organ volumes of every
 * output in the folder, those of earlier runs included.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { LabelInfo } from '../contract/modelCard';
import { organVolumesMl } from '../eval/metrics';
import { NIFTI_NAME, niftiStem, readNifti } from '../io/nifti';
import { tsWorker } from '../../util/tsWorker';
import type { FileResult } from './segmentFile';
import { writeAtomically } from './segmentFile';
import { labelIds } from '../contract/labels';


export interface FolderPlan {
  /** [input, output] pairs still to do. */
  todo: [string, string][];
  /** Inputs whose output already exists. */
  done: string[];
}

export function planFolder(inputDir: string, outputDir: string): FolderPlan {
  const files = readdirSync(inputDir).filter((f) => NIFTI_NAME.test(f)).sort();
  if (!files.length) throw new Error(`${inputDir}: no .nii or .nii.gz files in this folder`);
  const plan: FolderPlan = { todo: [], done: [] };
  for (const f of files) {
    const out = join(outputDir, f.endsWith('.gz') ? f : `${f}.gz`);
    if (existsSync(out)) plan.done.push(f);
    else plan.todo.push([join(inputDir, f), out]);
  }
  return plan;
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `volumes.csv`: one row per label map in the folder, one column per organ (mL). */
export function volumesCsv(outputDir: string, labels: readonly LabelInfo[]): string {
  const organs = labels.filter((l) => l.id !== 0);
  const rows = [['scan', ...organs.map((l) => `${l.name}_ml`)].join(',')];
  for (const f of readdirSync(outputDir).filter((x) => NIFTI_NAME.test(x)).sort()) {
    const v = readNifti(new Uint8Array(readFileSync(join(outputDir, f))), f);
    const ml = organVolumesMl(labelIds(v.data, f), v.spacing, organs.map((l) => l.id));
    rows.push([csvCell(niftiStem(f)), ...organs.map((l) => (ml[l.id] ?? 0).toFixed(1))].join(','));
  }
  return `${rows.join('\n')}\n`;
}

export interface FolderOptions {
  cardPath: string;
  labels: readonly LabelInfo[];
  jobs: number;
  log: (line: string) => void;
  warn: (line: string) => void;
  /** Mirroring and post-processing switches (undefined: the card's defaults). */
  inference?: { mirror?: boolean; postprocess?: boolean };
}

type Reply = { input: string; result?: FileResult; error?: string };

export async function segmentFolder(inputDir: string, outputDir: string, opts: FolderOptions): Promise<{ done: number; failed: string[] }> {
  mkdirSync(outputDir, { recursive: true });
  const plan = planFolder(inputDir, outputDir);
  const total = plan.todo.length + plan.done.length;
  if (plan.done.length) opts.log(`resuming: ${plan.done.length} of ${total} scans already have an output in ${outputDir}`);
  const jobs = Math.max(1, Math.min(opts.jobs, plan.todo.length));
  const threads = Math.max(1, Math.floor(availableParallelism() / jobs));
  const queue = [...plan.todo];
  const running = new Set<string>();
  const failed: string[] = [];
  let finished = 0;
  const t0 = performance.now();
  const progress = (what: string) => {
    const elapsed = (performance.now() - t0) / 1000;
    const left = queue.length + running.size;
    const eta = finished ? Math.round((elapsed / finished) * left) : NaN;
    const now = [...running].map((f) => basename(f)).join(', ') || '-';
    opts.log(`[${plan.done.length + finished}/${total}] ${what}; running: ${now}; ETA ${Number.isNaN(eta) ? '?' : `${eta} s`}`);
  };
  opts.log(`${plan.todo.length} scan(s) to segment with ${jobs} worker(s) x ${threads} thread(s)`);
  const worker = async (): Promise<void> => {
    const w = tsWorker(new URL('./segmentWorker.ts', import.meta.url), { cardPath: opts.cardPath, threads, inference: opts.inference ?? {} });
    const ask = (input: string, output: string) => new Promise<Reply>((resolve, reject) => {
      const onMsg = (m: Reply) => { if (m.input === input) { w.off('message', onMsg); w.off('error', reject); resolve(m); } };
      w.on('message', onMsg);
      w.once('error', reject);
      w.postMessage({ input, output });
    });
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [input, output] = next;
        running.add(input);
        progress(`started ${basename(input)}`);
        const r = await ask(input, output);
        running.delete(input);
        finished++;
        if (r.error) {
          failed.push(basename(input));
          opts.warn(`error: ${basename(input)}: ${r.error}`);
          progress(`failed ${basename(input)}`);
        } else {
          for (const line of r.result?.warnings ?? []) opts.warn(`warning: ${basename(input)}: ${line}`);
          progress(`done ${basename(input)} (${r.result?.seconds.toFixed(1)} s)`);
        }
      }
    } finally {
      w.postMessage('close');
      await new Promise((res) => w.once('exit', res));
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  writeAtomically(join(outputDir, 'volumes.csv'), volumesCsv(outputDir, opts.labels));
  const seconds = (performance.now() - t0) / 1000;
  opts.log(`segmented ${finished - failed.length} scan(s) in ${seconds.toFixed(1)} s (${((finished / seconds) * 60).toFixed(2)} scans/min); ${failed.length} failed; volumes in ${join(outputDir, 'volumes.csv')}`);
  return { done: finished - failed.length, failed };
}
