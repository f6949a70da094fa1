/** Display slice: CT window, orientation convention, the 3-D view and the crosshair. */
import type { Vec3 } from '../../infer/io/nifti';
import { CT_WINDOWS, type CtWindow, clampWindow } from '../ctWindow';
import type { WorkbenchState, WorkbenchStore } from './store';

/**
 * How the viewer arranges the views: `auto` (NiiVue's choice by canvas shape, a column for thin slabs),
 * `2x2` (three slices and the 3-D render), `1x3` (three slices in a row), or one large slice view.
 */
export const VIEW_LAYOUTS = ['auto', '2x2', '1x3', 'axial', 'coronal', 'sagittal'] as const;
export type ViewLayout = (typeof VIEW_LAYOUTS)[number];

/** The side panel's tabs under the results. */
export type PanelTab = 'analysis' | 'edit';

export interface DisplayState {
  /** Which tab under the results is open: analysis (attention, reference) or label correction. */
  panelTab: PanelTab;
  /** The views' arrangement. */
  layout: ViewLayout;
  /** CT display window (HU). */
  ctWindow: CtWindow;
  /** Radiological convention (patient left on screen right), the default for CT; false: neurological. */
  radiological: boolean;
  /** The 3-D render beside the slices: the user's choice, or null for the automatic rule (`show3dView`). */
  view3d: boolean | null;
  /** The viewer's WebGL runs on a software renderer (SwiftShader, llvmpipe); null until the viewer starts. */
  softwareGl: boolean | null;
  /** Where the crosshair is: world mm, voxel index of the CT, its HU (null before the first move). */
  cursor: { mm: Vec3; vox: Vec3; hu: number | null } | null;
}

export const displayInitial: DisplayState = { panelTab: 'analysis', layout: 'auto', ctWindow: { ...CT_WINDOWS.abdomen }, radiological: true, view3d: null, softwareGl: null, cursor: null };

export function setCtWindow(s: WorkbenchStore, w: CtWindow): void {
  s.setState({ ctWindow: clampWindow(w, s.getState().ctWindow) });
}

export function setPanelTab(s: WorkbenchStore, panelTab: PanelTab): void {
  s.setState({ panelTab });
}

export function setLayout(s: WorkbenchStore, layout: ViewLayout): void {
  s.setState({ layout });
}

/** The next layout in VIEW_LAYOUTS (a shortcut key steps through them). */
export function nextLayout(layout: ViewLayout): ViewLayout {
  return VIEW_LAYOUTS[(VIEW_LAYOUTS.indexOf(layout) + 1) % VIEW_LAYOUTS.length];
}

/**
 * The slice the crosshair is on, 1-based along the file's third axis (the image number of an axial
 * series), with the count; null without a cursor in the volume.
 */
export function sliceNumber(st: Pick<WorkbenchState, 'cursor' | 'volume'>): { slice: number; of: number } | null {
  if (!st.cursor || !st.volume) return null;
  const z = st.cursor.vox[2], nz = st.volume.dims[2];
  return z >= 0 && z < nz ? { slice: z + 1, of: nz } : null;
}

export function setRadiological(s: WorkbenchStore, on: boolean): void {
  s.setState({ radiological: on });
}

/** The 3-D view on or off (null: the automatic rule). */
export function setView3d(s: WorkbenchStore, on: boolean | null): void {
  s.setState({ view3d: on });
}

/** The viewer found which renderer its WebGL runs on. */
export function rendererFound(s: WorkbenchStore, software: boolean): void {
  s.setState({ softwareGl: software });
}

/**
 * Above this many voxels a software renderer spends seconds of CPU per 3-D frame (and the slices redraw
 * with it), taking the cores the segmentation needs: the 3-D view starts off there.
 */
export const SOFTWARE_3D_MAX_VOXELS = 8_000_000;

/** Whether the 3-D render is shown: the user's choice, else off for large volumes on a software renderer. */
export function show3dView(st: Pick<WorkbenchState, 'view3d' | 'softwareGl' | 'volume'>): boolean {
  if (st.view3d !== null) return st.view3d;
  const n = st.volume ? st.volume.dims[0] * st.volume.dims[1] * st.volume.dims[2] : 0;
  return !(st.softwareGl === true && n > SOFTWARE_3D_MAX_VOXELS);
}

/**
 * Where the 3-D view comes from: none; the full scan, as a tile of the main view; or, for a large scan
 * on a software renderer that the user asked to see in 3-D, a downsampled copy in a canvas of its own.
 */
export function render3dSource(st: Pick<WorkbenchState, 'view3d' | 'softwareGl' | 'volume'>): 'none' | 'volume' | 'copy' {
  if (!show3dView(st)) return 'none';
  const n = st.volume ? st.volume.dims[0] * st.volume.dims[1] * st.volume.dims[2] : 0;
  return st.softwareGl === true && n > SOFTWARE_3D_MAX_VOXELS ? 'copy' : 'volume';
}

export function cursorMoved(s: WorkbenchStore, cursor: { mm: Vec3; vox: Vec3; hu: number | null }): void {
  s.setState({ cursor });
}

/** What the crosshair readout shows: voxel, mm, HU and the label under the crosshair (null: outside the volume). */
export function cursorReadout(st: WorkbenchState): { vox: Vec3; mm: Vec3; hu: number | null; label: string | null } | null {
  const c = st.cursor;
  const v = st.volume;
  if (!c || !v) return null;
  const [nx, ny, nz] = v.dims;
  const [x, y, z] = c.vox;
  if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) return null;
  const i = x + nx * (y + ny * z);
  const hu = c.hu ?? v.nifti.data[i];
  let label: string | null = null;
  if (st.labels) {
    const id = st.labels[i];
    label = id === 0 ? 'background' : (st.labelInfo.find((l) => l.id === id)?.name ?? `label ${id}`);
  }
  return { vox: c.vox, mm: c.mm, hu, label };
}
