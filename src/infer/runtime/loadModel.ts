/** Node-side model loading: the default card in models/, and a card with its verified ONNX bytes. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelCard, verifyOnnx } from '../contract/cardCheck';
import type { ModelCard } from '../contract/modelCard';

export const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');
export const DEFAULT_MODEL = 'fine-small';

export class InputError extends Error {}

/** The card path to use: the given one, else models/fine-small.json, else the first card in models/. */
export function defaultCardPath(): string {
  const preferred = join(MODELS_DIR, `${DEFAULT_MODEL}.json`);
  if (existsSync(preferred)) return preferred;
  const any = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter((f) => f.endsWith('.json')).sort()[0] : undefined;
  if (!any) throw new InputError(`no model in ${MODELS_DIR}; pass --model <card.json>`);
  return join(MODELS_DIR, any);
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
