/**
 * The user's own models (adapted here, or dropped on the page) in the browser's origin-private file
 * system (OPFS), folder `user-models/`: `<name>.json` (the card), `<name>.onnx` and, when the card has
 * one, `<name>.attn.onnx`. Their card URL is `user-models:<name>.json`, which `fetchVerifiedOnnx` reads
 * from here instead of the network. Nothing here leaves the machine.
 */
import type { ModelFiles } from '../infer/adapt/adaptedModel';
import { checkModelName } from '../infer/adapt/adaptedModel';
import { parseModelCard, verifyOnnx } from '../infer/contract/cardCheck';
import type { ModelCard, OnnxFileRef } from '../infer/contract/modelCard';

export const USER_SCHEME = 'user-models:';
const DIR = 'user-models';

export const userCardUrl = (name: string): string => `${USER_SCHEME}${name}.json`;
export const isUserModel = (cardUrl: string): boolean => cardUrl.startsWith(USER_SCHEME);

async function dir(): Promise<FileSystemDirectoryHandle> {
  if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) throw new Error('This browser has no origin-private file system to keep models in');
  return (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
}

async function readFile(d: FileSystemDirectoryHandle, name: string): Promise<Uint8Array> {
  const f = await (await d.getFileHandle(name)).getFile();
  return new Uint8Array(await f.arrayBuffer());
}

async function writeFile(d: FileSystemDirectoryHandle, name: string, bytes: Uint8Array): Promise<void> {
  const w = await (await d.getFileHandle(name, { create: true })).createWritable();
  await w.write(bytes as Uint8Array<ArrayBuffer>);
  await w.close();
}

/** The bytes of a file a user model's card names, checked against the card. */
export async function readUserOnnx(ref: OnnxFileRef): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(await dir(), ref.file);
  } catch (e) {
    throw new Error(`${ref.file}: not found among your models in this browser (${(e as Error).message})`);
  }
  await verifyOnnx(bytes, ref, ref.file);
  return bytes;
}

/**
 * Checks a model's files (the card check, each ONNX file's size and sha256) and keeps them. Throws one
 * line naming what does not fit; nothing is written then.
 */
export async function saveUserModel(files: ModelFiles): Promise<ModelCard> {
  const card = parseModelCard(JSON.parse(JSON.stringify(files.card)), `${files.card.name}.json`);
  checkModelName(card.name);
  if (card.onnx.file !== `${card.name}.onnx`) throw new Error(`${card.name}.json names its network ${card.onnx.file}; expected ${card.name}.onnx`);
  await verifyOnnx(files.onnx, card.onnx, card.onnx.file);
  if (card.attention) {
    if (card.attention.file !== `${card.name}.attn.onnx`) throw new Error(`${card.name}.json names its attention graph ${card.attention.file}; expected ${card.name}.attn.onnx`);
    if (!files.attention) throw new Error(`${card.name}.json names an attention graph ${card.attention.file}; drop it too`);
    await verifyOnnx(files.attention, card.attention, card.attention.file);
  }
  // A user model has no training graph here: adaptation starts from a shipped model.
  const kept: ModelCard = { ...card, adaptation: undefined };
  const d = await dir();
  await writeFile(d, card.onnx.file, files.onnx);
  if (card.attention && files.attention) await writeFile(d, card.attention.file, files.attention);
  await writeFile(d, `${card.name}.json`, new TextEncoder().encode(JSON.stringify(kept, null, 2)));
  return parseModelCard(JSON.parse(JSON.stringify(kept)), `${card.name}.json`);
}

/** The cards of the models kept in this browser; a card that no longer reads is skipped with a note. */
export async function listUserModels(): Promise<{ cards: ModelCard[]; problems: string[] }> {
  const cards: ModelCard[] = [], problems: string[] = [];
  let d: FileSystemDirectoryHandle;
  try {
    d = await dir();
  } catch {
    return { cards, problems };
  }
  for await (const name of (d as unknown as { keys(): AsyncIterable<string> }).keys()) {
    if (!name.endsWith('.json')) continue;
    try {
      cards.push(parseModelCard(JSON.parse(new TextDecoder().decode(await readFile(d, name))), name));
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
    }
  }
  cards.sort((a, b) => a.name.localeCompare(b.name));
  return { cards, problems };
}

export async function removeUserModel(card: ModelCard): Promise<void> {
  const d = await dir();
  // The card first: without it the model is no longer listed, whatever else is left.
  await d.removeEntry(`${card.name}.json`);
  for (const f of [card.onnx.file, card.attention?.file]) if (f) await d.removeEntry(f).catch(() => undefined);
}

/** A user model's files, to download. */
export async function userModelFiles(card: ModelCard): Promise<ModelFiles> {
  return { card, onnx: await readUserOnnx(card.onnx), attention: card.attention ? await readUserOnnx(card.attention) : undefined };
}
