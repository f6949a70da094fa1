/**
 * `npm run robustness -- --input ct.nii.gz --ref seg.nii.gz [--model card.json] [--variants a,b]
 * [--out results.json]`: segments a labelled case and variants of it (reversed and permuted storage,
 * a 13-slice slab, a 12° rotation, 35 HU noise, 1.5 x 1.5 x 2 mm voxels; eval/variants.ts) on
 * onnxruntime-node and prints Dice per variant and organ. Bad input: exit 2 with one line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelCardError } from '../contract/cardCheck';
import { NiftiError, type NiftiVolume, readNifti, writeNifti, writeNiftiFloat } from '../io/nifti';
import { segmentVolume } from '../pipeline';
import { createSession } from '../runtime/backend';
import { InputError, defaultCardPath, loadModel } from '../runtime/loadModel';
import { sessionTileRunner } from '../runtime/tileRunner';
import { SILVER_NOTE, formatRobustness, organsPresent, runRobustness } from '../eval/robustness';
import { parseVariants } from '../eval/variants';
import { ArgsError, type FlagSpecs, parseArgs, usage } from '../../util/args';
import { labelIds } from '../contract/labels';

const FLAGS: FlagSpecs = {
  input: { description: 'CT volume (.nii / .nii.gz)', required: true },
  ref: { description: 'its reference label map, same grid', required: true },
  model: { description: 'model card JSON (default: the bundled default model)' },
  variants: { description: 'comma-separated: lps, zyx, slab13, rot12, noise35, spacing1.5 (default: all)' },
  out: { description: 'write the scores as JSON here' },
  keep: { description: 'write each variant\'s CT and label map (NIfTI) into this folder' },
  seed: { description: 'noise seed', default: '35' },
  threads: { description: 'onnxruntime threads', default: '2' },
  help: { description: 'print this help', boolean: true },
};

function load(path: string): NiftiVolume {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return readNifti(bytes, basename(path));
}

function checkReference(ct: NiftiVolume, ref: NiftiVolume, refPath: string): void {
  if (ct.dims.join() !== ref.dims.join()) {
    throw new InputError(`grids differ: --input is ${ct.dims.join('x')}, --ref is ${ref.dims.join('x')}; pass the label map of this CT`);
  }
  let labelled = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const v = ref.data[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new InputError(`${refPath}: voxel ${i} is ${v}, expected integer label ids 0..255; pass a label map`);
    if (v > 0) labelled++;
  }
  if (labelled === 0) throw new InputError(`${refPath}: the label map is empty; pass a labelled case`);
}

export async function robustnessFiles(argv: string[], log: (s: string) => void): Promise<void> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) return log(usage('npm run robustness --', FLAGS));
  let names;
  try {
    names = parseVariants(a.variants);
  } catch (e) {
    throw new InputError(`--variants: ${(e as Error).message}`);
  }
  const seed = Number(a.seed);
  if (!Number.isInteger(seed)) throw new InputError(`--seed: "${a.seed}" is not an integer`);
  const ct = load(a.input as string);
  const ref = load(a.ref as string);
  checkReference(ct, ref, a.ref as string);
  const { card, onnx } = await loadModel(a.model ?? defaultCardPath());
  const session = await createSession(onnx, { provider: 'cpu', threads: Number(a.threads) || 2 });
  const runTile = sessionTileRunner(session, card);
  log(`model ${card.name} (${card.spacing.join('x')} mm, patch ${card.patchSize.join('x')}); case ${basename(a.input as string)} ${ct.dims.join('x')}`);
  if (a.keep) mkdirSync(a.keep, { recursive: true });
  try {
    const scores = await runRobustness({ ct, ref }, names, async (v) => {
      if (a.keep) {
        writeFileSync(join(a.keep, `${v.name}_ct.nii.gz`), writeNiftiFloat(v.ct.data, v.ct, { gzip: true }));
        writeFileSync(join(a.keep, `${v.name}_seg.nii.gz`), writeNifti(labelIds(v.ref.data, v.name), v.ref, { gzip: true }));
      }
      const r = await segmentVolume(v.ct, card, runTile);
      return { labels: r.labels, seconds: r.seconds, warnings: r.warnings };
    }, card.labels, { seed, onScore: (s) => log(`${s.name}: mean Dice ${s.meanDice.toFixed(3)} (${s.seconds.toFixed(1)} s)`) });
    log(formatRobustness(scores, organsPresent(ref.data, card.labels)));
    if (a.out) {
      writeFileSync(a.out, `${JSON.stringify({ model: card.name, input: a.input, ref: a.ref, note: SILVER_NOTE, scores }, null, 2)}\n`);
      log(`wrote ${a.out}`);
    }
  } finally {
    await session.release();
  }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  robustnessFiles(process.argv.slice(2), (s) => console.log(s)).then(
    () => process.exit(0),
    (e: unknown) => {
      const err = e as Error;
      const bad = [ArgsError, InputError, NiftiError, ModelCardError].some((k) => err instanceof k);
      console.error(`robustness: ${err.message}`);
      process.exit(bad ? 2 : 1);
    },
  );
}
