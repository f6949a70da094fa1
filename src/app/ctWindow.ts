/** CT display windows (width / level in HU) and the label colour table built from a model card. */
import type { LabelInfo } from '../infer/contract/modelCard';
import type { LabelView } from './store';

export const CT_WINDOWS = Object.freeze({
  abdomen: { width: 400, level: 40 },
  bone: { width: 1800, level: 400 },
  lung: { width: 1500, level: -600 },
} as const);
export type CtWindowName = keyof typeof CT_WINDOWS;

/** Display range [min, max] of a window: level -/+ width / 2. Abdomen W400/L40 gives [-160, 240]. */
export function windowRange(name: CtWindowName): [number, number] {
  const w = CT_WINDOWS[name];
  return [w.level - w.width / 2, w.level + w.width / 2];
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
    cm.R.push(l.color[0]);
    cm.G.push(l.color[1]);
    cm.B.push(l.color[2]);
    cm.A.push(l.id === 0 || !view || !view.visible ? 0 : Math.round(255 * view.opacity));
    cm.I.push(l.id);
    cm.labels.push(l.name);
  }
  return cm;
}
