/**
 * DICOM SEG out and in on generated series: a label map written by writeDicomSeg comes back voxel for
 * voxel through readDicomSeg and, independently, through dcmjs with the frames unpacked here; frames
 * are placed by reference (single- and multi-frame sources) or by position; refusals are one line.
 */
import { describe, expect, it } from 'vitest';
import { data as dcm } from 'dcmjs';
import { scanDicom } from '../../src/infer/io/dicom';
import { DicomSegError, type SegSegment, writeDicomSeg } from '../../src/infer/io/dicomSeg';
import { readDicomSeg } from '../../src/infer/io/dicomSegRead';
import { dicomSlice } from './dicomFixture';
import { boxes, dcmjsLabels, multiFrameSeries, naturalize, singleFrameSeries, volumeOf } from './segFixture';

const SEGMENTS: SegSegment[] = [
  { id: 1, name: 'liver', color: [221, 130, 101] },
  { id: 2, name: 'spleen', color: [157, 108, 162] },
  { id: 3, name: 'kidney_right', color: [185, 102, 83] },
  { id: 4, name: 'kidney_left', color: [214, 230, 130] },
  { id: 9, name: 'inferior_vena_cava', color: [0, 151, 206] },
];
const ID_OF = Object.fromEntries(SEGMENTS.map((s) => [s.name, s.id]));
const ALGO = { name: 'fine-tiny', version: 'f'.repeat(64) };
type Item = Record<string, unknown>;

/** Re-encodes a naturalized SEG after `edit` (dcmjs): SEGs as another tool might write them. */
function rewrite(bytes: Uint8Array, edit: (ds: Item) => void): Uint8Array {
  const dict = dcm.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const ds = dcm.DicomMetaDictionary.naturalizeDataset(dict.dict);
  edit(ds);
  dict.dict = dcm.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}

async function fixture(nz = 6) {
  const v = await volumeOf(singleFrameSeries(nz));
  // slices 0 and 5 empty; spleen only on slice 3; kidneys side by side; IVC through 1..4.
  const labels = boxes(v.dims as [number, number, number], [[1, 0, 3, 0, 2, 1, 3], [2, 6, 7, 4, 5, 3, 3], [3, 0, 1, 4, 5, 2, 4], [4, 2, 3, 4, 5, 2, 4], [9, 5, 5, 0, 5, 1, 4]]);
  return { v, labels, bytes: writeDicomSeg(labels, v.source, { segments: SEGMENTS, algorithm: ALGO }) };
}

