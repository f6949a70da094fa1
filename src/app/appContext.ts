/**
 * The app's single store, its actions, the simple user intents bound to the store (`ui`), and a React
 * hook that selects a slice of the store. Components read with `useWorkbench` and write only through
 * `actions` and `ui`.
 */
import { useStore } from 'zustand';
import { Actions } from './actions';
import {
  type WorkbenchState, type WorkbenchStore, dismissError, failed, pendingLabelMapDismissed, selectModel, setAttentionMode, setCtWindow, setEditPen, setLabelOpacity,
  setLabelVisible, setLayout, setPanelTab, setRadiological, setSegmentAnyway, setShowDisagreement, setView3d, startEditing, stopEditing, store,
  setEditRules, toggleLock, lockAllButPen, pendingSegsDismissed, setAdaptSteps,
} from './state';

export { store };
export const actions = new Actions(store);

type Bound<T> = { [K in keyof T]: T[K] extends (s: WorkbenchStore, ...args: infer A) => infer R ? (...args: A) => R : never };

/** Transitions with the app's store filled in. */
function bind<T extends Record<string, (s: WorkbenchStore, ...args: never[]) => unknown>>(s: WorkbenchStore, fns: T): Bound<T> {
  return Object.fromEntries(Object.entries(fns).map(([k, f]) => [k, (...args: never[]) => f(s, ...args)])) as Bound<T>;
}

/** The user intents that are one transition each (anything with work around it is in `actions`). */
export const ui = bind(store, {
  dismissError, failed, pendingLabelMapDismissed, selectModel, setAttentionMode, setCtWindow, setEditPen, setLabelOpacity, setLabelVisible, setLayout, setPanelTab, setRadiological, setSegmentAnyway, setShowDisagreement, setView3d, startEditing, stopEditing,
  setEditRules, toggleLock, lockAllButPen, pendingSegsDismissed, setAdaptSteps,
});

export function useWorkbench<T>(select: (s: WorkbenchState) => T): T {
  return useStore(store, select);
}
