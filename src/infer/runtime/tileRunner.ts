/**
 * The tile contract, in one place: which voxels and volume tokens a tile at a given origin feeds
 * (`tileAt`, used by the sliding window and the attention maps), and how a card's io names turn them
 * into session feeds (`tileFeeds`, also used by the trainer's crop sampler, whose crops are augmented).
 */
import type { HostTensor, Session } from './backend';
import type { ModelCard } from '../contract/modelCard';
import type { Vec3 } from '../io/niftiHeader';
import { cropBox } from './slidingWindow';
import { volumeTokenIndices } from './volumeTokens';

/** Runs the network on one tile: normalised voxels and volume-token indices in, logits [C][pz][py][px] out. */
export type RunTile = (image: Float32Array, vtIndex: BigInt64Array | undefined) => Promise<Float32Array>;

/** A tile of a preprocessed volume: its voxels and, for FINE, the volume-token indices of its position. */
export function tileAt(card: ModelCard, image: Float32Array, dims: Vec3, origin: Vec3, anchorVoxel: Vec3): { image: Float32Array; vt?: BigInt64Array } {
  const patch = card.patchSize;
  return {
    image: cropBox(image, dims, origin, patch),
    vt: card.volumeTokens ? volumeTokenIndices(card.volumeTokens, origin, patch, card.spacing, anchorVoxel) : undefined,
  };
}

/** Feeds of one tile: `image` [1, 1, pz, py, px] and, for FINE, `vt_index` [1, indexCount]. */
export function tileFeeds(card: ModelCard, image: Float32Array, vt: BigInt64Array | undefined): Record<string, HostTensor> {
  const [px, py, pz] = card.patchSize;
  const feeds: Record<string, HostTensor> = { [card.io.image]: { data: image, dims: [1, 1, pz, py, px] } };
  if (card.io.volumeTokenIndex) {
    if (!vt) throw new Error(`model card ${card.name}: io.volumeTokenIndex is set but the card has no volumeTokens grid to compute indices from`);
    feeds[card.io.volumeTokenIndex] = { data: vt, dims: [1, vt.length] };
  }
  return feeds;
}

export function sessionTileRunner(session: Session, card: ModelCard): RunTile {
  return async (image, vt) => (await session.run(tileFeeds(card, image, vt), [card.io.logits]))[card.io.logits].data;
}
