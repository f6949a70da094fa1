/**
 * `/models/index.json`: the model cards found in `models/`, generated from the folder on every request
 * (dev) or at build time, so dropping `<name>.onnx` + `<name>.json` into `models/` makes a model appear.
 * Order: the card with `"default": true` first, then `fine-small`, then by name; the app selects the
 * first entry by default.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { byDefaultOrder } from '../src/infer/contract/defaultModel';

export interface ModelIndexEntry {
  /** URL of the card, e.g. `/models/fine-small.json`. */
  card: string;
  name: string;
  default: boolean;
}

export interface ModelIndex {
  models: ModelIndexEntry[];
  /** Cards that are not JSON objects with a `format` of fine-model-card/1: file name and reason. */
  skipped: { file: string; reason: string }[];
}

export function buildModelIndex(dir: string): ModelIndex {
  const index: ModelIndex = { models: [], skipped: [] };
  if (!existsSync(dir)) return index;
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json') || file === 'index.json') continue;
    try {
      const json: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const o = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
      if (o.format !== 'fine-model-card/1') {
        index.skipped.push({ file, reason: `format is ${JSON.stringify(o.format)}, expected "fine-model-card/1"` });
        continue;
      }
      const name = typeof o.name === 'string' ? o.name : file.replace(/\.json$/, '');
      index.models.push({ card: `/models/${file}`, name, default: o.default === true });
    } catch (e) {
      index.skipped.push({ file, reason: (e as Error).message });
    }
  }
  index.models = byDefaultOrder(index.models);
  return index;
}