describe('DICOM SEG round trip', () => {
  it('comes back voxel for voxel through readDicomSeg (single-frame source, empty slices)', async () => {
    const { v, labels, bytes } = await fixture();
    const r = readDicomSeg(bytes, v.source, 'seg.dcm');
    expect(r.mapping).toBe('name');
    expect(r.segments.map((s) => [s.id, s.name])).toEqual(SEGMENTS.map((s) => [s.id, s.name]));
    expect(r.segments[0].color).toEqual([221, 130, 101]);
    expect(r.referencedSeriesUid).toBe(v.source.seriesInstanceUid);
    expect(r.algorithm).toEqual(ALGO);
    expect(r.corrected).toBe(false);
    expect(r.warnings).toEqual([]);
    expect(r.labels).toEqual(labels);
  });

  it('comes back voxel for voxel through dcmjs, frames placed by their referenced SOP instance', async () => {
    const { v, labels, bytes } = await fixture();
    expect(dcmjsLabels(bytes, v.source, ID_OF)).toEqual(labels);
    const ds = naturalize(bytes);
    // one frame per (segment, slice holding it): liver 3, spleen 1, kidneys 3 each, IVC 4.
    expect(ds.NumberOfFrames).toBe(14);
    expect(ds.SegmentationType).toBe('BINARY');
    expect([ds.BitsAllocated, ds.BitsStored, ds.HighBit]).toEqual([1, 1, 0]);
    expect((ds.ReferencedSeriesSequence as Item[])[0].SeriesInstanceUID).toBe(v.source.seriesInstanceUid);
    expect(((ds.ReferencedSeriesSequence as Item[])[0].ReferencedInstanceSequence as Item[]).length).toBe(4);
    expect([ds.StudyInstanceUID, ds.FrameOfReferenceUID, ds.PatientID]).toEqual([v.source.studyInstanceUid, v.source.frameOfReferenceUid, 'P1']);
  });

  it('references the frames of a multi-frame source (ReferencedFrameNumber) and reads them back', async () => {
    const v = await volumeOf(multiFrameSeries(4));
    expect(v.source.slices.map((s) => s.frame)).toEqual([4, 3, 2, 1]);
    const labels = boxes(v.dims as [number, number, number], [[1, 0, 2, 0, 1, 0, 1], [4, 4, 6, 3, 4, 2, 3]]);
    const bytes = writeDicomSeg(labels, v.source, { segments: SEGMENTS, algorithm: ALGO });
    const frames = naturalize(bytes).PerFrameFunctionalGroupsSequence as Item[];
    const src = ((frames[0].DerivationImageSequence as Item[])[0].SourceImageSequence as Item[])[0];
    expect([src.ReferencedSOPInstanceUID, src.ReferencedFrameNumber]).toEqual(['1.2.826.0.1.3680043.8.498.4', 4]);
    expect(readDicomSeg(bytes, v.source, 'mf.dcm').labels).toEqual(labels);
    expect(dcmjsLabels(bytes, v.source, ID_OF)).toEqual(labels);
  });

  it('places frames by ImagePositionPatient when they reference no image (within half a slice)', async () => {
    const { v, labels, bytes } = await fixture();
    const noRefs = (shift: number) => rewrite(bytes, (ds) => {
      for (const fg of ds.PerFrameFunctionalGroupsSequence as Item[]) {
        delete fg.DerivationImageSequence;
        const p = (fg.PlanePositionSequence as Item[])[0];
        p.ImagePositionPatient = (p.ImagePositionPatient as number[]).map((x, i) => (i === 2 ? x + shift : x));
      }
    });
    expect(readDicomSeg(noRefs(0), v.source, 'pos.dcm').labels).toEqual(labels);
    expect(readDicomSeg(noRefs(1.1), v.source, 'pos.dcm').labels).toEqual(labels);
    expect(() => readDicomSeg(noRefs(-4), v.source, 'pos.dcm')).toThrow(/pos\.dcm: frame \d+ lies 1\.50 mm from the nearest slice/);
  });

  it('reads a FRACTIONAL SEG thresholded at half its MaximumFractionalValue', async () => {
    const { v, labels, bytes } = await fixture();
    const plane = v.source.rows * v.source.columns;
    const fractional = rewrite(bytes, (ds) => {
      const bits = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]);
      const n = Number(ds.NumberOfFrames) * plane;
      ds.PixelData = Uint8Array.from({ length: n }, (_, i) => ((bits[i >> 3] >> (i & 7)) & 1 ? 130 : 120)).buffer;
      Object.assign(ds, { SegmentationType: 'FRACTIONAL', SegmentationFractionalType: 'PROBABILITY', MaximumFractionalValue: 250, BitsAllocated: 8, BitsStored: 8, HighBit: 7 });
    });
    expect(readDicomSeg(fractional, v.source, 'frac.dcm').labels).toEqual(labels);
  });

  it('maps segments by code when their labels are not organ names, else by segment number', async () => {
    const { v, labels, bytes } = await fixture();
    const renamed = rewrite(bytes, (ds) => (ds.SegmentSequence as Item[]).forEach((s, i) => (s.SegmentLabel = `Structure ${i + 1}`)));
    const byCode = readDicomSeg(renamed, v.source, 'codes.dcm');
    expect(byCode.mapping).toBe('name');
    expect(byCode.labels).toEqual(labels);
    const tumour = boxes(v.dims as [number, number, number], [[1, 0, 1, 0, 1, 1, 2], [12, 4, 5, 3, 4, 2, 3]]);
    const segs = [...SEGMENTS, { id: 12, name: 'tumour', color: [255, 255, 0] as [number, number, number] }];
    const t = writeDicomSeg(tumour, v.source, { segments: segs, algorithm: ALGO });
    const table = [{ id: 1, name: 'liver', color: [1, 2, 3] as [number, number, number] }, { id: 12, name: 'tumour', color: [4, 5, 6] as [number, number, number] }];
    expect(readDicomSeg(t, v.source, 't.dcm', table).labels).toEqual(tumour);
    const byNumber = readDicomSeg(t, v.source, 't.dcm');
    expect(byNumber.mapping).toBe('number');
    expect(byNumber.segments.map((s) => [s.id, s.name])).toEqual([[1, 'liver'], [2, 'tumour']]);
  });
});

