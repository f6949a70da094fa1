/**
 * Runs a card's attention graph on the tile that holds a clicked voxel and turns its outputs into a
 * heat map over the original volume (maths in src/infer/attentionMap.ts).
 */
import {
  type AttentionGeometry, type AttentionLevel, attentionLevelsOf, crossLevel, globalLevelHeat, nearestTile, originalToModel, paintCellHeat,
  paintTileHeat, tokenOfVoxel, volumeLevelCellHeat, windowLevelHeat,
} from '../infer/attention/attentionMap';
import type { Session } from '../infer/runtime/backend';
import type { ModelCard } from '../infer/contract/modelCard';
import type { Vec3 } from '../infer/io/nifti';
import type { Preprocessed } from '../infer/preprocess/preprocess';
import { slidingWindowTiles } from '../infer/runtime/slidingWindow';
import { tileAt, tileFeeds } from '../infer/runtime/tileRunner';

function normalised(heat: Float32Array): Float32Array {
  let max = 0;
  for (let i = 0; i < heat.length; i++) if (heat[i] > max) max = heat[i];
  if (max > 0) for (let i = 0; i < heat.length; i++) heat[i] /= max;
  return heat;
}

export async function attentionHeat(session: Session, card: ModelCard, pre: Preprocessed, voxel: Vec3, level: AttentionLevel): Promise<Float32Array> {
  const att = card.attention;
  if (!att) throw new Error(`${card.name}: the model card has no "attention" export, so attention maps are unavailable for this model`);
  const patch = card.patchSize;
  const cross = crossLevel(att, level, patch);
  const g: AttentionGeometry = cross?.g ?? { patch, tokenGrid: att.tokenGrid, window: att.window, windowTokens: att.windowTokens };
  const p = originalToModel(voxel, pre.props);
  const origin = nearestTile(p, slidingWindowTiles(pre.dims, patch), patch);
  const local = p.map((v, a) => Math.min(patch[a] - 1, Math.max(0, Math.round(v) - origin[a]))) as Vec3;
  const token = tokenOfVoxel(local, g);
  const { image, vt } = tileAt(card, pre.image, pre.dims, origin, pre.props.anchorVoxel);
  const feeds = tileFeeds(card, image, vt);
  if (cross) {
    const out = (await session.run(feeds, [cross.output]))[cross.output];
    // [T, T] over the tile's tokens: the window level's maths with one window covering the tile.
    return normalised(paintTileHeat(windowLevelHeat({ data: out.data, dims: [1, ...out.dims] }, token, g), origin, g, pre.props));
  }
  const name = level.startsWith('cross') ? undefined : att.outputs[level as 'window' | 'global' | 'volume'];
  if (!name) throw new Error(`${card.name}: the attention export has no "${level}" output (variant ${card.variant}); choose ${attentionLevelsOf(att).join(' or ')}`);
  const fetches = level === 'volume' && att.outputs.global ? [name, att.outputs.global] : [name];
  const out = await session.run(feeds, fetches);
  if (level === 'window') return normalised(paintTileHeat(windowLevelHeat(out[name], token, g), origin, g, pre.props));
  if (level === 'global') return normalised(paintTileHeat(globalLevelHeat(out[name], token, g), origin, g, pre.props));
  if (!card.volumeTokens || !vt) throw new Error(`${card.name}: the volume level needs volume tokens (variant "fine")`);
  const glob = att.outputs.global ? { attn: out[att.outputs.global], token, g } : undefined;
  const cells = volumeLevelCellHeat(out[name], vt, card.volumeTokens, glob);
  return normalised(paintCellHeat(cells, card.volumeTokens, card.spacing, pre.props, { outlines: true }));
}
