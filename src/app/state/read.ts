/**
 * What components may import from the state: its types and pure selectors. Components change the state
 * only through the actions and appContext's `ui` (lint holds this: see eslint.config.js).
 */
export type { WorkbenchState } from './store';
export type { LoadedVolume, VolumeSource } from './volume';
export { type ModelEntry, selectedCard, trainedOn, defaultModelFor } from './catalogue';
export type { Progress, RunEngine, Status } from './run';
export { type LabelView, labelHistogram } from './result';
export { effectiveAttentionLevel } from './attention';
export { type DiceRow, type EditPen, type EditRules, PEN_SIZES, SOFT_TISSUE_HU } from './review';
export { SOFTWARE_3D_MAX_VOXELS, VIEW_LAYOUTS, type PanelTab, type ViewLayout, cursorReadout, render3dSource, show3dView, sliceNumber } from './display';
export type { Backend } from '../backendChoice';
