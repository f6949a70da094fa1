/**
 * What a volume read from DICOM remembers of its source series: enough to write a result that
 * references it (a DICOM SEG in the same study, on the same frame of reference) and to place a SEG's
 * frames back on the volume's grid. Plain data: it crosses worker boundaries and is stored with a session.
 */
import type { Vec3 } from './niftiHeader';

export interface DicomPatientStudy {
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  patientSex: string;
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  studyId: string;
  accessionNumber: string;
  referringPhysicianName: string;
  studyDescription: string;
}

/** One slice of the volume, in the volume's z order: the image (and frame, for a multi-frame image) it came from. */
export interface DicomSourceSlice {
  sopClassUid: string;
  sopInstanceUid: string;
  /** 1-based frame number within a multi-frame image; absent for a single-frame image. */
  frame?: number;
  /** ImagePositionPatient (LPS, mm). */
  position: Vec3;
}

export interface DicomSource extends DicomPatientStudy {
  seriesInstanceUid: string;
  seriesNumber: number | null;
  frameOfReferenceUid: string;
  /** ImageOrientationPatient (LPS): row direction, then column direction. */
  orientation: [number, number, number, number, number, number];
  /** PixelSpacing as DICOM orders it: between rows, then between columns (mm). */
  pixelSpacing: [number, number];
  sliceThickness: number | null;
  rows: number;
  columns: number;
  /** Index k is the volume's slice z = k. */
  slices: DicomSourceSlice[];
}
