import { describe, expect, it } from 'vitest';
import { diceScore } from '../../src/infer/eval/metrics';
import { type NiftiVolume, makeNiftiHeader } from '../../src/infer/io/nifti';
import { type Vec3, centredAffine } from '../../src/infer/io/niftiHeader';
import { makePhantom } from '../../src/infer/synthetic/phantom';
import { type RunTile, segmentVolume } from '../../src/infer/pipeline';
import { preprocess } from '../../src/infer/preprocess/preprocess';
import { resampleLinear } from '../../src/infer/preprocess/resample';
import { cropBox, padToPatch, slidingWindowTiles } from '../../src/infer/runtime/slidingWindow';
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
 * Tiles arrive in `slidingWindowTiles` order (8 times each, flipped, with mirroring).
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
    const perTile = mirror ? 8 : 1;
    const origin = tiles[Math.floor(call / perTile)];
    const mask = call % perTile;
    call++;
    const expected = cropBox(pre.image, pre.dims, origin, card.patchSize);
    expect(image).toEqual(mirror ? flipChannels(expected, 1, card.patchSize, mask) : expected);
    expect(vt).toEqual(volumeTokenIndices(card.volumeTokens!, origin, card.patchSize, card.spacing, pre.props.anchorVoxel));
    const m = card.patchSize[0] * card.patchSize[1] * card.patchSize[2];
    const logits = new Float32Array(C * m);
    channels.forEach((ch, c) => cropBox(ch, pre.dims, origin, card.patchSize, logits.subarray(c * m, (c + 1) * m)));
    return mirror ? flipChannels(logits, C, card.patchSize, mask) : logits;
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
  });

  it('mirroring averages 8 flips to the same answer', async () => {
    const plain = await segmentVolume(volume, card, oracle(false).runTile);
    const { runTile, calls } = oracle(true);
    const mirrored = await segmentVolume(volume, card, runTile, { mirror: true });
    expect(calls()).toBe(8 * mirrored.tiles);
    expect(mirrored.labels).toEqual(plain.labels);
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
