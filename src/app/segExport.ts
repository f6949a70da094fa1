/**
 * The result as a DICOM Segmentation: one segment per organ, coded with SNOMED CT, the model named as
 * the algorithm (its card's name, the sha256 of its ONNX file as the version), referencing the source
 * series' instances. Only a volume read from DICOM has the references a SEG needs.
 */
import { writeDicomSeg } from '../infer/io/dicomSeg';
import type { WorkbenchState } from './state';

export interface SegExport {
  bytes: Uint8Array;
  /** What the SEG holds, for messages: "a SEG of 7 organs by fine-small, corrected by hand". */
  what: string;
}

export function segFromState(st: WorkbenchState): SegExport {
  if (!st.labels || !st.volume) throw new Error('Segment the volume first; a DICOM SEG holds a result');
  const source = st.volume.nifti.source;
  if (!source) throw new Error(`${st.volume.name} was not read from a DICOM series, so a DICOM SEG could not reference it; download the label map as .nii.gz instead`);
  const card = st.models.find((m) => m.card.name === st.resultModel)?.card;
  const corrected = st.corrections > 0;
  const segments = st.labelInfo.filter((l) => l.id !== 0).map((l) => ({ id: l.id, name: l.name, color: l.color }));
  const present = new Set(st.labels);
  const organs = segments.filter((s) => present.has(s.id)).length;
  const by = st.resultModel ?? 'a model';
  const bytes = writeDicomSeg(st.labels, source, {
    segments,
    algorithm: { name: st.resultModel ?? 'unknown model', version: card ? card.onnx.sha256 : 'unknown' },
    corrected,
    seriesDescription: `${by} segmentation${corrected ? ', corrected by hand' : ''}`,
  });
  return { bytes, what: `a SEG of ${organs} organ${organs === 1 ? '' : 's'} by ${by}${corrected ? ', corrected by hand' : ''}` };
}
