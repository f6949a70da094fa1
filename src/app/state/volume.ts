/** Volume slice: the CT shown, the series of a multi-series DICOM drop, and a dropped label map held for a decision. */
import type { DicomSeriesInfo } from '../../infer/io/dicom';
import type { NiftiVolume, Vec3 } from '../../infer/io/nifti';
import { labelMapValues } from '../../infer/preprocess/ctCheck';
import { heatCleared } from './attention';
import { modelForVolume } from './catalogue';
import { resultCleared } from './result';
import { reviewCleared } from './review';
import { progressCleared } from './run';
import type { WorkbenchStore } from './store';

/** Where a volume came from: the bundled sample (a synthetic phantom) or the user's own file. */
export type VolumeSource = 'sample' | 'user';

export interface LoadedVolume {
  /** File name (downloads are named after it). */
  name: string;
  source: VolumeSource;
  /** What the volume is, shown beside its name: "synthetic phantom" for the bundled sample; null for the user's CT. */
  kind: string | null;
  dims: Vec3;
  spacing: Vec3;
  nifti: NiftiVolume;
  /** The volume looks like a label map (this many distinct integer values), checked when it opened; null for a CT. */
  labelMapValues: number | null;
}

export interface VolumeState {
  volume: LoadedVolume | null;
  /** Warnings about the volume (reader, geometry) and the model list. */
  warnings: string[];
  /** The checks of the volume against the selected model, made when either changes (size, intensity, geometry), before any run. */
  volumeChecks: string[];
  /** The series of the last DICOM drop when it held several: the user picks one (null: no choice pending). */
  dicomSeries: DicomSeriesInfo[] | null;
  /** A dropped file that looks like a label map of the scan shown, held until the user says what it is. */
  pendingLabelMap: { name: string; volume: NiftiVolume; values: number } | null;
  /** The user chose to segment a volume that looks like a label map. */
  segmentAnyway: boolean;
  /** DICOM SEG files that came with a drop, held until the user says how to use them on the series shown. */
  pendingSegs: { name: string; bytes: Uint8Array }[] | null;
}

export const volumeInitial: VolumeState = { volume: null, warnings: [], volumeChecks: [], dicomSeries: null, pendingLabelMap: null, segmentAnyway: false, pendingSegs: null };

/** A volume opened: it replaces the one shown, with everything computed on that one. */
export function volumeLoaded(s: WorkbenchStore, name: string, nifti: NiftiVolume, source: VolumeSource = 'user', kind: string | null = null): void {
  s.setState({
    volume: { name, source, kind, dims: nifti.dims, spacing: nifti.spacing, nifti, labelMapValues: labelMapValues(nifti.data) },
    warnings: nifti.warnings,
    volumeChecks: [],
    dicomSeries: null,
    pendingLabelMap: null,
    segmentAnyway: false,
    pendingSegs: null,
    ...modelForVolume(s.getState(), source),
    status: 'idle',
    error: null,
    runNote: null,
    progress: progressCleared,
    cursor: null,
    ...resultCleared,
    ...heatCleared,
    ...reviewCleared,
    // A note about the last scan's adaptation does not belong to this one (an outcome names its scan and stays until kept or discarded).
    adaptNote: null,
  });
}

/** The volume shown was checked against the model selected (the same checks `npm run segment` makes before a run). */
export function volumeChecked(s: WorkbenchStore, volume: LoadedVolume, checks: string[]): void {
  const st = s.getState();
  if (st.volume === volume) s.setState({ volumeChecks: checks.filter((w) => !st.warnings.includes(w)) });
}

/** Warnings that arrived beside the volume (a model card that could not be read). */
export function warningsAdded(s: WorkbenchStore, more: string[]): void {
  if (more.length) s.setState({ warnings: [...s.getState().warnings, ...more] });
}

/** A DICOM drop held several series: show them for the user to pick one. */
export function dicomSeriesFound(s: WorkbenchStore, series: DicomSeriesInfo[]): void {
  s.setState({ dicomSeries: series, status: s.getState().status === 'running' ? 'running' : 'idle', error: null });
}

/** A file that looks like a label map of the scan shown: held, not opened, until the user says what it is. */
export function labelMapDropped(s: WorkbenchStore, name: string, volume: NiftiVolume, values: number): void {
  const st = s.getState();
  s.setState({ pendingLabelMap: { name, volume, values }, status: st.status === 'loading' ? (st.labels ? 'done' : 'idle') : st.status });
}

export function pendingLabelMapDismissed(s: WorkbenchStore): void {
  s.setState({ pendingLabelMap: null });
}

export function setSegmentAnyway(s: WorkbenchStore, on: boolean): void {
  s.setState({ segmentAnyway: on });
}

/** DICOM SEG files arrived (with their series, or alone onto the series shown): held for the user's choice. */
export function segsDropped(s: WorkbenchStore, segs: { name: string; bytes: Uint8Array }[]): void {
  const st = s.getState();
  s.setState({ pendingSegs: segs, status: st.status === 'loading' ? (st.labels ? 'done' : 'idle') : st.status });
}

export function pendingSegsDismissed(s: WorkbenchStore): void {
  s.setState({ pendingSegs: null });
}
