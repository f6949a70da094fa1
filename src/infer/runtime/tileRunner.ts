/** The one place that turns a card's io names and a tile into session feeds (Node CLI, worker, tests). */
import type { HostTensor, Session } from './backend';
import type { ModelCard } from '../contract/modelCard';
import type { RunTile } from '../pipeline';

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
