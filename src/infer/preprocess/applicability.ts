/**
 * Applicability checks: is this scan one the model can be trusted on, and does its result look like
 * the organs the model was trained on? Pure (no DOM, no Node), shared by the CLI and the app's worker.
 * Every check returns one-line warnings a user understands; none refuses to run.
 *
 * Before running: not a CT in HU (ctCheck's histogram test), a field of view thinner head-foot than
 * one model patch, an in-plane field of view that cuts the body off, a voxel size far from the model's,
 * an oblique acquisition.
 * After running: organ volumes outside the range the card records from training
 * (`card.applicability.organVolumeMl`), and no liver in a scan long enough to usually show it.
 *
 * Directions are taken in the patient's frame (canonical RAS axes from the header's affine), so a scan
 * stored z, y, x is judged by its head-foot extent, not by its third voxel axis.
 */
import type { LabelInfo, ModelCard } from '../contract/modelCard';
import type { NiftiVolume } from '../io/nifti';
import type { Vec3 } from '../io/niftiHeader';
import { ctWarnings } from './ctCheck';
import { type Orientation, orientationOf, toCanonicalTriple } from './orientation';
import { modelGridProblem } from './grid';
import { resampledDims } from './resample';

/** Tilt (degrees) from the closest patient axes above which a scan counts as oblique. */
export const OBLIQUE_DEG = 1;
/** A voxel size more than this many times the model's, on any axis, is too coarse. */
export const COARSE_FACTOR = 2;
/**
 * A voxel size below this fraction of the model's, on any axis, is too fine. Typical clinical CT
 * (0.6-0.8 mm in-plane) against a 3 mm model stays above it: the pipeline resamples those routinely.
 */
export const FINE_FACTOR = 1 / 6;
/** Head-foot extent (mm) from which an abdominal CT usually shows the liver. */
export const LIVER_IN_VIEW_MM = 150;
/** Organ volume ranges are [MIN_FACTOR x smallest, MAX_FACTOR x largest] of the training cases. */
export const RANGE_FACTORS: [number, number] = [0.5, 2];

const AXES = ['left-right', 'front-back', 'head-foot'];
const IDENTITY: Orientation = { source: [0, 1, 2], flip: [false, false, false], obliqueDeg: 0, inputCode: 'RAS' };

/** The closest canonical orientation; an affine that is missing or degenerate counts as RAS. */
export function safeOrientation(affine: readonly number[]): Orientation {
  if (affine.length !== 16) return IDENTITY;
  try {
    return orientationOf(affine);
  } catch {
    return IDENTITY;
  }
}

const mm = (x: number) => (Math.abs(x - Math.round(x)) < 0.05 ? x.toFixed(0) : x.toFixed(x < 10 ? 2 : 1));
const triple = (t: readonly number[]) => t.map(mm).join(' x ');

/** Field of view thinner head-foot than one model patch. */
export function fieldOfViewWarning(volume: Pick<NiftiVolume, 'dims' | 'spacing'>, o: Orientation, card: ModelCard): string | null {
  const slices = toCanonicalTriple(volume.dims, o)[2];
  const extent = slices * toCanonicalTriple(volume.spacing, o)[2];
  const patch = card.patchSize[2] * card.spacing[2];
  if (extent >= patch) return null;
  return `the scan covers only ${mm(extent)} mm head-foot (${slices} slices), less than the ${mm(patch)} mm the model sees at once; organs cut off at the scan's ends may be missed or mislabelled`;
}

/** Share of the in-plane border (per slice) that must be body for the slice to count as cut. */
export const CUT_BORDER_SHARE = 0.1;
/** Share of slices that must be cut for the scan's field of view to count as cutting the body off. */
export const CUT_SLICE_SHARE = 0.25;
const BODY_EDGE_HU = -500;

type Scan = Pick<NiftiVolume, 'dims' | 'spacing' | 'affine'> & { data?: ArrayLike<number> };

/**
 * Whether the in-plane field of view cuts the body off (a targeted reconstruction): on at least
 * CUT_SLICE_SHARE of the axial slices, at least CUT_BORDER_SHARE of the slice's border voxels are body
 * (above -500 HU). A table crossing the border or an arm touching it does not reach that share.
 */
