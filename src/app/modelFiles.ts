/**
 * Fetches an ONNX file a model card names, checks its size and sha256 against the card, and keeps
 * verified bytes in Cache Storage (`fine-models`), keyed by URL and hash, so a model downloads once.
 */
import { verifyOnnx } from '../infer/contract/cardCheck';
import type { OnnxFileRef } from '../infer/contract/modelCard';
import { isUserModel, readUserOnnx } from './userModels';

const CACHE = 'fine-models';

async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CACHE);
  } catch {
    return null;
  }
}

export async function fetchVerifiedOnnx(ref: OnnxFileRef, cardUrl: string): Promise<Uint8Array> {
  if (isUserModel(cardUrl)) return readUserOnnx(ref);
  const base = new URL(cardUrl, self.location.href);
  const url = new URL(ref.file, base);
  const key = `${url.href}?sha256=${ref.sha256}`;
  const cache = await openCache();
  const hit = await cache?.match(key);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    try {
      await verifyOnnx(bytes, ref, ref.file);
      return bytes;
    } catch {
      await cache?.delete(key);
    }
  }
  const res = await fetch(url.href);
  if (!res.ok) throw new Error(`${ref.file}: download failed with HTTP ${res.status} from ${url.pathname}; is the model in models/?`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  await verifyOnnx(bytes, ref, ref.file);
  try {
    await cache?.put(key, new Response(bytes.slice().buffer, { headers: { 'Content-Type': 'application/octet-stream' } }));
  } catch {
    // A full or unavailable cache only costs a download next time; the verified bytes are still good.
  }
  return bytes;
}
