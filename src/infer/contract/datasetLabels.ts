/**
 * The label table of an nnU-Net dataset.json as the project's `LabelInfo[]`: ids and names from its
 * `labels` field (v2: `{"background": 0, "spleen": 1}`; v1: `{"0": "background", "1": "spleen"}`),
 * colours and left-right mirror partners from the names. Pure (no file access), so the trainer
 * (src/trainer/dataset.ts) and `npm run evaluate` read a dataset's labels the same way.
 */
import { CASE_LABELS } from './labels';
import type { LabelInfo } from './modelCard';

type Rgb = [number, number, number];

export class DatasetLabelsError extends Error {
  override name = 'DatasetLabelsError';
}

/**
 * Default colours for labels that are not one of the built-in organs: Kenneth L. Kelly's 22 colours of
 * maximum contrast (Color Engineering 3(6), 1965) without white and black, in Kelly's order (each colour
 * chosen to contrast with those before it), as the sRGB values commonly tabulated for them (vivid yellow
 * #F3C300, strong purple #875692, vivid orange #F38400, ...). `labelsFromDataset` picks for each label
 * the first unused colour that stands apart from its neighbouring ids' colours.
 */
export const DEFAULT_PALETTE: readonly Rgb[] = [
  [0xf3, 0xc3, 0x00], [0x87, 0x56, 0x92], [0xf3, 0x84, 0x00], [0xa1, 0xca, 0xf1], [0xbe, 0x00, 0x32],
  [0xc2, 0xb2, 0x80], [0x84, 0x84, 0x82], [0x00, 0x88, 0x56], [0xe6, 0x8f, 0xac], [0x00, 0x67, 0xa5],
  [0xf9, 0x93, 0x79], [0x60, 0x4e, 0x97], [0xf6, 0xa6, 0x00], [0xb3, 0x44, 0x6c], [0xdc, 0xd3, 0x00],
  [0x88, 0x2d, 0x17], [0x8d, 0xb6, 0x00], [0x65, 0x45, 0x22], [0xe2, 0x58, 0x22], [0x2b, 0x3d, 0x26],
];

/** Colour distance on the "redmean" scale (0..765): a cheap approximation of perceived difference. */
export function colourDistance(a: readonly number[], b: readonly number[]): number {
  const rm = (a[0] + b[0]) / 2;
  const dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];
  return Math.sqrt((2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db);
}

/** Neighbouring ids' colours closer than this count as hard to tell apart. */
export const MIN_NEIGHBOUR_DISTANCE = 150;

/** Other spellings of the built-in organs seen in public datasets (AMOS 2022: "gall bladder", "arota", "postcava"). */
const ALIASES: Readonly<Record<string, string>> = {
  'gall bladder': 'gallbladder',
  arota: 'aorta',
  postcava: 'inferior vena cava',
  ivc: 'inferior vena cava',
};

const SIDES: Readonly<Record<string, 'left' | 'right'>> = { left: 'left', l: 'left', right: 'right', r: 'right' };

/**
 * A label name split into its side (a word left/right/L/R, as in `kidney_left`, `left adrenal gland`,
 * `Kidney (L)`) and the rest (lower case, words joined by one space, known aliases resolved).
 */
export function nameParts(name: string): { base: string; side?: 'left' | 'right' } {
  const words = name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const sides = words.filter((w) => w in SIDES);
  if (sides.length !== 1) return { base: ALIASES[words.join(' ')] ?? words.join(' ') };
  const rest = words.filter((w) => !(w in SIDES)).join(' ');
  return { base: ALIASES[rest] ?? rest, side: SIDES[sides[0]] };
}

const key = (p: { base: string; side?: string }) => `${p.base}|${p.side ?? ''}`;
const BUILT_IN = new Map(CASE_LABELS.filter((l) => l.id > 0).map((l) => [key(nameParts(l.name)), l.color]));

/**
 * Mirror partners by name: two labels whose names differ only by left/right are each other's
 * `mirror`. A name whose side-free part and side are shared with another label gets no partner.
 */
export function mirrorPartners(labels: readonly { id: number; name: string }[]): Map<number, number> {
  const byKey = new Map<string, number[]>();
  for (const l of labels) {
    const p = nameParts(l.name);
    if (p.side) byKey.set(key(p), [...(byKey.get(key(p)) ?? []), l.id]);
  }
  const out = new Map<number, number>();
  for (const l of labels) {
    const p = nameParts(l.name);
    if (!p.side) continue;
    const mine = byKey.get(key(p)) ?? [];
    const other = byKey.get(key({ base: p.base, side: p.side === 'left' ? 'right' : 'left' })) ?? [];
    if (mine.length === 1 && other.length === 1) out.set(l.id, other[0]);
  }
  return out;
}

