/** Result slice: the labels of the last segmentation, their table, organ volumes, warnings and the legend. */
import type { LabelInfo } from '../../infer/contract/modelCard';
import type { LabelView } from '../ctWindow';
import type { WorkbenchStore } from './store';
import { reviewCleared } from './review';

export type { LabelView } from '../ctWindow';

export interface ResultState {
  labels: Uint8Array | null;
  /** Label ids and names of the model that produced `labels`. */
  labelInfo: LabelInfo[];
  volumesMl: Record<number, number>;
  legend: Record<number, LabelView>;
  /** Warnings that came with the current result (applicability checks), not already in `warnings` or `volumeChecks`. */
  resultWarnings: string[];
  /** The model of the result shown. */
  resultModel: string | null;
  /** The model's own labels before any correction (the same array until one is saved); null when no model made the labels. */
  modelLabels: Uint8Array | null;
}

/** No result (the legend's per-label choices stay for the next one). */
export const resultCleared: Omit<ResultState, 'legend'> = { labels: null, labelInfo: [], volumesMl: {}, resultWarnings: [], resultModel: null, modelLabels: null };

export const resultInitial: ResultState = { ...resultCleared, legend: {} };

export function segmentationDone(s: WorkbenchStore, labels: Uint8Array, labelInfo: LabelInfo[], volumesMl: Record<number, number>, warnings: string[] = []): void {
  const st = s.getState();
  const legend: Record<number, LabelView> = {};
  for (const l of labelInfo) if (l.id !== 0) legend[l.id] = st.legend[l.id] ?? { visible: true, opacity: 0.6 };
  const total = st.progress.total;
  s.setState({
    status: 'done',
    labels,
    modelLabels: labels,
    labelInfo,
    volumesMl,
    legend,
    resultModel: st.runModel,
    resultWarnings: [...new Set(warnings)].filter((w) => !st.warnings.includes(w) && !st.volumeChecks.includes(w)),
    progress: { done: total, total, etaSeconds: 0 },
  });
}

/**
 * Labels read from a file (a DICOM SEG) become the result to review and correct: no model ran, so
 * `resultModel` names the model the file says made them when it is one of ours, else null.
 */
export function labelsLoaded(s: WorkbenchStore, labels: Uint8Array, labelInfo: LabelInfo[], volumesMl: Record<number, number>, model: string | null): void {
  const st = s.getState();
  const legend: Record<number, LabelView> = {};
  for (const l of labelInfo) if (l.id !== 0) legend[l.id] = st.legend[l.id] ?? { visible: true, opacity: 0.6 };
  s.setState({ status: 'done', error: null, labels, modelLabels: null, labelInfo, volumesMl, legend, resultModel: model, resultWarnings: [], ...reviewCleared, pendingSegs: null });
}

export function setLabelVisible(s: WorkbenchStore, id: number, visible: boolean): void {
  const legend = s.getState().legend;
  if (!legend[id]) return;
  s.setState({ legend: { ...legend, [id]: { ...legend[id], visible } } });
}

export function setLabelOpacity(s: WorkbenchStore, id: number, opacity: number): void {
  const legend = s.getState().legend;
  if (!legend[id]) return;
  s.setState({ legend: { ...legend, [id]: { ...legend[id], opacity: Math.min(1, Math.max(0, opacity)) } } });
}

/** Label-count histogram (index = label value) of the current result, for tests and the legend. */
export function labelHistogram(labels: Uint8Array): number[] {
  const h = new Array<number>(256).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]]++;
  let last = 255;
  while (last > 0 && h[last] === 0) last--;
  return h.slice(0, last + 1);
}
