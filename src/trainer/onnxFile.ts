/** Writes an ONNX file and returns the card's reference to it (file name, sha256, size). */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { OnnxFileRef } from '../infer/contract/modelCard';

export function writeOnnx(path: string, bytes: Uint8Array): OnnxFileRef {
  writeFileSync(path, bytes);
  return { file: basename(path), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}
