/**
 * `npm run segment -- --input ct.nii.gz --output seg.nii.gz [--model models/<name>.json]`: FINE
 * sliding-window segmentation on onnxruntime-node. Writes a uint8 label map on the input's grid with
 * its geometry, prints organ volumes. Bad input: exit 2, one line, no output file.
 */
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSession } from '../backend';
import { ModelCardError, parseModelCard, verifyOnnx } from '../cardCheck';
import type { ModelCard } from '../modelCard';
import { NiftiError, readNifti, writeNifti } from '../nifti';
import { segmentVolume } from '../pipeline';
import { sessionTileRunner } from '../tileRunner';
import { ArgsError, type FlagSpecs, parseArgs, usage } from './args';

const FLAGS: FlagSpecs = {
  input: { description: 'CT volume (.nii / .nii.gz)', required: true },
  output: { description: 'label map to write (.nii.gz or .nii)', required: true },
  model: { description: 'model card JSON (default: the bundled default model)' },
  threads: { description: 'onnxruntime threads', default: '2' },
  help: { description: 'print this help', boolean: true },
};

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

export async function segmentFile(argv: string[], log: (s: string) => void): Promise<void> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) return log(usage('npm run segment --', FLAGS));
  const input = a.input as string, output = a.output as string;
  if (!existsSync(input)) throw new InputError(`${input}: no such file`);
  if (resolve(input) === resolve(output)) throw new InputError(`--output ${output} is the input file; choose another path (the input is never modified)`);
  const volume = readNifti(new Uint8Array(readFileSync(input)), input);
  const { card, onnx } = await loadModel(a.model ?? defaultCardPath());
  const session = await createSession(onnx, { provider: 'cpu', threads: Number(a.threads) || 2 });
  let last = 0;
  const res = await segmentVolume(volume, card, sessionTileRunner(session, card), {
    onProgress: (done, total) => {
      if (done === total || Date.now() - last > 2000) {
        last = Date.now();
        log(`tile ${done}/${total}`);
      }
    },
  });
  await session.release();
  for (const w of res.warnings) log(`warning: ${w}`);
  const bytes = writeNifti(res.labels, volume, { gzip: !output.endsWith('.nii') });
  writeFileSync(`${output}.tmp`, bytes);
  renameSync(`${output}.tmp`, output);
  log(`wrote ${output} (${volume.dims.join('x')}, ${res.tiles} tiles, ${res.seconds.toFixed(1)} s with ${card.name})`);
  for (const l of card.labels.slice(1)) log(`${l.name.padEnd(20)} ${(res.volumesMl[l.id] ?? 0).toFixed(1).padStart(9)} mL`);
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  segmentFile(process.argv.slice(2), (s) => console.log(s)).then(
    () => process.exit(0),
    (e: unknown) => {
      const err = e as Error;
      const bad = [ArgsError, InputError, NiftiError, ModelCardError].some((k) => err instanceof k) || /sha256|model card/i.test(err.message);
      console.error(`segment: ${err.message}`);
      process.exit(bad ? 2 : 1);
    },
  );
}
