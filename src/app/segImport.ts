/**
 * A DICOM SEG read onto the DICOM series shown: as the reference of the result (Dice, HD95, the
 * disagreement map) or as the labels to start correcting from. Segments that name one of the model's
 * organs (by name or SNOMED code) take that organ's label id; others keep their segment numbers.
 */
import type { LabelInfo } from '../infer/contract/modelCard';
import { organVolumesMl } from '../infer/eval/metrics';
import { readDicomSeg } from '../infer/io/dicomSegRead';
import { type WorkbenchState, selectedCard } from './state';

export interface SegLabels {
  labels: Uint8Array;
  labelInfo: LabelInfo[];
  volumesMl: Record<number, number>;
  /** One of our models, when the SEG names it as its algorithm. */
  model: string | null;
  warnings: string[];
  /** 'name': the segments took the model's label ids by organ; 'number': they kept their segment numbers. */
  mapping: 'name' | 'number';
}

export function segOntoVolume(st: WorkbenchState, bytes: Uint8Array, name: string): SegLabels {
  const volume = st.volume;
  if (!volume) throw new Error(`${name}: open the CT series this SEG was made on first`);
  const source = volume.nifti.source;
  if (!source) throw new Error(`${name}: a DICOM SEG is read onto the DICOM series it references; ${volume.name} was not read from DICOM`);
  const table = st.labels ? st.labelInfo : (selectedCard(st)?.card.labels ?? []);
  const seg = readDicomSeg(bytes, source, name, table.filter((l) => l.id !== 0));
  const labelInfo: LabelInfo[] = seg.mapping === 'name'
    ? [...table]
    : [{ id: 0, name: 'background', color: [0, 0, 0] }, ...seg.segments.map((s) => ({ id: s.id, name: s.name, color: s.color }))];
  if (!labelInfo.some((l) => l.id === 0)) labelInfo.unshift({ id: 0, name: 'background', color: [0, 0, 0] });
  const ids = labelInfo.filter((l) => l.id !== 0).map((l) => l.id);
  const model = seg.algorithm && st.models.some((m) => m.card.name === seg.algorithm!.name) ? seg.algorithm.name : null;
  return { labels: seg.labels, labelInfo, volumesMl: organVolumesMl(seg.labels, volume.spacing, ids), model, warnings: seg.warnings, mapping: seg.mapping };
}
