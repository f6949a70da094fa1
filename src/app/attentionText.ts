/** Plain-language meaning of each attention level and of the heat colour bar, from a model card's geometry. */
import type { AttentionLevel } from '../infer/attention/attentionMap';
import type { ModelCard } from '../infer/contract/modelCard';

const mm = (v: number[]) => v.map((x) => Math.round(x)).join(' × ');

export const HEAT_MEANING = "Where this voxel's prediction looked: brighter = more attention.";
/** The colour bar's ends; the overlay starts at 5% of the maximum, below which nothing is drawn. */
export const HEAT_SCALE = { low: '5% of the maximum (fainter not drawn)', high: 'the most-attended place (1.0)' };

/** One sentence per level, with sizes in mm for this model. */
export function levelMeaning(level: AttentionLevel, card: ModelCard | null): string {
  const att = card?.attention;
  if (level.startsWith('cross')) {
    const c = att?.cross?.find((x) => `cross${x.stage}` === level);
    const cell = c && card ? ` (cells of ${mm(card.patchSize.map((p, a) => (p / c.tokenGrid[a]) * card.spacing[a]))} mm)` : '';
    return `Cross-attention at the skip of encoder stage ${level.slice(5)}: which parts of this crop${cell} the decoder looked at to decide how much of the fine detail at this voxel to let through.`;
  }
  if (!card || !att) {
    return { window: "This voxel's own window: the nearby voxels its prediction looked at.", global: 'The other windows of this crop: how much this voxel\'s window looked at each.', volume: 'The whole-body memory: where in the whole scan, beyond this crop, the prediction looked.' }[level as 'window' | 'global' | 'volume'];
  }
  const tokenMm = card.patchSize.map((p, a) => (p / att.tokenGrid[a]) * card.spacing[a]);
  const windowMm = tokenMm.map((t, a) => t * att.window[a]);
  const cropMm = card.patchSize.map((p, a) => p * card.spacing[a]);
  if (level === 'window') return `This voxel's own ${att.window.join('×')}-token window (${mm(windowMm)} mm): which nearby voxels its prediction looked at.`;
  if (level === 'global') return `The other windows of this crop (${mm(cropMm)} mm): how much this voxel's window looked at each of them.`;
  const cells = card.volumeTokens ? `${card.volumeTokens.cells.join(' × ')} cells of ${mm(card.volumeTokens.cellMm)} mm` : 'grid cells';
  return `The whole-body memory (${cells} over the whole scan): where beyond this crop the prediction looked.`;
}
