/** CT display windows (width / level in HU) and the label colour table built from a model card. */
import type { LabelInfo } from '../infer/contract/modelCard';

/** How one label is drawn over the CT. */
export interface LabelView {
  visible: boolean;
  /** 0..1 */
  opacity: number;
}

export const CT_WINDOWS = Object.freeze({
  abdomen: { width: 400, level: 40 },
  bone: { width: 1800, level: 400 },
  lung: { width: 1500, level: -600 },
} as const);
export type CtWindowName = keyof typeof CT_WINDOWS;

/** A display window in HU: width and level (centre). */
export interface CtWindow {
  width: number;
  level: number;
}

/** Display range [min, max] of a window: level -/+ width / 2. Abdomen W400/L40 gives [-160, 240]. */
export function windowRange(w: CtWindowName | CtWindow): [number, number] {
  const { width, level } = typeof w === 'string' ? CT_WINDOWS[w] : w;
  return [level - width / 2, level + width / 2];
}

/** The preset a window equals, or null for a custom one. */
export function presetOf(w: CtWindow): CtWindowName | null {
  return (Object.keys(CT_WINDOWS) as CtWindowName[]).find((n) => CT_WINDOWS[n].width === w.width && CT_WINDOWS[n].level === w.level) ?? null;
}

/** A window typed by the user: width at least 1 HU, both within the CT range; NaN keeps the previous value. */
export function clampWindow(w: CtWindow, prev: CtWindow): CtWindow {
  const width = Number.isFinite(w.width) ? Math.min(5000, Math.max(1, Math.round(w.width))) : prev.width;
  const level = Number.isFinite(w.level) ? Math.min(3000, Math.max(-1024, Math.round(w.level))) : prev.level;
  return { width, level };
}

/**
 * The display palette: categorical colours by organ name, so neighbours (liver, right kidney, stomach,
 * aorta, IVC, gallbladder) differ in hue, not just shade. The model cards' own colours are near-identical
 * reds for several of them; organs this table does not name keep the card's colour.
 */
export const DISPLAY_PALETTE: Readonly<Record<string, [number, number, number]>> = Object.freeze({
  liver: [214, 124, 62], // orange-brown
  spleen: [150, 90, 200], // violet
  kidney_right: [40, 170, 80], // green
  kidney_left: [150, 220, 80], // yellow-green
  stomach: [245, 215, 70], // yellow
  pancreas: [245, 140, 200], // pink
  gallbladder: [70, 210, 210], // cyan
  aorta: [225, 30, 40], // red
  inferior_vena_cava: [50, 90, 235], // blue
  portal_vein: [140, 160, 255],
  esophagus: [200, 170, 120],
  duodenum: [255, 170, 110],
  adrenal_gland_right: [170, 110, 70],
  adrenal_gland_left: [120, 70, 40],
});

/** The crosshair: white, a colour no organ, disagreement class or CT grey level at its strength is drawn in (NiiVue's default red is the aorta's). */
export const CROSSHAIR_RGB: readonly [number, number, number] = [255, 255, 255];

/** The colour a label is shown in: the display palette's, else the card's. */
export function displayColor(l: LabelInfo): [number, number, number] {
  return DISPLAY_PALETTE[l.name] ?? l.color;
}

export interface LabelColormap {
  R: number[];
  G: number[];
  B: number[];
  A: number[];
  I: number[];
  labels: string[];
}

/** NiiVue label colormap: one entry per label id; hidden labels and the background get alpha 0. */
export function labelColormap(labels: LabelInfo[], legend: Record<number, LabelView>): LabelColormap {
  const cm: LabelColormap = { R: [], G: [], B: [], A: [], I: [], labels: [] };
  for (const l of [...labels].sort((a, b) => a.id - b.id)) {
    const view = legend[l.id];
    const c = displayColor(l);
    cm.R.push(c[0]);
    cm.G.push(c[1]);
    cm.B.push(c[2]);
    cm.A.push(l.id === 0 || !view || !view.visible ? 0 : Math.round(255 * view.opacity));
    cm.I.push(l.id);
    cm.labels.push(l.name);
  }
  return cm;
}
