/** SEG terminology: every model label has a specific SNOMED CT code; CIELab display colours (D50 PCS). */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { data as dcm } from 'dcmjs';
import { CODED_ORGANS, canonicalName, dicomLabToRgb, organForCode, rgbToDicomLab, rgbToLab, segmentTerms } from '../../src/infer/io/terminology';
import { CASE_LABELS } from '../../src/infer/contract/labels';

const MODELS = resolve(__dirname, '../../models');
const cardLabels = readdirSync(MODELS)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => (JSON.parse(readFileSync(join(MODELS, f), 'utf8')) as { labels: { id: number; name: string; color: [number, number, number] }[] }).labels);

describe('segment terminology', () => {
  it('gives every label of every model card a specific anatomical code (SCT), distinct per organ', () => {
    const names = [...new Set(cardLabels.filter((l) => l.id > 0).map((l) => l.name))];
    expect(names.length).toBeGreaterThanOrEqual(9);
    const seen = new Set<string>();
    for (const n of names) {
      const t = segmentTerms(n);
      expect(t.generic, n).toBe(false);
      expect(t.category).toEqual({ value: '123037004', scheme: 'SCT', meaning: 'Anatomical Structure' });
      expect(t.type.scheme).toBe('SCT');
      seen.add(`${t.type.value}/${t.modifier?.value ?? ''}`);
      expect(organForCode(t.type, t.modifier)).toBe(n);
    }
    expect(seen.size).toBe(names.length);
    expect(segmentTerms('kidney_left')).toMatchObject({ type: { value: '64033007', meaning: 'Kidney' }, modifier: { value: '7771000', meaning: 'Left' } });
    expect(segmentTerms('Inferior vena cava').type.value).toBe('64131007');
  });

  it('gives an unknown name the generic Tissue code instead of failing', () => {
    const t = segmentTerms('lesion 3');
    expect(t.generic).toBe(true);
    expect([t.category.value, t.type.value, t.type.meaning]).toEqual(['85756007', '85756007', 'Tissue']);
    expect(organForCode({ value: '64033007', scheme: 'SCT' })).toBeUndefined();
    expect(canonicalName('  Kidney Right ')).toBe('kidney_right');
  });

  it('lists the organs in the ids of the 9-organ table (the SEG reader default)', () => {
    expect(CODED_ORGANS.map((n, i) => [i + 1, n])).toEqual(CASE_LABELS.slice(1).map((l) => [l.id, l.name]));
  });
});

describe('RecommendedDisplayCIELabValue', () => {
  it('maps sRGB white and red to CIELab relative to D50 (scaled to 0..65535)', () => {
    expect(rgbToDicomLab([255, 255, 255])).toEqual([65535, 32896, 32896]);
    expect(rgbToDicomLab([0, 0, 0])).toEqual([0, 32896, 32896]);
    // sRGB red in CIELab (D50, Bradford): L 54.29, a 80.80, b 69.89.
    const [l, a, b] = rgbToLab([255, 0, 0]);
    [54.29, 80.8, 69.89].forEach((want, i) => expect(Math.abs([l, a, b][i] - want)).toBeLessThan(0.02));
    // Those scaled: 54.29 * 65535 / 100, (80.80 + 128) * 65535 / 255, (69.89 + 128) * 65535 / 255 (within 3 of 65535).
    rgbToDicomLab([255, 0, 0]).forEach((v, i) => expect(Math.abs(v - [35579, 53663, 50858][i])).toBeLessThanOrEqual(3));
  });

  it('agrees with dcmjs on every card colour and inverts back to the same sRGB', () => {
    for (const { color } of cardLabels) {
      const lab = rgbToDicomLab(color);
      expect(lab.every((v) => Number.isInteger(v) && v >= 0 && v <= 65535)).toBe(true);
      const ref = dcm.Colors.rgb82DICOMLAB(color);
      lab.forEach((v, i) => expect(Math.abs(v - ref[i]), `${color} -> ${lab} vs ${ref}`).toBeLessThanOrEqual(2));
      expect(dicomLabToRgb(lab)).toEqual(color);
      expect(dcm.Colors.dicomlab2RGB8(lab)).toEqual(color);
    }
  });
});
