/** The app's single store, actions and a React hook that selects a slice of the store. */
import { useStore } from 'zustand';
import { Actions } from './actions';
import { type WorkbenchState, store } from './store';

export { store };
export const actions = new Actions(store);

export function useWorkbench<T>(select: (s: WorkbenchState) => T): T {
  return useStore(store, select);
}
