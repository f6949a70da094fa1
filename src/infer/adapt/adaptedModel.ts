/**
 * The adapted model as files: the base `.onnx` (and attention `.onnx`) with the adapted weights written
 * in place, and a card that is the base's with new names, hashes and an `adapted` section saying where
 * it came from. It has no training graph of its own: a further adaptation starts from the base model.
 */
import type { AdaptedProvenance, ModelCard } from '../contract/modelCard';
import { parseModelCard, sha256Hex } from '../contract/cardCheck';
import { initializerSpans, withInitializers } from '../io/onnxWeights';
import type { Tensors } from './optim';

export interface ModelFiles {
  card: ModelCard;
  onnx: Uint8Array;
  attention?: Uint8Array;
}

/** A model name that is safe as a file name: letters, digits, '-', '_' and '.', 1 to 64 of them. */
export function checkModelName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new Error(`"${name}" is not a usable model name: use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit`);
  return name;
}

export async function adaptedModel(base: ModelFiles, params: Tensors, name: string, provenance: AdaptedProvenance): Promise<ModelFiles> {
  checkModelName(name);
  const onnx = withInitializers(base.onnx, params);
  const file = (bytes: Uint8Array, suffix: string) => sha256Hex(bytes).then((sha256) => ({ file: `${name}${suffix}`, sha256, bytes: bytes.length }));
  // The attention graph shares the segmentation graph's weights by name (only those it uses).
  let attention: Uint8Array | undefined;
  if (base.attention && base.card.attention) {
    const names = initializerSpans(base.attention);
    attention = withInitializers(base.attention, new Map([...params].filter(([k]) => names.has(k))));
  }
  const sessions = base.card.adapted ? ` (from ${base.card.adapted.base.name})` : '';
  const card: ModelCard = {
    ...base.card,
    name,
    description: `${base.card.name}${sessions} adapted to ${provenance.scans.length} corrected scan${provenance.scans.length === 1 ? '' : 's'} in ${provenance.steps} steps (${provenance.where}). ${base.card.description}`,
    onnx: await file(onnx, '.onnx'),
    attention: attention && base.card.attention ? { ...base.card.attention, ...(await file(attention, '.attn.onnx')) } : undefined,
    adaptation: undefined,
    adapted: provenance,
  };
  const clean = JSON.parse(JSON.stringify(card)) as unknown;
  return { card: parseModelCard(clean, `${name}.json`), onnx, attention };
}


/** The same model under another name: the card's name and file names change, the bytes and hashes do not. */
export function renamedModel(files: ModelFiles, name: string): ModelFiles {
  checkModelName(name);
  const { card } = files;
  return {
    ...files,
    card: { ...card, name, onnx: { ...card.onnx, file: `${name}.onnx` }, attention: card.attention ? { ...card.attention, file: `${name}.attn.onnx` } : undefined },
  };
}