export function bodyCutOff(volume: Scan): boolean {
  const data = volume.data;
  if (!data) return false;
  // Not a CT in HU (no air anywhere): ctCheck says so; nothing to judge here.
  let air = false;
  for (let i = 0; i < data.length && !air; i++) air = data[i] <= BODY_EDGE_HU;
  if (!air) return false;
  const o = safeOrientation(volume.affine);
  const [ax, ay, az] = o.source;
  const d = volume.dims;
  const stride: Vec3 = [1, d[0], d[0] * d[1]];
  const nx = d[ax], ny = d[ay], nz = d[az];
  if (nx < 3 || ny < 3) return false;
  const perimeter = 2 * (nx + ny) - 4;
  let cut = 0;
  for (let z = 0; z < nz; z++) {
    const base = z * stride[az];
    const at = (x: number, y: number) => data[base + x * stride[ax] + y * stride[ay]];
    let body = 0;
    for (let x = 0; x < nx; x++) body += (at(x, 0) > BODY_EDGE_HU ? 1 : 0) + (at(x, ny - 1) > BODY_EDGE_HU ? 1 : 0);
    for (let y = 1; y < ny - 1; y++) body += (at(0, y) > BODY_EDGE_HU ? 1 : 0) + (at(nx - 1, y) > BODY_EDGE_HU ? 1 : 0);
    if (body >= CUT_BORDER_SHARE * perimeter) cut++;
  }
  return cut >= CUT_SLICE_SHARE * nz;
}

export const BODY_CUT_WARNING = 'the field of view cuts the body off at the image\'s edge (a targeted reconstruction): organs near the edge may be incomplete, and the model places its whole-volume context less reliably';

/** Voxel size far from the model's on any axis (compared in patient axes). */
export function spacingWarning(spacing: Vec3, o: Orientation, card: ModelCard): string | null {
  const s = toCanonicalTriple(spacing, o);
  const coarse = [0, 1, 2].filter((a) => s[a] > COARSE_FACTOR * card.spacing[a]);
  const fine = [0, 1, 2].filter((a) => s[a] < FINE_FACTOR * card.spacing[a]);
  if (coarse.length === 0 && fine.length === 0) return null;
  const parts: string[] = [];
  if (coarse.length) parts.push(`over ${COARSE_FACTOR}x coarser ${coarse.map((a) => AXES[a]).join(' and ')}: detail the model relies on is missing`);
  if (fine.length) parts.push(`under 1/${Math.round(1 / FINE_FACTOR)} of it ${fine.map((a) => AXES[a]).join(' and ')}: the scan is downsampled without smoothing, so noise is not averaged out`);
  return `the voxel size (${triple(s)} mm, left-right x front-back x head-foot) is far from the model's ${triple(card.spacing)} mm (${parts.join('; ')}); results may be less accurate`;
}

/**
 * Oblique acquisition. The wording matches the warning preprocess gives when it reads an oblique scan
 * along its closest axes, so the two merge into one line.
 */
export function obliqueWarning(o: Orientation): string | null {
  if (!(o.obliqueDeg > OBLIQUE_DEG)) return null;
  return `the scan is oblique (${o.obliqueDeg.toFixed(1)}° off its closest axes); it is read along the closest axes (${o.inputCode}) without rotating, so positions may be slightly off`;
}

/** The model grid this scan would need, when it is impossibly large (preprocess refuses it with the same words). */
export function gridWarning(volume: Pick<NiftiVolume, 'dims' | 'spacing'>, o: Orientation, card: ModelCard): string | null {
  const [dims, spacing] = [toCanonicalTriple(volume.dims, o), toCanonicalTriple(volume.spacing, o)];
  return modelGridProblem(dims, resampledDims(dims, spacing, card.spacing), spacing, card.spacing);
}

/** Geometry checks only (a model grid too large to make, field of view, voxel size, obliquity). */
export function geometryWarnings(volume: Scan, card: ModelCard, bodyCut = bodyCutOff(volume), o = safeOrientation(volume.affine)): string[] {
  // A scan that cannot be put on the model grid gets that one line: the other checks would only echo its voxel size.
  const grid = gridWarning(volume, o, card);
  if (grid) return [grid];
  return [fieldOfViewWarning(volume, o, card), bodyCut ? BODY_CUT_WARNING : null, spacingWarning(volume.spacing, o, card), obliqueWarning(o)].filter(
    (w): w is string => w !== null,
  );
}

/** Everything knowable before running the model: reading warnings, the HU histogram, geometry. */
export function checkBeforeRun(volume: NiftiVolume, card: ModelCard): string[] {
  return mergeWarnings(volume.warnings, ctWarnings(volume.data), geometryWarnings(volume, card));
}

/** Concatenates warning lists, dropping exact repeats (first occurrence kept). */
export function mergeWarnings(...lists: readonly string[][]): string[] {
  return [...new Set(lists.flat())];
}

