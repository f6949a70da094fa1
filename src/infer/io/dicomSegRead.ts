/**
 * A DICOM Segmentation (SEG) read with dicom-parser onto the grid of the open series: each frame goes
 * to the slice of the image it references (SOP instance, and frame for a multi-frame source), else to
 * the slice at its ImagePositionPatient (within half a slice). Segments become label ids by their name
 * or code when they name the label table's organs, else by segment number. Pure: Node and browser.
 */
import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { hasDicomMagic } from './dicom';
import type { DicomSource } from './dicomSource';
import { DicomSegError, SEG_SOP_CLASS_UID } from './dicomSeg';
import { CODED_ORGANS, canonicalName, dicomLabToRgb, organForCode } from './terminology';
import { errorText } from '../../util/errorText';

export interface ReadSegment {
  id: number;
  name: string;
  color: [number, number, number];
}

/** A label table entry: the label id a segment naming this organ becomes. */
export interface SegLabel {
  id: number;
  name: string;
  color: [number, number, number];
}

/** The organs with codes, ids 1..9 in their order: the project's 9-organ table (contract/labels.ts CASE_LABELS). */
const DEFAULT_TABLE: SegLabel[] = CODED_ORGANS.map((name, i) => ({ id: i + 1, name, color: [128, 128, 128] }));

export interface DicomSegRead {
  /** Label map on the source's grid (x = column, y = row, z = source.slices index). */
  labels: Uint8Array;
  segments: ReadSegment[];
  /** 'name': segments matched the label table's organs by name or code; 'number': label id = segment number. */
  mapping: 'name' | 'number';
  /** The series the SEG says it was derived from ('' when it does not say). */
  referencedSeriesUid: string;
  algorithm: { name: string; version: string } | null;
  /** A segment was edited by hand (SegmentAlgorithmType MANUAL or SEMIAUTOMATIC). */
  corrected: boolean;
  warnings: string[];
}

const T = {
  sopClass: 'x00080016', modality: 'x00080060', refSeries: 'x00081115', seriesUid: 'x0020000e', frameOfRef: 'x00200052',
  rows: 'x00280010', columns: 'x00280011', frames: 'x00280008', bits: 'x00280100', segType: 'x00620001', maxFraction: 'x0062000e',
  segments: 'x00620002', segNumber: 'x00620004', segLabel: 'x00620005', algoType: 'x00620008', algoName: 'x00620009',
  algoIdent: 'x00620007', algoVersion: 'x00660031', lab: 'x0062000d', propType: 'x0062000f', modifier: 'x00620011',
  codeValue: 'x00080100', scheme: 'x00080102', shared: 'x52009229', perFrame: 'x52009230', segId: 'x0062000a', refSegment: 'x0062000b',
  derivation: 'x00089124', sourceImage: 'x00082112', refInstance: 'x00081155', refFrame: 'x00081160',
  planePos: 'x00209113', position: 'x00200032', planeOri: 'x00209116', orientation: 'x00200037', pixelData: 'x7fe00010',
} as const;

const item = (ds: DataSet | undefined, seq: string): DataSet | undefined => ds?.elements[seq]?.items?.[0]?.dataSet;
const text = (ds: DataSet | undefined, tag: string) => (ds?.string(tag) ?? '').trim();
const nums = (s: string) => (s ? s.split('\\').map(Number) : []);
const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

function parse(bytes: Uint8Array, fileName: string): DataSet {
  try {
    return dicomParser.parseDicom(bytes, hasDicomMagic(bytes) ? undefined : { TransferSyntaxUID: '1.2.840.10008.1.2' });
  } catch (e) {
    throw new DicomSegError(`${fileName}: not DICOM (${errorText(e)})`);
  }
}

interface SegInfo { number: number; label: string; lab: [number, number, number] | null; organ: string | undefined; type: string }

function segmentsOf(ds: DataSet, fileName: string): SegInfo[] {
  const items = ds.elements[T.segments]?.items ?? [];
  if (items.length === 0) throw new DicomSegError(`${fileName}: the SEG has no SegmentSequence`);
  return items.map(({ dataSet: s }) => {
    const type = item(s, T.propType);
    const mod = item(type, T.modifier);
    const code = (d: DataSet | undefined) => (d ? { value: text(d, T.codeValue), scheme: text(d, T.scheme) } : undefined);
    const t = code(type);
    const hasLab = s?.elements[T.lab]?.length === 6;
    return {
      number: s?.uint16(T.segNumber) ?? 0,
      label: text(s, T.segLabel),
      lab: hasLab && s ? [0, 1, 2].map((i) => s.uint16(T.lab, i) ?? 0) as [number, number, number] : null,
      organ: t ? organForCode(t, code(mod)) : undefined,
      type: text(s, T.algoType),
    };
  });
}

