/** Adaptation slice: teaching the model the user's corrections, its progress, and the outcome to keep or discard. */
import type { AdaptDone, AdaptPhase } from '../protocol';
import type { WorkbenchStore } from './store';
import type { ModelEntry } from './catalogue';

export interface AdaptProgress {
  phase: AdaptPhase;
  step: number;
  steps: number;
  loss: number | null;
  etaSeconds: number | null;
  /** Steps a checkpoint had done when this run resumed from it. */
  resumedAt: number;
}

/** What an adaptation gives back (the adapted model's files, the held-out Dice before and after) and the scan it learned. */
export type AdaptOutcome = AdaptDone & { scan: string };

export interface AdaptState {
  adaptRun: AdaptProgress | null;
  adaptOutcome: AdaptOutcome | null;
  /** One line: why the last adaptation stopped, or what became of its model. */
  adaptNote: string | null;
  /** Steps for the next adaptation (null: the card's default). */
  adaptSteps: number | null;
}

export const adaptInitial: AdaptState = { adaptRun: null, adaptOutcome: null, adaptNote: null, adaptSteps: null };

export function adaptStarted(s: WorkbenchStore, steps: number, resumedAt: number): void {
  s.setState({ adaptRun: { phase: 'preparing', step: resumedAt, steps, loss: null, etaSeconds: null, resumedAt }, adaptOutcome: null, adaptNote: null });
}

/** The run continues from a checkpoint of `step` steps. */
export function adaptResumed(s: WorkbenchStore, step: number): void {
  const r = s.getState().adaptRun;
  if (r) s.setState({ adaptRun: { ...r, step, resumedAt: step } });
}

export function adaptPhased(s: WorkbenchStore, phase: AdaptPhase): void {
  const r = s.getState().adaptRun;
  if (r) s.setState({ adaptRun: { ...r, phase } });
}

export function adaptStepped(s: WorkbenchStore, step: number, loss: number, etaSeconds: number): void {
  const r = s.getState().adaptRun;
  if (r) s.setState({ adaptRun: { ...r, step, loss, etaSeconds } });
}

export function adaptFinished(s: WorkbenchStore, outcome: AdaptOutcome): void {
  s.setState({ adaptRun: null, adaptOutcome: outcome, adaptNote: null });
}

export function adaptStopped(s: WorkbenchStore, note: string): void {
  s.setState({ adaptRun: null, adaptNote: note });
}

export function setAdaptSteps(s: WorkbenchStore, steps: number | null): void {
  s.setState({ adaptSteps: steps });
}

/** The outcome was kept (its model now listed and chosen) or discarded. */
export function adaptClosed(s: WorkbenchStore, note: string): void {
  s.setState({ adaptOutcome: null, adaptNote: note });
}

/** A user model (adapted here or dropped) joins the list, replacing one of the same name, and is chosen. */
export function userModelAdded(s: WorkbenchStore, entry: ModelEntry): void {
  const models = [...s.getState().models.filter((m) => m.card.name !== entry.card.name), entry];
  s.setState({ models, selectedModel: entry.card.name, modelPicked: true });
}

/** The models kept in this browser join the list after the shipped ones (names already listed are left out). */
export function userModelsListed(s: WorkbenchStore, entries: ModelEntry[]): void {
  const models = s.getState().models;
  const fresh = entries.filter((e) => !models.some((m) => m.card.name === e.card.name));
  if (fresh.length) s.setState({ models: [...models, ...fresh] });
}

export function userModelRemoved(s: WorkbenchStore, name: string): void {
  const st = s.getState();
  const models = st.models.filter((m) => m.card.name !== name);
  s.setState({ models, ...(st.selectedModel === name ? { selectedModel: models[0]?.card.name ?? null, modelPicked: false } : {}) });
}
