/** Node-side model loading: the default card in models/, and a card with its verified ONNX bytes. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelCard, verifyOnnx } from '../contract/cardCheck';
import { byDefaultOrder } from '../contract/defaultModel';
import type { ModelCard } from '../contract/modelCard';

export const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');

export class InputError extends Error {}

/** The default model's card in models/, by the app's rule (`byDefaultOrder`): the card marked default, then fine-small, then by name. */
export function defaultCardPath(): string {
  const cards: { name: string; default: boolean; path: string }[] = [];
  for (const f of existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR) : []) {
    if (!f.endsWith('.json') || f === 'index.json') continue;
    try {
      const o = JSON.parse(readFileSync(join(MODELS_DIR, f), 'utf8')) as { format?: unknown; name?: unknown; default?: unknown };
      if (o.format === 'fine-model-card/1') cards.push({ name: typeof o.name === 'string' ? o.name : f.replace(/\.json$/, ''), default: o.default === true, path: join(MODELS_DIR, f) });
    } catch {
      // not a card: the model index lists it as skipped
    }
  }
  const first = byDefaultOrder(cards)[0];
  if (!first) throw new InputError(`no model in ${MODELS_DIR}; pass --model <card.json>`);
  return first.path;
}

/** Reads a card and its ONNX file, checking the card's fields and the file's sha256. */
export async function loadModel(cardPath: string): Promise<{ card: ModelCard; onnx: Uint8Array }> {
  if (!existsSync(cardPath)) throw new InputError(`${cardPath}: no such model card`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(cardPath, 'utf8'));
  } catch (e) {
    throw new InputError(`${cardPath}: not valid JSON (${(e as Error).message})`);
  }
  const card = parseModelCard(json, cardPath);
  const onnxPath = resolve(dirname(cardPath), card.onnx.file);
  if (!existsSync(onnxPath)) throw new InputError(`${cardPath}: its ONNX file ${onnxPath} is missing`);
  const onnx = new Uint8Array(readFileSync(onnxPath));
  await verifyOnnx(onnx, card.onnx, onnxPath);
  return { card, onnx };
}
