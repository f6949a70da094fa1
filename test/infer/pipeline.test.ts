import { describe, expect, it } from 'vitest';
import { diceScore } from '../../src/infer/eval/metrics';
import { type NiftiVolume, makeNiftiHeader } from '../../src/infer/io/nifti';
import { type Vec3, centredAffine } from '../../src/infer/io/niftiHeader';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { type RunTile, segmentVolume } from '../../src/infer/pipeline';
import { preprocess } from '../../src/infer/preprocess/preprocess';
import { resampleLinear } from '../../src/infer/preprocess/resample';
import { cropBox, slidingWindowTiles } from '../../src/infer/runtime/slidingWindow';
import { padToPatch } from '../../src/infer/preprocess/grid';
import { flipChannels } from '../../src/infer/runtime/mirror';
import { volumeTokenIndices } from '../../src/infer/runtime/volumeTokens';
import { testCard } from './cardFixture';

const dims: Vec3 = [72, 64, 26];
const spacing: Vec3 = [4.5, 4.5, 6];
const phantom = makePhantom({ dims, spacing, seed: 5 });
const volume: NiftiVolume = {
  dims, spacing, data: phantom.image, affine: centredAffine(dims, spacing), datatype: 16, header: makeNiftiHeader(dims, spacing), warnings: [],
};
const card = testCard();

/**
 * A stand-in network that answers each tile with the phantom's true labels as soft one-hot logits on
 * the model grid (each label's indicator resampled trilinearly, as a network's smooth logits would be).
 * Tiles arrive in `slidingWindowTiles` order (twice each with mirroring: as they are, then mirrored
 * left-right with the volume tokens of the mirrored position, answered as a network that is right about
 * the mirrored patient: mirrored logits with the lateral labels' channels swapped).
 */
function oracle(mirror: boolean): { runTile: RunTile; calls: () => number } {
  const pre = preprocess(volume, card);
  const r = pre.props.resampledDims;
  const scale = card.spacing.map((t, a) => t / spacing[a]) as Vec3;
  const C = card.labels.length;
  const channels = card.labels.map((l) => {
    const onGrid = resampleLinear(phantom.labels.map((v) => (v === l.id ? 1 : 0)), dims, r, scale);
    return padToPatch(onGrid, r, card.patchSize, l.id === 0 ? 1 : 0).data;
  });
  const tiles = slidingWindowTiles(pre.dims, card.patchSize);
  let call = 0;
  const runTile: RunTile = async (image, vt) => {
    const perTile = mirror ? 2 : 1;
    const origin = tiles[Math.floor(call / perTile)];
    const flipped = call % perTile === 1;
    call++;
    const expected = cropBox(pre.image, pre.dims, origin, card.patchSize);
    const a = pre.props.anchorVoxel;
    const seenAt: Vec3 = flipped ? [2 * a[0] - origin[0] - (card.patchSize[0] - 1), origin[1], origin[2]] : origin;
    expect(image).toEqual(flipped ? flipChannels(expected, 1, card.patchSize, 1) : expected);
    expect(vt).toEqual(volumeTokenIndices(card.volumeTokens!, seenAt, card.patchSize, card.spacing, a));
    const m = card.patchSize[0] * card.patchSize[1] * card.patchSize[2];
    const logits = new Float32Array(C * m);
    channels.forEach((ch, c) => cropBox(ch, pre.dims, origin, card.patchSize, logits.subarray(c * m, (c + 1) * m)));
    if (!flipped) return logits;
    const swapped = new Float32Array(C * m);
    card.labels.forEach((l, c) => swapped.set(logits.subarray(c * m, (c + 1) * m), card.labels.findIndex((p) => p.id === (l.mirror ?? l.id)) * m));
    return flipChannels(swapped, C, card.patchSize, 1);
  };
  return { runTile, calls: () => call };
}

