/** The ablation's rows and how they are written: a markdown table, JSON, and an SVG of mean Dice against parameters. */
import { NETWORK_KINDS, OFFICIAL_SWITCHES } from '../../model';
import type { TaskName } from './tasks';

/**
 * Rows beside the six networks: `fine-official` is FINE with every switch at the official code's
 * behaviour (src/model/fineConfig.ts) and depth 2 per stage as the official code has it (with one block
 * per stage and the official order, the G-MSA output would never reach the logits); `fine-depth2` is
 * this project's FINE at that depth, to tell the switches' effect from the depth's.
 */
export const EXTRA_ROWS: Readonly<Record<string, Record<string, unknown>>> = {
  'fine-official': { variant: 'fine', ...OFFICIAL_SWITCHES, depths: [2, 2] },
  'fine-depth2': { variant: 'fine', depths: [2, 2] },
};

export const ROW_NAMES: readonly string[] = [...NETWORK_KINDS, ...Object.keys(EXTRA_ROWS)];

/** Config overrides of a row: its network, plus the extra row's switches. */
export function rowConfigOverrides(name: string): Record<string, unknown> {
  return EXTRA_ROWS[name] ?? { variant: name };
}

export interface RowSpec {
  task: TaskName;
  network: string;
  preset: string;
  /** Patch override (x, y, z); undefined: the preset's. */
  patch?: [number, number, number];
  steps: number;
  lr: number;
  seed: number;
  spacing: [number, number, number];
  outDir: string;
  dataDir: string;
  trainCases: number;
  testCases: number;
  /** Overrides of the training recipe (src/trainer/config.ts), e.g. to match rows trained before a recipe change. */
  trainConfig?: Record<string, unknown>;
}

export interface AblationRow {
  task: TaskName;
  network: string;
  preset: string;
  steps: number;
  patch: [number, number, number];
  /** Mean over the test cases per label; null where no test case holds the label. */
  dice: Record<string, number | null>;
  meanDice: number;
  /** Mean HD95 (mm) over labels; null when no label had a finite one. */
  meanHd95: number | null;
  parameters: number;
  onnxMb: number;
  trainMsPerStep: number;
  trainSeconds: number;
  /** Seconds per test case, sliding window on onnxruntime-node (2 threads). */
  inferSeconds: number;
  /** Peak resident memory of the process that trained and tested this row, MB. */
  peakMb: number;
  perCase: { case: string; meanDice: number; dice: Record<string, number | null>; hd95: Record<string, number | null> }[];
}

const f = (v: number | null, d = 3): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(d));

export const TASK_TITLES: Record<TaskName, string> = {
  context: '(a) Synthetic context task: blob_left and blob_right look identical and differ only by their side of the body',
  ct: '(b) Real CT: trained on caseA, tested on caseB (silver-standard labels: another model\'s output)',
};

/** One markdown table per task. */
export function markdownTable(rows: readonly AblationRow[], task: TaskName): string {
  const rs = rows.filter((r) => r.task === task);
  if (!rs.length) return `### ${TASK_TITLES[task]}\n\nNot run: ${task === 'ct' ? '../shared/data was not found' : 'no rows'}.\n`;
  const organs = Object.keys(rs[0].dice);
  const head = ['network', ...organs.map((o) => `Dice ${o}`), 'mean Dice', 'HD95 mm', 'parameters', 'ONNX MB', 'train ms/step', 'inference s/case', 'peak MB'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rs) {
    lines.push(`| ${[r.network, ...organs.map((o) => f(r.dice[o])), f(r.meanDice), f(r.meanHd95, 1), r.parameters.toLocaleString('en-US'), f(r.onnxMb, 2), f(r.trainMsPerStep, 0), f(r.inferSeconds, 2), f(r.peakMb, 0)].join(' | ')} |`);
  }
  const r0 = rs[0];
  return `### ${TASK_TITLES[task]}\n\n${r0.steps} steps per network, patch ${r0.patch.join('x')} (${r0.preset} presets), the same training recipe for all.\n\n${lines.join('\n')}\n`;
}

/** Mean Dice against parameters (log scale), one colour per task. */
export function dicePlotSvg(rows: readonly AblationRow[]): string {
  const W = 640, H = 400, L = 70, R = 170, T = 30, B = 50;
  const ps = rows.map((r) => r.parameters);
  const lo = Math.log10(Math.min(...ps) / 1.5), hi = Math.log10(Math.max(...ps) * 1.5);
  const x = (p: number): number => L + ((Math.log10(p) - lo) / (hi - lo)) * (W - L - R);
  const y = (d: number): number => T + (1 - d) * (H - T - B);
  const colours: Record<TaskName, string> = { context: '#d62728', ct: '#1f77b4' };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<line x1="${L}" y1="${y(0)}" x2="${W - R}" y2="${y(0)}" stroke="black"/><line x1="${L}" y1="${y(0)}" x2="${L}" y2="${y(1)}" stroke="black"/>`,
  ];
  for (let d = 0; d <= 1.0001; d += 0.25) parts.push(`<text x="${L - 8}" y="${y(d) + 4}" text-anchor="end">${d.toFixed(2)}</text><line x1="${L}" y1="${y(d)}" x2="${W - R}" y2="${y(d)}" stroke="#ddd"/>`);
  for (let e = Math.ceil(lo); e <= hi; e++) parts.push(`<text x="${x(10 ** e)}" y="${y(0) + 18}" text-anchor="middle">1e${e}</text>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">parameters (log scale)</text>`);
  parts.push(`<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">mean Dice on the test cases</text>`);
  for (const r of rows) {
    parts.push(`<circle cx="${x(r.parameters).toFixed(1)}" cy="${y(r.meanDice).toFixed(1)}" r="5" fill="${colours[r.task]}"/>`);
    parts.push(`<text x="${(x(r.parameters) + 8).toFixed(1)}" y="${(y(r.meanDice) + 4).toFixed(1)}">${r.network}</text>`);
  }
  (Object.keys(colours) as TaskName[]).forEach((t, i) => {
    parts.push(`<circle cx="${W - R + 20}" cy="${T + 10 + 20 * i}" r="5" fill="${colours[t]}"/><text x="${W - R + 30}" y="${T + 14 + 20 * i}">${t === 'context' ? 'context task' : 'caseA -> caseB'}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
