/**
 * Checkpoints: one file, written atomically (temp file + rename) so a run killed at any moment leaves
 * the previous checkpoint intact. Layout: "FINECKP1", uint32 header length, JSON header, float32
 * payload (parameters, then optimizer state). The header records the config and a sha256 of the
 * payload, so a corrupt or mismatched checkpoint is refused with a message saying which.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { Tensors } from './optim';

const MAGIC = 'FINECKP1';

export interface CheckpointMeta {
  config: unknown;
  step: number;
  seed: number;
  optimizer: string;
  /** Times each volume token was gathered (the warm-up mask). */
  seenCounts: number[];
  curve: { step: number; loss: number; meanDice?: number }[];
  seconds: number;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function saveCheckpoint(file: string, meta: CheckpointMeta, params: Tensors, optState: Tensors): void {
  const entries = [...[...params].map(([k, v]) => ['p', k, v] as const), ...[...optState].map(([k, v]) => ['o', k, v] as const)];
  let total = 0;
  const tensors = entries.map(([kind, name, v]) => {
    const e = { kind, name, offset: total, length: v.length };
    total += v.length;
    return e;
  });
  const payload = new Float32Array(total);
  entries.forEach(([, , v], i) => payload.set(v, tensors[i].offset));
  const bytes = new Uint8Array(payload.buffer);
  const header = new TextEncoder().encode(JSON.stringify({ ...meta, tensors, sha256: createHash('sha256').update(bytes).digest('hex') }));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, header.length, true);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, Buffer.concat([Buffer.from(MAGIC), len, header, bytes]));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  params: Tensors;
  optState: Tensors;
}

export function loadCheckpoint(file: string): LoadedCheckpoint {
  if (!existsSync(file)) throw new CheckpointError(`${file}: no checkpoint to resume from; run without --resume to start fresh`);
  const buf = readFileSync(file);
  if (buf.length < 12 || buf.subarray(0, 8).toString() !== MAGIC) throw new CheckpointError(`${file}: not a checkpoint of this trainer (bad magic); delete it or point --out elsewhere`);
  const hlen = buf.readUInt32LE(8);
  if (12 + hlen > buf.length) throw new CheckpointError(`${file}: truncated header (${buf.length} bytes); the file is corrupt, delete it to start fresh`);
  let header: CheckpointMeta & { tensors: { kind: string; name: string; offset: number; length: number }[]; sha256: string };
  try {
    header = JSON.parse(buf.subarray(12, 12 + hlen).toString()) as typeof header;
  } catch {
    throw new CheckpointError(`${file}: the header is not valid JSON; the file is corrupt, delete it to start fresh`);
  }
  const bytes = buf.subarray(12 + hlen);
  const total = header.tensors.reduce((a, t) => Math.max(a, t.offset + t.length), 0);
  if (bytes.length !== total * 4) throw new CheckpointError(`${file}: payload has ${bytes.length} bytes, the header says ${total * 4}; the file is corrupt`);
  if (createHash('sha256').update(bytes).digest('hex') !== header.sha256) throw new CheckpointError(`${file}: payload checksum mismatch; the file is corrupt, delete it to start fresh`);
  const payload = new Float32Array(new Uint8Array(bytes).buffer);
  const params: Tensors = new Map(), optState: Tensors = new Map();
  for (const t of header.tensors) (t.kind === 'p' ? params : optState).set(t.name, payload.slice(t.offset, t.offset + t.length));
  const { tensors: _t, sha256: _s, ...meta } = header;
  return { meta, params, optState };
}

/** Refuses a checkpoint whose config or parameter shapes differ from this run's. */
export function checkCompatible(file: string, ck: LoadedCheckpoint, config: unknown, params: Tensors): void {
  const a = JSON.stringify(ck.meta.config), b = JSON.stringify(config);
  if (a !== b) throw new CheckpointError(`${file}: trained with config ${a}, but this run asks for ${b}; resume with the same --preset/--variant, or use another --out`);
  for (const [name, v] of params) {
    const c = ck.params.get(name);
    if (!c || c.length !== v.length) throw new CheckpointError(`${file}: parameter '${name}' is ${c ? `${c.length} values` : 'missing'}, this model needs ${v.length}`);
  }
}