describe('segmentVolume', () => {
  it('preprocess records what postprocess undoes', () => {
    const pre = preprocess(volume, card);
    expect(pre.props.resampledDims).toEqual([54, 48, 20]);
    expect(pre.dims).toEqual([54, 48, 20]);
    expect(pre.props.scaleBack).toEqual([0.75, 0.75, 0.75]);
    expect(pre.warnings).toEqual([]);
    const small = preprocess({ ...volume, dims: [20, 20, 10], data: phantom.image.subarray(0, 4000), spacing: [6, 6, 8] }, card);
    expect(small.dims).toEqual([32, 32, 16]);
    expect(small.props.padding).toEqual({ before: [6, 6, 3], after: [6, 6, 3] });
  });

  it('reproduces the labels through resampling both ways (Dice > 0.95 per organ)', async () => {
    const { runTile, calls } = oracle(false);
    const progress: number[] = [];
    const res = await segmentVolume(volume, card, runTile, { onProgress: (d) => progress.push(d) });
    expect(res.tiles).toBe(slidingWindowTiles([54, 48, 20], card.patchSize).length);
    expect(calls()).toBe(res.tiles);
    expect(progress).toEqual(Array.from({ length: res.tiles }, (_, i) => i + 1));
    expect(res.labels.length).toBe(phantom.labels.length);
    for (const l of card.labels.slice(1)) {
      expect(diceScore(res.labels, phantom.labels, l.id), l.name).toBeGreaterThan(0.95);
    }
    const voxelMl = (4.5 * 4.5 * 6) / 1000;
    const liver = phantom.labels.reduce((n, v) => n + (v === 1 ? 1 : 0), 0) * voxelMl;
    expect(res.volumesMl[1]).toBeGreaterThan(liver * 0.95);
    expect(res.volumesMl[1]).toBeLessThan(liver * 1.05);
    expect(res.outsideRunSeconds).toBeLessThanOrEqual(res.seconds);
    // The stages account for the whole run.
    const staged = Object.values(res.stages).reduce((x, y) => x + y, 0);
    expect(Math.abs(staged - res.seconds)).toBeLessThan(0.01 + 0.02 * res.seconds);
    expect(res.stages.model).toBeCloseTo(res.seconds - res.outsideRunSeconds, 2);
  });

  it('left-right mirroring swaps the lateral labels back and gives the same answer', async () => {
    expect(card.labels.some((l) => l.mirror !== undefined)).toBe(true);
    const plain = await segmentVolume(volume, card, oracle(false).runTile);
    const { runTile, calls } = oracle(true);
    const mirrored = await segmentVolume(volume, card, runTile, { mirror: true });
    expect(calls()).toBe(2 * mirrored.tiles);
    expect(mirrored.labels).toEqual(plain.labels);
    // The card's default applies when the run does not choose.
    const byCard = oracle(true);
    await segmentVolume(volume, { ...card, inference: { mirror: true, largestComponent: [] } }, byCard.runTile);
    expect(byCard.calls()).toBe(2 * mirrored.tiles);
  });

  it('keeps the largest component of the organs the card names, unless asked not to', async () => {
    const island = (l: Uint8Array) => l.reduce((n, v) => n + (v === 1 ? 1 : 0), 0);
    // A network that also calls the far corner of the first tile liver.
    const m = card.patchSize[0] * card.patchSize[1] * card.patchSize[2];
    const noisy = (): RunTile => {
      const o = oracle(false);
      let call = 0;
      return async (image, vt) => {
        const out = await o.runTile(image, vt);
        if (call++ === 0) for (let k = 0; k < 8; k++) { out[k] = -10; out[m + k] = 10; }
        return out;
      };
    };
    const lccCard = { ...card, inference: { mirror: false, largestComponent: ['liver'] } };
    const raw = await segmentVolume(volume, lccCard, noisy(), { postprocess: false });
    const cleaned = await segmentVolume(volume, lccCard, noisy());
    expect(island(cleaned.labels)).toBeLessThan(island(raw.labels));
    expect(diceScore(cleaned.labels, phantom.labels, 1)).toBeGreaterThan(diceScore(raw.labels, phantom.labels, 1));
  });

  it('aborts between tiles when the signal fires', async () => {
    const controller = new AbortController();
    const { runTile, calls } = oracle(false);
    const run = segmentVolume(volume, card, runTile, {
      signal: controller.signal,
      onProgress: (done) => { if (done === 2) controller.abort(); },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls()).toBe(2);
  });

  it('refuses logits of the wrong size', async () => {
    const bad: RunTile = async () => new Float32Array(7);
    await expect(segmentVolume(volume, card, bad)).rejects.toThrow(/runTile returned 7 values, expected float32 logits of 10 labels x 32x32x16/);
  });

  it('warns when the input is not CT', async () => {
    const labelsAsImage = { ...volume, data: Float32Array.from(phantom.labels) };
    const res = await segmentVolume(labelsAsImage, testCard({ variant: 'nnformer', volumeTokens: undefined }), async () => new Float32Array(10 * 32 * 32 * 16));
    expect(res.warnings.join(' ')).toMatch(/looks like a label map.*the model was trained on CT/);
  });
});
