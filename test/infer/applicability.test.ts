import { describe, expect, it } from 'vitest';
import {
  BODY_CUT_WARNING, bodyCutOff, checkAfterRun, checkBeforeRun, geometryWarnings, mergeWarnings, organVolumeRanges,
} from '../../src/infer/preprocess/applicability';
import { ModelCardError, parseModelCard } from '../../src/infer/contract/cardCheck';
import type { ModelCard } from '../../src/infer/contract/modelCard';
import { organVolumesMl } from '../../src/infer/eval/metrics';
import { makeVariant } from '../../src/infer/eval/variants';
import { type NiftiVolume, makeNiftiHeader } from '../../src/infer/io/nifti';
import { type Vec3, centredAffine } from '../../src/infer/io/niftiHeader';
import { type RunTile, segmentVolume } from '../../src/infer/pipeline';
import { ctWarnings } from '../../src/infer/preprocess/ctCheck';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { testCard } from './cardFixture';

/** Like the bundled fine-tiny: 3 mm, patch 32 x 32 x 16 (48 mm head-foot). */
const card = testCard({ spacing: [3, 3, 3], patchSize: [32, 32, 16] });

function ct(dims: Vec3 = [40, 32, 20], spacing: Vec3 = [3, 3, 3], affine = centredAffine(dims, spacing), seed = 4): NiftiVolume {
  const p = makePhantom({ dims, spacing, seed });
  return { dims, spacing, data: p.image, affine, datatype: 16, header: makeNiftiHeader(dims, spacing, affine), warnings: [] };
}