/** Label ids for the segments: by organ name or code when every segment names a distinct organ of `table`, else by number. */
function mapSegments(segs: SegInfo[], table: SegLabel[], fileName: string) {
  const byName = segs.map((s) => table.find((l) => l.id > 0 && (canonicalName(s.label) === l.name || s.organ === l.name)));
  const ids = byName.map((l) => l?.id);
  if (byName.every((l) => l) && new Set(ids).size === ids.length) {
    const segments = segs.map((s, k) => ({ id: byName[k]!.id, name: byName[k]!.name, color: s.lab ? dicomLabToRgb(s.lab) : byName[k]!.color }));
    return { mapping: 'name' as const, segments };
  }
  const big = segs.find((s) => s.number < 1 || s.number > 255);
  if (big) throw new DicomSegError(`${fileName}: segment number ${big.number} cannot be a label id (1..255) and its name '${big.label}' is not a known organ`);
  const segments = segs.map((s, k) => ({ id: s.number, name: s.label || `segment ${s.number}`, color: s.lab ? dicomLabToRgb(s.lab) : (byName[k]?.color ?? [128, 128, 128]) }));
  return { mapping: 'number' as const, segments };
}

/** Where the frames go: by referenced image (and frame), else by position along the slice normal. */
function slicePlacer(source: DicomSource, fileName: string) {
  const byRef = new Map<string, number>();
  source.slices.forEach((s, z) => byRef.set(s.frame !== undefined ? `${s.sopInstanceUid}#${s.frame}` : s.sopInstanceUid, z));
  const o = source.orientation;
  const row = o.slice(0, 3), col = o.slice(3, 6);
  const normal = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];
  const d = source.slices.map((s) => dot(s.position, normal));
  const step = d.length > 1 ? Math.abs(d[d.length - 1] - d[0]) / (d.length - 1) : (source.sliceThickness ?? 1);
  const [dy, dx] = source.pixelSpacing;
  return (k: number, ref: { uid: string; frame: number | null } | null, pos: number[]): number => {
    if (ref) {
      const z = ref.frame !== null ? (byRef.get(`${ref.uid}#${ref.frame}`) ?? (ref.frame === 1 ? byRef.get(ref.uid) : undefined)) : byRef.get(ref.uid);
      if (z !== undefined) return z;
    }
    if (pos.length !== 3 || !pos.every(Number.isFinite)) {
      throw new DicomSegError(`${fileName}: frame ${k + 1} references no image of the open series and has no ImagePositionPatient`);
    }
    const at = dot(pos, normal);
    let z = 0;
    for (let i = 1; i < d.length; i++) if (Math.abs(d[i] - at) < Math.abs(d[z] - at)) z = i;
    if (Math.abs(d[z] - at) > step / 2) throw new DicomSegError(`${fileName}: frame ${k + 1} lies ${Math.abs(d[z] - at).toFixed(2)} mm from the nearest slice of the open series`);
    const off = [0, 1, 2].map((i) => pos[i] - source.slices[z].position[i]);
    if (Math.abs(dot(off, row)) > dx / 2 || Math.abs(dot(off, col)) > dy / 2) {
      throw new DicomSegError(`${fileName}: frame ${k + 1} is shifted in-plane from the series grid (${dot(off, row).toFixed(2)}, ${dot(off, col).toFixed(2)} mm)`);
    }
    return z;
  };
}

/**
 * Reads a SEG onto `source`'s grid. `table` names the label ids (a model card's labels; default: the
 * 9-organ table). Throws a one-line `DicomSegError` for: not a SEG, a SEG of another series or frame
 * of reference, frames of another size or orientation, compressed pixel data, frames that cannot be
 * placed. A FRACTIONAL SEG is read as binary at half its MaximumFractionalValue.
 */
