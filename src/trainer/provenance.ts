/**
 * Provenance of the training cases this project knows (the shared data's README): source, licence and
 * what the labels are, written into the card of every model trained on them. A case not listed here
 * gets no entry; the card's `training.data` still names it.
 */
import type { CaseProvenance } from '../infer/contract/modelCard';

const TOTALSEG_REPO = 'wasserth/TotalSegmentator @ 0e65a448 (tests/reference_files), repository licence Apache-2.0';
const TOTALSEG_DATASET = 'TotalSegmentator dataset (Wasserthal et al. 2023, Radiology: AI, doi:10.1148/ryai.230024; doi:10.5281/zenodo.6802613) via ZHANG-Haochen-insa/dataset @ eadce27c';

export const KNOWN_CASES: Readonly<Record<string, Omit<CaseProvenance, 'case'>>> = Object.freeze({
  caseA: { source: `${TOTALSEG_REPO}: example_ct.nii.gz`, licence: 'Apache-2.0', labels: 'silver' },
  caseB: { source: `${TOTALSEG_REPO}: example_ct_dicom`, licence: 'Apache-2.0', labels: 'silver' },
  ts0009: { source: `${TOTALSEG_DATASET}, subject s0009`, licence: 'CC BY 4.0', labels: 'reference' },
  ts0002: { source: `${TOTALSEG_DATASET}, subject s0002 (no abdominal organ)`, licence: 'CC BY 4.0', labels: 'reference' },
  ts0003: { source: `${TOTALSEG_DATASET}, subject s0003 (no abdominal organ)`, licence: 'CC BY 4.0', labels: 'reference' },
  msdspleen8: {
    source: 'Medical Segmentation Decathlon Task09_Spleen, spleen_8 (Antonelli et al. 2022, Nat. Commun., doi:10.1038/s41467-022-30695-9) via NVIDIA/clara-train-examples @ 19795f4e; a model trained on it is an adaptation of it',
    licence: 'CC BY-SA 4.0', labels: 'manual', annotates: ['spleen'],
  },
});

/** Provenance entries for the named training cases that are known. */
export function provenanceOf(cases: readonly string[]): CaseProvenance[] {
  return cases.filter((c) => c in KNOWN_CASES).map((c) => ({ case: c, ...KNOWN_CASES[c] }));
}
