/**
 * Validation of model cards read from JSON, and of the ONNX file a card names. Every error names
 * the file and the field, says what was expected and what arrived.
 */
import { type ModelCard, type OnnxFileRef, modelCardSchema } from './modelCard';

export class ModelCardError extends Error {
  override name = 'ModelCardError';
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Validates a parsed model-card JSON against the card's schema (modelCard.ts); unknown extra fields are kept as they are. */
export function parseModelCard(json: unknown, fileName: string): ModelCard {
  return modelCardSchema.read(json, '', (path, expected, value) => {
    if (expected === 'an object') throw new ModelCardError(`${fileName}: "${path || 'card'}" must be an object, got ${show(value)}; re-export the model card`);
    const got = value === undefined ? 'it is missing' : `got ${show(value)}`;
    throw new ModelCardError(`${fileName}: field "${path}" must be ${expected}, ${got}; re-export the model card`);
  });
}

/** Lower-case hex SHA-256 via Web Crypto (Node 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks an ONNX file's size and SHA-256 against the card; throws naming both values. */
export async function verifyOnnx(bytes: Uint8Array, ref: OnnxFileRef, fileName: string): Promise<void> {
  if (bytes.length !== ref.bytes) {
    throw new ModelCardError(
      `${fileName}: ${bytes.length} bytes, but the model card says ${ref.bytes}; the download is incomplete or the card belongs to another model`,
    );
  }
  const got = await sha256Hex(bytes);
  if (got !== ref.sha256) {
    throw new ModelCardError(
      `${fileName}: sha256 ${got} does not match the model card's ${ref.sha256}; re-download the model or re-export the card`,
    );
  }
}
