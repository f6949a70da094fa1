/**
 * A label map on a DICOM series' grid as a DICOM Segmentation (SEG) instance: a binary SEG (PS3.3
 * A.51), one segment per organ present, one frame per (segment, slice holding it), each frame
 * referencing the source image (and frame) it was derived from. dcmjs encodes the data set; the data
 * set itself (modules, functional groups, codes) is built here. Pure: runs in Node and in the browser.
 */
import { type NaturalDataset, data as dcm } from 'dcmjs';
import { DicomError, SEG_SOP_CLASS_UID } from './dicom';
import type { DicomSource } from './dicomSource';
import type { Vec3 } from './niftiHeader';
import { type CodedConcept, rgbToDicomLab, segmentTerms } from './terminology';
import { IMPLEMENTATION_CLASS_UID, decimalString, dicomDateTime, newUid } from './dicomUid';

/** A SEG that cannot be written or read (one line). */
export class DicomSegError extends DicomError {
  override name = 'DicomSegError';
}

export { SEG_SOP_CLASS_UID };
export const SEG_MANUFACTURER = 'fine-workbench';
const WORKBENCH_VERSION = '0.1.0';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export interface SegSegment {
  /** Label id in the label map (1..255). */
  id: number;
  name: string;
  /** sRGB 0..255. */
  color: [number, number, number];
}

export interface DicomSegOptions {
  /** What each label id is; ids absent from the label map are skipped. */
  segments: SegSegment[];
  /** The model that produced the labels: its name and a version string (e.g. the sha256 of its ONNX file). */
  algorithm: { name: string; version: string };
  /** The labels were corrected by hand: the segments are SEMIAUTOMATIC and the descriptions say so. */
  corrected?: boolean;
  seriesNumber?: number;
  seriesDescription?: string;
  /** ContentCreatorName (PN), empty by default. */
  contentCreator?: string;
  instanceNumber?: number;
  /** Fixed UIDs for tests: series `<root>.1`, instance `<root>.2`, dimension organization `<root>.3`. */
  uidRoot?: string;
  /** Content date and time (default: now). */
  date?: Date;
}

const code = (value: string, scheme: string, meaning: string) => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning });
const coded = (c: CodedConcept) => code(c.value, c.scheme, c.meaning);
/** A string cut to a VR's maximum length. */
const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

interface Frame {
  segment: number;
  z: number;
}

/** Bit-packs the frames, first pixel in the least significant bit, frames back to back (PS3.5 8.1.1); even length. */
function packFrames(labels: Uint8Array, frames: Frame[], ids: number[], plane: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((frames.length * plane) / 8 / 2) * 2);
  frames.forEach((f, k) => {
    const id = ids[f.segment - 1];
    const base = f.z * plane;
    for (let p = 0; p < plane; p++) {
      if (labels[base + p] !== id) continue;
      const bit = k * plane + p;
      out[bit >> 3] |= 1 << (bit & 7);
    }
  });
  return out;
}

/** The step between slices along the slice normal (mm), from the first and last positions; null for one slice. */
function sliceSpacing(source: DicomSource): number | null {
  const n = source.slices.length;
  if (n < 2) return null;
  const o = source.orientation;
  const normal: Vec3 = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
  const d = (p: Vec3) => p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
  return Math.abs(d(source.slices[n - 1].position) - d(source.slices[0].position)) / (n - 1);
}

const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
const isUid = (s: string) => s.length <= 64 && UID.test(s);

/**
 * Why a SEG cannot reference `source` (one line), or null: a SEG needs the study, series and frame of
 * reference UIDs and every slice's SOP class and instance UIDs (a de-identification may blank them).
 */
export function dicomSegSourceProblem(source: DicomSource): string | null {
  const missing = [
    ['StudyInstanceUID', source.studyInstanceUid],
    ['SeriesInstanceUID', source.seriesInstanceUid],
    ['FrameOfReferenceUID', source.frameOfReferenceUid],
  ].filter(([, v]) => !isUid(v)).map(([k]) => k);
  const slice = source.slices.findIndex((s) => !isUid(s.sopInstanceUid) || !isUid(s.sopClassUid));
  if (slice >= 0) missing.push(`the SOP class/instance UID of slice ${slice}`);
  if (missing.length === 0) return null;
  return `the series has no valid ${missing.join(', ')} (de-identified without UIDs?); a DICOM SEG cannot reference it`;
}

