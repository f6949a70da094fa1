/**
 * The workbench state: one zustand vanilla store (no React here, so Node tests drive it directly),
 * composed of slices, one concern each; every slice keeps its transitions beside its state:
 *
 *   volume.ts     the CT shown, a DICOM series choice, a dropped label map held for a decision
 *   catalogue.ts  the models, the chosen one, the backend and the inference switches
 *   run.ts        status, progress, errors and what ran the last segmentation
 *   result.ts     the labels, their table and volumes, the legend
 *   attention.ts  attention mode, level, clicked voxel and heat map
 *   review.ts     the reference comparison and label correction
 *   display.ts    CT window, orientation convention, 3-D view, crosshair
 *   archive.ts    the DICOMweb archive: its address, study and series lists, retrieval and storing
 *   session.ts    the work saved in the browser and the offer to restore it after a reload
 *   adapt.ts      teaching the model the corrections: progress, the outcome to keep, the user's models
 *
 * Who writes: user intent through the actions (`actions.ts`, and `appContext.ts`'s bound `ui`
 * transitions), worker replies through the worker client. Components only read and call those.
 */
import { createStore } from 'zustand/vanilla';
import { type AdaptState, adaptInitial } from './adapt';
import { type ArchiveState, archiveInitial } from './archive';
import { type AttentionState, attentionInitial } from './attention';
import { type SessionState, sessionInitial } from './session';
import { type CatalogueState, catalogueInitial } from './catalogue';
import { type DisplayState, displayInitial } from './display';
import { type ResultState, resultInitial } from './result';
import { type ReviewState, reviewInitial } from './review';
import { type RunState, runInitial } from './run';
import { type VolumeState, volumeInitial } from './volume';

export type WorkbenchState = VolumeState & CatalogueState & RunState & ResultState & AttentionState & ReviewState & DisplayState & ArchiveState & SessionState & AdaptState;

export const initialState: WorkbenchState = {
  ...volumeInitial, ...catalogueInitial, ...runInitial, ...resultInitial, ...attentionInitial, ...reviewInitial, ...displayInitial, ...archiveInitial, ...sessionInitial, ...adaptInitial,
};

export type WorkbenchStore = ReturnType<typeof createWorkbenchStore>;

export function createWorkbenchStore(init: Partial<WorkbenchState> = {}) {
  return createStore<WorkbenchState>()(() => ({ ...initialState, ...init }));
}

/** The store the app uses; tests make their own with `createWorkbenchStore`. */
export const store = createWorkbenchStore();