/** Per label id: whether any voxel of it lies on one of the volume's six faces. */
function touchesBorder(labels: Uint8Array, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(256);
  for (let z = 0; z < nz; z++) {
    const zFace = z === 0 || z === nz - 1;
    for (let y = 0; y < ny; y++) {
      const row = nx * (y + ny * z);
      if (zFace || y === 0 || y === ny - 1) {
        for (let x = 0; x < nx; x++) out[labels[row + x]] = 1;
      } else {
        out[labels[row]] = 1;
        out[labels[row + nx - 1]] = 1;
      }
    }
  }
  return out;
}

const ml = (x: number) => (x >= 100 || Number.isInteger(x) ? x.toFixed(0) : x.toFixed(1));

/** Organ volumes outside the card's training ranges; small volumes of organs cut off by the scan's edge are expected. */
export function organVolumeWarnings(
  labels: Uint8Array,
  dims: Vec3,
  volumesMl: Record<number, number>,
  card: ModelCard,
  bodyCut = false,
): string[] {
  const ranges = card.applicability?.organVolumeMl;
  if (!ranges) return [];
  const cut = touchesBorder(labels, dims);
  const out: string[] = [];
  for (const l of card.labels) {
    const range = ranges[l.name];
    const v = volumesMl[l.id] ?? 0;
    if (!range || l.id === 0 || v <= 0) continue;
    const span = `the ${ml(range[0])}-${ml(range[1])} mL expected from the training data`;
    if (v > range[1]) {
      out.push(`${l.name}: ${ml(v)} mL, above ${span}; the segmentation may have spread into neighbouring tissue`);
    } else if (v < range[0] && !cut[l.id]) {
      out.push(bodyCut
        ? `${l.name}: ${ml(v)} mL, below ${span}; the field of view cuts the body off, so part of it may lie outside the scan or have been missed`
        : `${l.name}: ${ml(v)} mL, below ${span} although the scan does not cut it off; part of it may have been missed`);
    }
  }
  return out;
}

/** No liver in a scan long enough head-foot to usually show it (conservative: nothing else is judged). */
export function missingOrganWarnings(
  volume: Pick<NiftiVolume, 'dims' | 'spacing' | 'affine'>,
  volumesMl: Record<number, number>,
  card: ModelCard,
): string[] {
  const liver = card.labels.find((l) => l.name === 'liver');
  if (!liver || (volumesMl[liver.id] ?? 0) > 0) return [];
  const o = safeOrientation(volume.affine);
  const extent = toCanonicalTriple(volume.dims, o)[2] * toCanonicalTriple(volume.spacing, o)[2];
  if (extent <= LIVER_IN_VIEW_MM) return [];
  return [
    `no liver was found although the scan covers ${mm(extent)} mm head-foot, enough to usually include it; the segmentation has probably failed (or the scan does not reach the upper abdomen)`,
  ];
}

/** Checks of a finished segmentation (labels on the input's grid, volumes in mL by label id). */
export function checkAfterRun(
  volume: Scan,
  labels: Uint8Array,
  volumesMl: Record<number, number>,
  card: ModelCard,
  bodyCut = bodyCutOff(volume),
): string[] {
  return [...organVolumeWarnings(labels, volume.dims, volumesMl, card, bodyCut), ...missingOrganWarnings(volume, volumesMl, card)];
}

/** A training case for `organVolumeRanges`: its label map and voxel size. */
export interface LabelledCase {
  labels: ArrayLike<number>;
  spacing: Vec3;
}

/**
 * The card's `applicability.organVolumeMl` from the training label maps: for each organ present in at
 * least one case, [RANGE_FACTORS[0] x smallest, RANGE_FACTORS[1] x largest] volume in mL. Pass whole
 * cases (a slab's cut-off organs would widen the low end, which only makes the check more lenient).
 */
export function organVolumeRanges(cases: readonly LabelledCase[], labels: readonly LabelInfo[]): Record<string, [number, number]> {
  const lo = new Float64Array(256).fill(Infinity);
  const hi = new Float64Array(256);
  for (const c of cases) {
    const counts = new Float64Array(256);
    for (let i = 0; i < c.labels.length; i++) counts[c.labels[i]]++;
    const voxelMl = (c.spacing[0] * c.spacing[1] * c.spacing[2]) / 1000;
    for (let id = 1; id < 256; id++) {
      if (counts[id] === 0) continue;
      lo[id] = Math.min(lo[id], counts[id] * voxelMl);
      hi[id] = Math.max(hi[id], counts[id] * voxelMl);
    }
  }
  const out: Record<string, [number, number]> = {};
  for (const l of labels) {
    if (l.id === 0 || hi[l.id] === 0) continue;
    const round = (x: number) => Math.round(x * 10) / 10;
    out[l.name] = [round(RANGE_FACTORS[0] * lo[l.id]), round(RANGE_FACTORS[1] * hi[l.id])];
  }
  return out;
}