function rotatedAffine(dims: Vec3, spacing: Vec3, deg: number): number[] {
  const a = centredAffine(dims, spacing);
  const t = (deg * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  return [c * a[0], -s * a[5], 0, a[3], s * a[0], c * a[5], 0, a[7], 0, 0, a[10], a[11], 0, 0, 0, 1];
}

const phantom = ct();

describe('before running: each check fires on the input made for it, and not on a normal phantom CT', () => {
  it('a normal phantom CT passes every check', () => {
    expect(checkBeforeRun(phantom, card)).toEqual([]);
    expect(ctWarnings(ct([64, 56, 32], [6, 6, 8]).data)).toEqual([]);
  });

  it('not CT in HU: a label map, an MR-like range, raw CT numbers, CT in other units', () => {
    const labels = Float32Array.from(makePhantom({ dims: [40, 32, 20], spacing: [3, 3, 3], seed: 4 }).labels);
    expect(checkBeforeRun({ ...phantom, data: labels }, card)).toEqual([
      'the image holds only 10 distinct integer values (0..9), so it looks like a label map, not a CT; the model was trained on CT in Hounsfield units; check that this file is one',
    ]);
    const mr = Float32Array.from(phantom.data, (_, i) => 200 + ((i * 37) % 800));
    expect(checkBeforeRun({ ...phantom, data: mr }, card)).toEqual([
      'the lowest value is 200.0 but air in CT is about -1000 HU; the model was trained on CT in Hounsfield units; check that this file is one',
    ]);
    const raw = Float32Array.from(phantom.data, (v) => Math.max(0, v + 1024));
    expect(checkBeforeRun({ ...phantom, data: raw }, card)[0]).toMatch(
      /^the lowest value is 0.0 and much of the image lies near \+1024, as in raw CT numbers stored without their -1024 rescale intercept; the model was trained on CT/,
    );
    const tenfold = Float32Array.from(phantom.data, (v) => 10 * v);
    expect(checkBeforeRun({ ...phantom, data: tenfold }, card)[0]).toMatch(
      /^only \d+(\.\d)?% of the voxels above -500 lie in the soft-tissue range 0..100 HU \(about 25-50% in an abdominal CT\), so the values do not look like Hounsfield units/,
    );
    const normalised = Float32Array.from(phantom.data, (v) => v / 1000);
    expect(checkBeforeRun({ ...phantom, data: normalised }, card)[0]).toMatch(/narrow range, as in an intensity-normalised image/);
  });

  it('a field of view thinner head-foot than one patch, judged in patient axes', () => {
    const thin = ct([40, 32, 10]);
    expect(checkBeforeRun(thin, card)).toEqual([
      "the scan covers only 30 mm head-foot (10 slices), less than the 48 mm the model sees at once; organs cut off at the scan's ends may be missed or mislabelled",
    ]);
    // Stored z, y, x: the third voxel axis is 120 mm long, but head-foot is still 42 mm.
    const base = ct([40, 32, 14]);
    const zyx = makeVariant({ ct: base, ref: { ...base, data: new Float32Array(base.data.length).fill(1) } }, 'zyx').ct;
    expect(zyx.dims).toEqual([14, 32, 40]);
    expect(geometryWarnings(zyx, card)).toEqual([expect.stringMatching(/^the scan covers only 42 mm head-foot \(14 slices\)/)]);
  });

  it('a voxel size far from the model\'s', () => {
    expect(geometryWarnings(ct([40, 32, 8], [3, 3, 7]), card)).toEqual([
      "the voxel size (3 x 3 x 7 mm, left-right x front-back x head-foot) is far from the model's 3 x 3 x 3 mm (over 2x coarser head-foot: detail the model relies on is missing); results may be less accurate",
    ]);
    expect(geometryWarnings(ct([200, 160, 20], [0.4, 0.4, 3]), card)).toEqual([
      "the voxel size (0.40 x 0.40 x 3 mm, left-right x front-back x head-foot) is far from the model's 3 x 3 x 3 mm (under 1/6 of it left-right and front-back: the scan is downsampled without smoothing, so noise is not averaged out); results may be less accurate",
    ]);
    expect(geometryWarnings(ct([160, 128, 30], [0.7, 0.7, 2]), card)).toEqual([]);
  });

  it('an oblique orientation', () => {
    const dims: Vec3 = [40, 32, 20];
    expect(geometryWarnings(ct(dims, [3, 3, 3], rotatedAffine(dims, [3, 3, 3], 10)), card)).toEqual([
      'the scan is oblique (10.0° off its closest axes); it is read along the closest axes (RAS) without rotating, so positions may be slightly off',
    ]);
    expect(geometryWarnings(ct(dims, [3, 3, 3], rotatedAffine(dims, [3, 3, 3], 0.5)), card)).toEqual([]);
  });

  it('merges repeated warnings into one line', () => {
    expect(mergeWarnings(['a', 'b'], ['b', 'c'], [])).toEqual(['a', 'b', 'c']);
  });
});

describe('after running', () => {
  const dims: Vec3 = [20, 20, 20];
  const spacing: Vec3 = [10, 10, 10];
  const volume = { dims, spacing, affine: centredAffine(dims, spacing) };
  const ranged: ModelCard = { ...card, applicability: { organVolumeMl: { liver: [500, 2000], spleen: [50, 400] } } };
  /** A cube of `id` with side `n` voxels (1 mL each), at `start`. */
  function cube(n: number, start: number, id = 1, into: Uint8Array = new Uint8Array(8000)): Uint8Array {
    for (let z = start; z < start + n; z++) for (let y = start; y < start + n; y++) for (let x = start; x < start + n; x++) into[x + 20 * (y + 20 * z)] = id;
    return into;
  }
  const check = (labels: Uint8Array, c: ModelCard = ranged) => checkAfterRun(volume, labels, organVolumesMl(labels, spacing, c.labels.map((l) => l.id)), c);

  it('organ volumes outside the card\'s training range', () => {
    expect(check(cube(14, 1))).toEqual([
      'liver: 2744 mL, above the 500-2000 mL expected from the training data; the segmentation may have spread into neighbouring tissue',
    ]);
    expect(check(cube(6, 5))).toEqual([
      'liver: 216 mL, below the 500-2000 mL expected from the training data although the scan does not cut it off; part of it may have been missed',
    ]);
    expect(check(cube(3, 2, 2, cube(10, 5)))).toEqual([
      'spleen: 27 mL, below the 50-400 mL expected from the training data although the scan does not cut it off; part of it may have been missed',
    ]);
    expect(check(cube(10, 4))).toEqual([]);
  });

  it('a small organ cut off by the scan\'s edge is expected, and no range means no check', () => {
    expect(check(cube(6, 0))).toEqual([]);
    expect(check(cube(6, 5), card)).toEqual([]);
  });

  it('no liver in a scan long enough to show it', () => {
    const long = { dims: [20, 20, 40] as Vec3, spacing: [5, 5, 5] as Vec3, affine: centredAffine([20, 20, 40], [5, 5, 5]) };
    const spleenOnly = new Uint8Array(16000);
    spleenOnly[100] = 2;
    expect(checkAfterRun(long, spleenOnly, { 1: 0, 2: 0.125 }, card)).toEqual([
      'no liver was found although the scan covers 200 mm head-foot, enough to usually include it; the segmentation has probably failed (or the scan does not reach the upper abdomen)',
    ]);
    const short = { dims, spacing: [5, 5, 5] as Vec3, affine: centredAffine(dims, [5, 5, 5]) };
    expect(checkAfterRun(short, new Uint8Array(8000), { 1: 0 }, card)).toEqual([]);
    expect(checkAfterRun(long, spleenOnly, { 1: 3, 2: 0.125 }, card)).toEqual([]);
  });
});

describe('segmentVolume appends the checks to its warnings', () => {
  /** A stand-in network that sees only background. */
  const background: RunTile = async (image) => {
    const m = image.length;
    const out = new Float32Array(card.labels.length * m);
    out.fill(1, 0, m);
    return out;
  };

  it('geometry before and organs after, once each', async () => {
    const long = ct([40, 32, 60], [3, 3, 3]);
    const res = await segmentVolume({ ...long, spacing: [3, 3, 3] }, card, background);
    expect(res.warnings).toEqual([expect.stringMatching(/^no liver was found although the scan covers 180 mm head-foot/)]);
    const thin = await segmentVolume(ct([40, 32, 10]), card, background);
    expect(thin.warnings).toEqual([expect.stringMatching(/^the scan covers only 30 mm head-foot/)]);
    const normal = await segmentVolume(phantom, card, background);
    expect(normal.warnings).toEqual([]);
  });
});

describe('organ volume ranges for the card', () => {
  it('are [0.5 x smallest, 2 x largest] over the training cases; absent organs are left out', () => {
    const a = new Uint8Array(1000);
    a.fill(1, 0, 400);
    a.fill(2, 400, 450);
    const b = new Uint8Array(1000);
    b.fill(1, 0, 600);
    const ranges = organVolumeRanges([{ labels: a, spacing: [2, 2, 2] }, { labels: b, spacing: [2, 2, 2] }], card.labels);
    expect(ranges).toEqual({ liver: [1.6, 9.6], spleen: [0.2, 0.8] });
  });

  it('the card field is validated: label names, [low, high] mL', () => {
    const json = JSON.parse(JSON.stringify({ ...card, applicability: { organVolumeMl: { liver: [800, 3000] } } }));
    expect(parseModelCard(json, 'c.json').applicability).toEqual({ organVolumeMl: { liver: [800, 3000] } });
    const bad = (organVolumeMl: unknown) => () => parseModelCard({ ...json, applicability: { organVolumeMl } }, 'c.json');
    expect(bad({ livr: [1, 2] })).toThrow(ModelCardError);
    expect(bad({ livr: [1, 2] })).toThrow(/field "applicability.organVolumeMl.livr" must be the name of one of the card's labels/);
    expect(bad({ liver: [3, 2] })).toThrow(/"applicability.organVolumeMl.liver" must be \[low, high\] mL with low <= high/);
    expect(bad({ liver: [-1, 2] })).toThrow(/must be 2 numbers >= 0 \(mL\)/);
    expect(() => parseModelCard({ ...json, applicability: 3 }, 'c.json')).toThrow(/"applicability" must be an object/);
  });
});

describe('a field of view that cuts the body off', () => {
  /** An axial disc of soft tissue (radius r voxels) in air, on an n x n x 6 grid, with a table row at y = n - 2. */
  function disc(n: number, r: number, table = true): NiftiVolume {
    const dims: Vec3 = [n, n, 6];
    const data = new Float32Array(n * n * 6).fill(-1000);
    for (let z = 0; z < 6; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      const inside = (x - (n - 1) / 2) ** 2 + (y - (n - 1) / 2) ** 2 <= r * r;
      if (inside || (table && y === n - 2)) data[x + n * (y + n * z)] = 40;
    }
    return { dims, spacing: [2, 2, 5], affine: centredAffine(dims, [2, 2, 5]), data, warnings: [] } as unknown as NiftiVolume;
  }
  const cropped = (v: NiftiVolume, k: number): NiftiVolume => {
    const n = v.dims[0], m = n - 2 * k;
    const data = new Float32Array(m * m * 6);
    for (let z = 0; z < 6; z++) for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) data[x + m * (y + m * z)] = v.data[x + k + n * (y + k + n * z)];
    return { ...v, dims: [m, m, 6], affine: centredAffine([m, m, 6], [2, 2, 5]), data } as NiftiVolume;
  };

  it('is recognised when the body crosses the border, and not for a whole body on a table', () => {
    const whole = disc(60, 24);
    expect(bodyCutOff(whole)).toBe(false);
    expect(geometryWarnings(whole, card)).not.toContain(BODY_CUT_WARNING);
    const cut = cropped(whole, 12);
    expect(bodyCutOff(cut)).toBe(true);
    expect(geometryWarnings(cut, card)).toContain(BODY_CUT_WARNING);
  });

  it('organ-volume warnings stop claiming the scan does not cut the organ off', () => {
    const ranged: ModelCard = { ...card, applicability: { organVolumeMl: { liver: [500, 2000] } } };
    const v = cropped(disc(60, 24), 12);
    const labels = new Uint8Array(v.data.length);
    labels[18 + 36 * (18 + 36 * 3)] = 1; // a tiny liver in the middle, away from the edges
    const w = checkAfterRun(v, labels, { 1: 0.02 }, ranged);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^liver: .* the field of view cuts the body off, so part of it may lie outside the scan/);
    expect(w[0]).not.toMatch(/does not cut it off/);
  });
});