export function readDicomSeg(bytes: Uint8Array, source: DicomSource, fileName: string, table: SegLabel[] = DEFAULT_TABLE): DicomSegRead {
  const ds = parse(bytes, fileName);
  const sopClass = text(ds, T.sopClass), modality = text(ds, T.modality);
  if (sopClass !== SEG_SOP_CLASS_UID && modality !== 'SEG') {
    throw new DicomSegError(`${fileName}: not a DICOM SEG (SOP class ${sopClass || 'none'}, modality ${modality || 'none'})`);
  }
  const series = (ds.elements[T.refSeries]?.items ?? []).map((i) => text(i.dataSet, T.seriesUid)).filter(Boolean);
  if (series.length && !series.includes(source.seriesInstanceUid)) {
    throw new DicomSegError(`${fileName}: the SEG references series ${series.join(', ')}, the open series is ${source.seriesInstanceUid}`);
  }
  const forUid = text(ds, T.frameOfRef);
  if (forUid && source.frameOfReferenceUid && forUid !== source.frameOfReferenceUid) {
    throw new DicomSegError(`${fileName}: the SEG is in frame of reference ${forUid}, the open series in ${source.frameOfReferenceUid}`);
  }
  const rows = ds.uint16(T.rows) ?? 0, columns = ds.uint16(T.columns) ?? 0;
  if (rows !== source.rows || columns !== source.columns) {
    throw new DicomSegError(`${fileName}: the SEG's frames are ${columns}x${rows}, the open series' slices ${source.columns}x${source.rows}`);
  }
  const segType = text(ds, T.segType);
  const bits = ds.uint16(T.bits) ?? 0;
  const max = segType === 'FRACTIONAL' ? (ds.uint16(T.maxFraction) ?? 0) : 1;
  if (!((segType === 'BINARY' && bits === 1) || (segType === 'FRACTIONAL' && bits === 8 && max > 0))) {
    throw new DicomSegError(`${fileName}: SegmentationType ${segType || 'none'} with ${bits} bits allocated is not a binary (1 bit) or fractional (8 bit) SEG`);
  }
  const pixel = ds.elements[T.pixelData];
  if (!pixel) throw new DicomSegError(`${fileName}: the SEG has no pixel data`);
  if (pixel.encapsulatedPixelData) throw new DicomSegError(`${fileName}: compressed SEG pixel data is not supported; write the SEG uncompressed`);
  const nFrames = Number(text(ds, T.frames) || '1');
  const plane = rows * columns;
  const need = segType === 'BINARY' ? Math.ceil((nFrames * plane) / 8) : nFrames * plane;
  if (!Number.isInteger(nFrames) || nFrames < 1 || pixel.length < need) {
    throw new DicomSegError(`${fileName}: pixel data has ${pixel.length} bytes, ${nFrames} frames of ${columns}x${rows} need ${need}`);
  }
  const px = bytes.subarray(pixel.dataOffset, pixel.dataOffset + need);
  const on = segType === 'BINARY' ? (i: number) => (px[i >> 3] >> (i & 7)) & 1 : (i: number) => (2 * px[i] >= max ? 1 : 0);

  const segs = segmentsOf(ds, fileName);
  const { mapping, segments } = mapSegments(segs, table, fileName);
  const idOf = new Map(segs.map((s, k) => [s.number, segments[k].id]));
  const shared = item(ds, T.shared);
  const perFrame = ds.elements[T.perFrame]?.items ?? [];
  const ori = nums(text(item(perFrame[0]?.dataSet, T.planeOri) ?? item(shared, T.planeOri), T.orientation));
  if (ori.length === 6 && (dot(ori.slice(0, 3), source.orientation.slice(0, 3)) < 0.9999 || dot(ori.slice(3), source.orientation.slice(3)) < 0.9999)) {
    throw new DicomSegError(`${fileName}: the SEG's frames are oriented ${ori.join('\\')}, the open series ${source.orientation.join('\\')}`);
  }
  const place = slicePlacer(source, fileName);
  const labels = new Uint8Array(plane * source.slices.length);
  let overlap = 0;
  for (let k = 0; k < nFrames; k++) {
    const groups = [perFrame[k]?.dataSet, shared];
    const seg = groups.map((g) => item(g, T.segId)?.uint16(T.refSegment)).find((v) => v !== undefined);
    const id = seg !== undefined ? idOf.get(seg) : segs.length === 1 ? segments[0].id : undefined;
    if (id === undefined) throw new DicomSegError(`${fileName}: frame ${k + 1} refers to segment ${seg ?? '(none)'}, which the SegmentSequence does not describe`);
    const src = groups.map((g) => item(item(g, T.derivation), T.sourceImage)).find((v) => v !== undefined);
    const frameNo = src?.string(T.refFrame);
    const ref = src && text(src, T.refInstance) ? { uid: text(src, T.refInstance), frame: frameNo ? Number(frameNo) : null } : null;
    const pos = nums(groups.map((g) => text(item(g, T.planePos), T.position)).find(Boolean) ?? '');
    const base = place(k, ref, pos) * plane;
    for (let p = 0; p < plane; p++) {
      if (!on(k * plane + p)) continue;
      const old = labels[base + p];
      if (old !== 0 && old !== id) overlap++;
      labels[base + p] = id;
    }
  }
  const warnings = overlap ? [`${fileName}: ${overlap} voxels are in more than one segment; each keeps the later segment`] : [];
  const first = ds.elements[T.segments]?.items?.[0]?.dataSet;
  const algoName = text(first, T.algoName);
  return {
    labels, segments, mapping, warnings,
    referencedSeriesUid: series[0] ?? '',
    algorithm: algoName ? { name: algoName, version: text(item(first, T.algoIdent), T.algoVersion) } : null,
    corrected: segs.some((s) => s.type === 'MANUAL' || s.type === 'SEMIAUTOMATIC'),
  };
}