function checkSource(labels: Uint8Array, source: DicomSource): void {
  const expected = source.columns * source.rows * source.slices.length;
  if (labels.length !== expected) {
    throw new DicomSegError(`label map has ${labels.length} voxels, the series grid ${source.columns}x${source.rows}x${source.slices.length} has ${expected}`);
  }
  const problem = dicomSegSourceProblem(source);
  if (problem) throw new DicomSegError(problem);
}

/**
 * Writes `labels` (a label map on the source's grid: x = column, y = row, z = source.slices index) as a
 * binary DICOM SEG Part 10 file. Throws `DicomSegError` (one line) when the map and the grid differ,
 * the source lacks the UIDs a SEG must reference, a label id has no segment in `opts.segments`, or no
 * segment has a voxel.
 */
export function writeDicomSeg(labels: Uint8Array, source: DicomSource, opts: DicomSegOptions): Uint8Array {
  checkSource(labels, source);
  const plane = source.columns * source.rows;
  const nz = source.slices.length;
  const counts = new Float64Array(256);
  const onSlice = Array.from({ length: 256 }, () => new Uint8Array(nz));
  for (let z = 0; z < nz; z++) {
    for (let i = z * plane, end = i + plane; i < end; i++) {
      const v = labels[i];
      counts[v]++;
      onSlice[v][z] = 1;
    }
  }
  const described = new Set(opts.segments.map((s) => s.id));
  for (let id = 1; id < 256; id++) {
    if (counts[id] > 0 && !described.has(id)) throw new DicomSegError(`label ${id} (${counts[id]} voxels) has no segment description; add it to the segments to write`);
  }
  const present = opts.segments.filter((s) => s.id > 0 && s.id < 256 && counts[s.id] > 0).sort((a, b) => a.id - b.id);
  if (present.length === 0) throw new DicomSegError('the label map is empty: no segment to write into a DICOM SEG');
  const frames: Frame[] = [];
  present.forEach((s, k) => {
    for (let z = 0; z < nz; z++) if (onSlice[s.id][z]) frames.push({ segment: k + 1, z });
  });

  const uid = (n: number) => (opts.uidRoot ? `${opts.uidRoot}.${n}` : newUid());
  const [seriesUid, instanceUid, dimensionUid] = [uid(1), uid(2), uid(3)];
  const now = dicomDateTime(opts.date ?? new Date());
  const corrected = opts.corrected === true;
  const algo = { name: cut(opts.algorithm.name || 'unknown model', 64), version: cut(opts.algorithm.version || 'unknown', 64) };
  const spacing = sliceSpacing(source);
  const thickness = source.sliceThickness ?? spacing;

  const segments = present.map((s, k) => {
    const t = segmentTerms(s.name);
    return {
      SegmentNumber: k + 1,
      SegmentLabel: cut(s.name, 64),
      SegmentDescription: cut(`label ${s.id} ${s.name}`, 64),
      SegmentAlgorithmType: corrected ? 'SEMIAUTOMATIC' : 'AUTOMATIC',
      SegmentAlgorithmName: algo.name,
      SegmentationAlgorithmIdentificationSequence: [
        { AlgorithmFamilyCodeSequence: [code('123110', 'DCM', 'Artificial Intelligence')], AlgorithmName: algo.name, AlgorithmVersion: algo.version },
      ],
      SegmentedPropertyCategoryCodeSequence: [coded(t.category)],
      SegmentedPropertyTypeCodeSequence: [{ ...coded(t.type), ...(t.modifier ? { SegmentedPropertyTypeModifierCodeSequence: [coded(t.modifier)] } : {}) }],
      RecommendedDisplayCIELabValue: rgbToDicomLab(s.color),
    };
  });

  const perFrame = frames.map((f) => {
    const src = source.slices[f.z];
    return {
      DerivationImageSequence: [{
        DerivationCodeSequence: [code('113076', 'DCM', 'Segmentation')],
        SourceImageSequence: [{
          ReferencedSOPClassUID: src.sopClassUid,
          ReferencedSOPInstanceUID: src.sopInstanceUid,
          ...(src.frame !== undefined ? { ReferencedFrameNumber: src.frame } : {}),
          PurposeOfReferenceCodeSequence: [code('121322', 'DCM', 'Source image for image processing operation')],
          SpatialLocationsPreserved: 'YES',
        }],
      }],
      FrameContentSequence: [{ DimensionIndexValues: [f.segment, f.z + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: src.position.map(decimalString) }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
    };
  });

  const referenced = new Map<string, string>();
  for (const f of frames) referenced.set(source.slices[f.z].sopInstanceUid, source.slices[f.z].sopClassUid);
  const description = corrected ? `${algo.name} segmentation, corrected by hand` : `${algo.name} segmentation`;

  const ds: NaturalDataset = {
    ImageType: ['DERIVED', 'PRIMARY'],
    SOPClassUID: SEG_SOP_CLASS_UID,
    SOPInstanceUID: instanceUid,
    StudyDate: source.studyDate,
    SeriesDate: now.date,
    ContentDate: now.date,
    StudyTime: source.studyTime,
    SeriesTime: now.time,
    ContentTime: now.time,
    AccessionNumber: source.accessionNumber,
    Modality: 'SEG',
    Manufacturer: SEG_MANUFACTURER,
    ReferringPhysicianName: source.referringPhysicianName,
    ...(source.studyDescription ? { StudyDescription: source.studyDescription } : {}),
    SeriesDescription: cut(opts.seriesDescription ?? description, 64),
    ManufacturerModelName: SEG_MANUFACTURER,
    ReferencedSeriesSequence: [{
      SeriesInstanceUID: source.seriesInstanceUid,
      ReferencedInstanceSequence: [...referenced].map(([inst, cls]) => ({ ReferencedSOPClassUID: cls, ReferencedSOPInstanceUID: inst })),
    }],
    PatientName: source.patientName,
    PatientID: source.patientId,
    PatientBirthDate: source.patientBirthDate,
    PatientSex: source.patientSex,
    DeviceSerialNumber: WORKBENCH_VERSION,
    SoftwareVersions: WORKBENCH_VERSION,
    StudyInstanceUID: source.studyInstanceUid,
    SeriesInstanceUID: seriesUid,
    StudyID: source.studyId,
    SeriesNumber: opts.seriesNumber ?? 900,
    InstanceNumber: opts.instanceNumber ?? 1,
    FrameOfReferenceUID: source.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionUid }],
    DimensionOrganizationType: '3D',
    DimensionIndexSequence: [
      { DimensionOrganizationUID: dimensionUid, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'Segment Number' },
      { DimensionOrganizationUID: dimensionUid, DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'Image Position Patient' },
    ],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: frames.length,
    Rows: source.rows,
    Columns: source.columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SharedFunctionalGroupsSequence: [{
      PlaneOrientationSequence: [{ ImageOrientationPatient: source.orientation.map(decimalString) }],
      PixelMeasuresSequence: [{
        PixelSpacing: source.pixelSpacing.map(decimalString),
        ...(thickness !== null ? { SliceThickness: decimalString(thickness) } : {}),
        ...(spacing !== null ? { SpacingBetweenSlices: decimalString(spacing) } : {}),
      }],
    }],
    PerFrameFunctionalGroupsSequence: perFrame,
    SegmentationType: 'BINARY',
    SegmentsOverlap: 'NO',
    SegmentSequence: segments,
    ContentLabel: corrected ? 'CORRECTED_SEG' : 'SEGMENTATION',
    ContentDescription: cut(corrected ? `${algo.name} output, corrected by hand` : `${algo.name} output`, 64),
    ContentCreatorName: opts.contentCreator ?? '',
    PixelData: packFrames(labels, frames, present.map((s) => s.id), plane).buffer,
    _vrMap: { PixelData: 'OB' },
  };
  if (Object.values(ds).some((v) => typeof v === 'string' && /[^\x20-\x7e]/.test(v))) ds.SpecificCharacterSet = 'ISO_IR 192';

  const meta = dcm.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SEG_SOP_CLASS_UID,
    MediaStorageSOPInstanceUID: instanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'FINE_WB_0_1',
    _vrMap: { FileMetaInformationVersion: 'OB' },
  });
  const dict = new dcm.DicomDict(meta);
  dict.dict = dcm.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}