describe('DICOM SEG identity and refusals', () => {
  it('says so when corrected by hand; new series and instance UIDs (2.25) on every write', async () => {
    const { v, labels, bytes } = await fixture();
    const corrected = writeDicomSeg(labels, v.source, { segments: SEGMENTS, algorithm: ALGO, corrected: true, seriesNumber: 77 });
    const ds = naturalize(corrected);
    expect(ds.SeriesDescription).toBe('fine-tiny segmentation, corrected by hand');
    expect(ds.ContentLabel).toBe('CORRECTED_SEG');
    expect(ds.ContentDescription).toMatch(/corrected by hand/);
    expect(ds.SeriesNumber).toBe(77);
    expect((ds.SegmentSequence as Item[]).map((s) => s.SegmentAlgorithmType)).toEqual(Array(5).fill('SEMIAUTOMATIC'));
    expect(readDicomSeg(corrected, v.source, 'c.dcm').corrected).toBe(true);
    const plain = naturalize(bytes);
    expect([plain.ContentLabel, (plain.SegmentSequence as Item[])[0].SegmentAlgorithmType]).toEqual(['SEGMENTATION', 'AUTOMATIC']);
    for (const k of ['SeriesInstanceUID', 'SOPInstanceUID']) {
      expect(ds[k]).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
      expect(ds[k]).not.toBe(plain[k]);
    }
    expect((ds._meta as Item).MediaStorageSOPInstanceUID).toBe(ds.SOPInstanceUID);
    const fixed = naturalize(writeDicomSeg(labels, v.source, { segments: SEGMENTS, algorithm: ALGO, uidRoot: '1.2.3', date: new Date(2024, 0, 2, 3, 4, 5) }));
    expect([fixed.SeriesInstanceUID, fixed.SOPInstanceUID, fixed.ContentDate, fixed.ContentTime]).toEqual(['1.2.3.1', '1.2.3.2', '20240102', '030405.000000']);
  });

  it('refuses a SEG of another series, another frame of reference or another slice size, and a file that is not a SEG', async () => {
    const { v, bytes } = await fixture();
    const other = await volumeOf(singleFrameSeries(6, 6, 8, '1.2.826.0.1.3680043.8.498.2999'));
    expect(() => readDicomSeg(bytes, other.source, 'seg.dcm')).toThrow(
      new DicomSegError(`seg.dcm: the SEG references series ${v.source.seriesInstanceUid}, the open series is 1.2.826.0.1.3680043.8.498.2999`),
    );
    const moved = rewrite(bytes, (ds) => (ds.FrameOfReferenceUID = '1.2.3.99'));
    expect(() => readDicomSeg(moved, v.source, 'seg.dcm')).toThrow(/seg\.dcm: the SEG is in frame of reference 1\.2\.3\.99, the open series in /);
    const taller = await volumeOf(singleFrameSeries(6, 7, 8));
    expect(() => readDicomSeg(bytes, taller.source, 'seg.dcm')).toThrow(/the SEG's frames are 8x6, the open series' slices 8x7/);
    const ct = singleFrameSeries(1)[0].bytes;
    expect(() => readDicomSeg(ct, v.source, 'ct0.dcm')).toThrow(/^ct0\.dcm: not a DICOM SEG \(SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.2, modality CT\)$/);
  });

  it('refuses to write an empty label map, a label without a segment, or a map of another size', async () => {
    const { v, labels } = await fixture();
    expect(() => writeDicomSeg(new Uint8Array(labels.length), v.source, { segments: SEGMENTS, algorithm: ALGO })).toThrow(/the label map is empty: no segment to write/);
    expect(() => writeDicomSeg(labels, v.source, { segments: SEGMENTS.slice(1), algorithm: ALGO })).toThrow(/label 1 \(\d+ voxels\) has no segment description/);
    expect(() => writeDicomSeg(labels.subarray(1), v.source, { segments: SEGMENTS, algorithm: ALGO })).toThrow(/the series grid 8x6x6 has 288/);
    const blank = await volumeOf([0, 1].map((z) => ({ name: `b${z}.dcm`, bytes: dicomSlice({ rows: 6, columns: 8, position: [0, 0, z] }) })));
    expect(() => writeDicomSeg(labels.subarray(0, 96), blank.source, { segments: SEGMENTS, algorithm: ALGO })).toThrow(
      /^the series has no valid StudyInstanceUID, FrameOfReferenceUID, the SOP class\/instance UID of slice 0 \(de-identified without UIDs\?\); a DICOM SEG cannot reference it$/,
    );
  });

  it('scanDicom lists a SEG among the segmentations, not as a series', async () => {
    const { bytes } = await fixture();
    const scan = scanDicom([...singleFrameSeries(6), { name: 'seg.dcm', bytes }]);
    expect(scan.series.map((s) => s.info.sliceCount)).toEqual([6]);
    expect(scan.segmentations.map((f) => f.name)).toEqual(['seg.dcm']);
    expect(scan.skipped).toEqual([]);
  });
});
