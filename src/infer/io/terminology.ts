/**
 * Coded anatomy and display colour for the segments of a DICOM Segmentation (SEG).
 *
 * Codes (SNOMED CT, designator "SCT"): the category is "Anatomical Structure" (SCT 123037004) from
 * CID 7150 Segmentation Property Category, the type an organ from CID 7151 Segmentation Property
 * Type (through CID 7192 Anatomical Structure Segmentation Property Type, which includes CID 4):
 *   https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_7150.html
 *   https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_7151.html
 * A paired organ is the generic organ (Kidney, SCT 64033007) with its laterality as a type modifier
 * (Right SCT 24028007, Left SCT 7771000), as 3D Slicer's "DICOM master list" terminology and its
 * TotalSegmentator mapping do (github.com/lassoan/SlicerTotalSegmentator, TotalSegmentator.py).
 * No AnatomicRegionSequence is written: the segmented property is itself the anatomy, and a region
 * would only repeat it (a region locates a property that is not anatomy, such as a lesion).
 *
 * Colours: RecommendedDisplayCIELabValue holds CIELab as ICC PCS values, whose reference white is
 * D50 (PS3.3 C.10.7.1.1): an sRGB colour (D65 white) is adapted to D50 (Bradford) before Lab, and the
 * three values are scaled to 0..65535 (L 0..100, a and b -128..127).
 */

export interface CodedConcept {
  value: string;
  scheme: string;
  meaning: string;
}

export interface SegmentTerms {
  category: CodedConcept;
  type: CodedConcept;
  /** Laterality of a paired organ (SegmentedPropertyTypeModifierCodeSequence). */
  modifier?: CodedConcept;
  /** True for the fallback code of a name that is not a known organ. */
  generic: boolean;
}

const sct = (value: string, meaning: string): CodedConcept => ({ value, scheme: 'SCT', meaning });

const ANATOMICAL_STRUCTURE = sct('123037004', 'Anatomical Structure');
const TISSUE = sct('85756007', 'Tissue');
const RIGHT = sct('24028007', 'Right');
const LEFT = sct('7771000', 'Left');
const KIDNEY = sct('64033007', 'Kidney');

/** The organs of the project's label tables, by label name. */
const ORGANS: Readonly<Record<string, { type: CodedConcept; modifier?: CodedConcept }>> = {
  liver: { type: sct('10200004', 'Liver') },
  spleen: { type: sct('78961009', 'Spleen') },
  kidney_right: { type: KIDNEY, modifier: RIGHT },
  kidney_left: { type: KIDNEY, modifier: LEFT },
  stomach: { type: sct('69695003', 'Stomach') },
  pancreas: { type: sct('15776009', 'Pancreas') },
  gallbladder: { type: sct('28231008', 'Gallbladder') },
  aorta: { type: sct('15825003', 'Aorta') },
  inferior_vena_cava: { type: sct('64131007', 'Inferior vena cava') },
};

/** The label names with a specific code. */
export const CODED_ORGANS: readonly string[] = Object.keys(ORGANS);

/** A label name as the tables spell it: lower case, words joined by "_" ("Kidney right" -> "kidney_right"). */
export function canonicalName(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** The coded category and type of a segment named `name`; an unknown name gets the generic Tissue code. */
export function segmentTerms(name: string): SegmentTerms {
  const organ = ORGANS[canonicalName(name)];
  if (!organ) return { category: TISSUE, type: TISSUE, generic: true };
  return { category: ANATOMICAL_STRUCTURE, ...organ, generic: false };
}

/** The organ label name whose code is (type, modifier), if any: how a SEG from another tool is matched. */
export function organForCode(type: { value: string; scheme: string }, modifier?: { value: string; scheme: string }): string | undefined {
  const same = (a?: { value: string; scheme: string }, b?: CodedConcept) => (!a && !b) || (!!a && !!b && a.value === b.value && a.scheme === b.scheme);
  return CODED_ORGANS.find((n) => same(type, ORGANS[n].type) && same(modifier, ORGANS[n].modifier));
}

type Rgb = [number, number, number];
type Triple = [number, number, number];

/** Linear sRGB to CIE XYZ relative to D50 (sRGB primaries, Bradford-adapted from D65; Lindbloom's matrix). */
const RGB_TO_XYZ50: readonly Triple[] = [
  [0.4360747, 0.3850649, 0.1430804],
  [0.2225045, 0.7168786, 0.0606169],
  [0.0139322, 0.0971045, 0.7141733],
];
const XYZ50_TO_RGB: readonly Triple[] = [
  [3.1338561, -1.6168667, -0.4906146],
  [-0.9787684, 1.9161415, 0.033454],
  [0.0719453, -0.2289914, 1.4052427],
];
const D50: Triple = [0.96422, 1, 0.82521];

const mul = (m: readonly Triple[], v: Triple): Triple => m.map((r) => r[0] * v[0] + r[1] * v[1] + r[2] * v[2]) as Triple;
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toGamma = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
const EPS = (6 / 29) ** 3;
const f = (t: number) => (t > EPS ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
const fInv = (t: number) => (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** sRGB 0..255 to CIELab (L 0..100; D50 white). */
export function rgbToLab(rgb: Rgb): Triple {
  const [x, y, z] = mul(RGB_TO_XYZ50, rgb.map((c) => toLinear(c / 255)) as Triple).map((v, i) => f(v / D50[i]));
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** CIELab (D50 white) to sRGB 0..255, rounded, out-of-gamut channels clipped. */
export function labToRgb(lab: Triple): Rgb {
  const y = (lab[0] + 16) / 116;
  const xyz = [y + lab[1] / 500, y, y - lab[2] / 200].map((t, i) => fInv(t) * D50[i]) as Triple;
  return mul(XYZ50_TO_RGB, xyz).map((c) => Math.round(255 * toGamma(clamp(c, 0, 1)))) as Rgb;
}

/** sRGB 0..255 to RecommendedDisplayCIELabValue (three unsigned 16-bit values). */
export function rgbToDicomLab(rgb: Rgb): Triple {
  const [l, a, b] = rgbToLab(rgb);
  return [(l * 65535) / 100, ((a + 128) * 65535) / 255, ((b + 128) * 65535) / 255].map((v) => clamp(Math.round(v), 0, 65535)) as Triple;
}

/** RecommendedDisplayCIELabValue to sRGB 0..255. */
export function dicomLabToRgb(lab: Triple): Rgb {
  return labToRgb([(lab[0] * 100) / 65535, (lab[1] * 255) / 65535 - 128, (lab[2] * 255) / 65535 - 128]);
}