/**
 * Colours: a built-in organ's colour (CASE_LABELS) where the name is one of those organs, else the
 * first palette colour not yet used (the palette restarts when all are used) that is at least
 * MIN_NEIGHBOUR_DISTANCE from the colours of ids id-1 and id+1 already fixed; failing that, the unused
 * one farthest from them.
 */
function colours(labels: readonly { id: number; name: string }[]): Rgb[] {
  const fixed: (Rgb | undefined)[] = labels.map((l) => (l.id === 0 ? [0, 0, 0] : BUILT_IN.get(key(nameParts(l.name)))));
  let used = new Set<number>();
  for (let i = 1; i < labels.length; i++) {
    if (fixed[i]) continue;
    if (used.size === DEFAULT_PALETTE.length) used = new Set();
    const neighbours = [fixed[i - 1], fixed[i + 1]].filter((c): c is Rgb => c !== undefined && (c[0] | c[1] | c[2]) !== 0);
    const spread = (c: Rgb) => Math.min(Infinity, ...neighbours.map((n) => colourDistance(c, n)));
    const free = DEFAULT_PALETTE.map((_, j) => j).filter((j) => !used.has(j));
    const j = free.find((k) => spread(DEFAULT_PALETTE[k]) >= MIN_NEIGHBOUR_DISTANCE)
      ?? free.reduce((a, b) => (spread(DEFAULT_PALETTE[b]) > spread(DEFAULT_PALETTE[a]) ? b : a));
    used.add(j);
    fixed[i] = [...DEFAULT_PALETTE[j]];
  }
  return fixed.map((c) => [...(c as Rgb)] as Rgb);
}

/**
 * `LabelInfo[]` from a parsed dataset.json (`file` names it in errors). Ids must be 0..N-1 without
 * gaps (background 0), names unique; nnU-Net's region-based labels and its "ignore" label are refused.
 */
export function labelsFromDataset(json: unknown, file: string): LabelInfo[] {
  const fail = (what: string): never => {
    throw new DatasetLabelsError(`${file}: ${what}`);
  };
  const raw = (json as { labels?: unknown } | null)?.labels;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('no "labels" object; expected e.g. "labels": {"background": 0, "liver": 1}');
  const entries = Object.entries(raw as Record<string, unknown>);
  let pairs: { id: number; name: string }[];
  if (entries.length && entries.every(([, v]) => typeof v === 'string')) {
    // nnU-Net v1: {"0": "background", "1": "spleen"}
    pairs = entries.map(([k, v]) => {
      if (!/^\d+$/.test(k)) fail(`"labels" key "${k}" is not a label id; nnU-Net v1 labels map ids to names, {"0": "background", "1": "spleen"}`);
      return { id: Number(k), name: v as string };
    });
  } else {
    // nnU-Net v2: {"background": 0, "spleen": 1}
    pairs = entries.map(([k, v]) => {
      if (Array.isArray(v)) fail(`label "${k}" is a region (${JSON.stringify(v)}); region-based labels are not supported, give one id per label`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(`label "${k}" has id ${JSON.stringify(v)}; expected an integer >= 0 ("labels": {"background": 0, "liver": 1})`);
      return { id: v as number, name: k };
    });
  }
  if (pairs.length < 2) fail(`"labels" lists ${pairs.length} label(s); expected background and at least one organ`);
  if (pairs.length > 256) fail(`"labels" lists ${pairs.length} labels; label maps hold at most 256 (ids 0..255)`);
  const ignore = pairs.find((p) => p.name.toLowerCase() === 'ignore');
  if (ignore) fail(`label "ignore" (id ${ignore.id}): nnU-Net's ignore label for sparse annotation is not supported`);
  pairs.sort((a, b) => a.id - b.id);
  const twice = pairs.findIndex((p, i) => i > 0 && p.id === pairs[i - 1].id);
  if (twice > 0) fail(`label id ${pairs[twice].id} is given twice ("${pairs[twice - 1].name}" and "${pairs[twice].name}")`);
  const gap = pairs.findIndex((p, i) => p.id !== i);
  if (gap >= 0) fail(`label ids must be 0..${pairs.length - 1} without gaps (background 0); got ${pairs.map((p) => p.id).join(', ')}: ${gap} is missing`);
  const seen = new Map<string, number>();
  for (const p of pairs) {
    if (!p.name.trim()) fail(`label ${p.id} has an empty name`);
    const prev = seen.get(p.name);
    if (prev !== undefined) fail(`label name "${p.name}" is used by ids ${prev} and ${p.id}; names must be unique`);
    seen.set(p.name, p.id);
  }
  const mirror = mirrorPartners(pairs);
  const colour = colours(pairs);
  return pairs.map((p, i) => ({ id: p.id, name: p.name, color: colour[i], ...(mirror.has(p.id) ? { mirror: mirror.get(p.id) } : {}) }));
}
