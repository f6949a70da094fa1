/**
 * `npm run adapt` (its command line is cli/adapt.ts): teaches a model a site's corrected scans on a
 * workstation, exactly as the app does in the browser
 * (the same crops, loop and optimiser: infer/adapt/), and writes `<dir>/<out>.onnx`, `.attn.onnx` and the
 * card. The folder follows nnU-Net's layout: `imagesTr/<case>_0000.nii.gz` (the CT), `labelsTr/<case>.nii.gz`
 * (the corrected labels) and, optionally, `predictions/<case>.nii.gz` (the model's own labels before the
 * correction; segmented here when absent). With `--holdout <case>` that scan is only scored; otherwise each
 * scan is split at the median slice of its corrections, learnt from below and scored above, as in the app.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type AdaptScan } from '../adapt/crops';
import { adaptSettings } from '../adapt/loop';
import { type HeldOutPart, type AdaptResult, runAdaptJob } from '../adapt/run';
import { adaptScan, scanHashes, splitForHoldOut } from '../adapt/scan';
import { checkModelName } from '../adapt/adaptedModel';
import { verifyOnnx } from '../contract/cardCheck';
import { type NiftiVolume, readNifti } from '../io/nifti';
import { segmentVolume } from '../pipeline';
import { createSession } from '../runtime/backend';
import { InputError, loadModel } from '../runtime/loadModel';
import { sessionTileRunner } from '../runtime/tileRunner';
import { ArgsError, type FlagSpecs, parseArgs, usage } from '../../util/args';

const FLAGS: FlagSpecs = {
  model: { description: 'the model card to adapt (its card must list a training graph)', required: true },
  data: { description: 'folder with imagesTr/<case>_0000.nii.gz, labelsTr/<case>.nii.gz (corrected) and optionally predictions/<case>.nii.gz', required: true },
  out: { description: 'name of the adapted model (files <dir>/<out>.onnx, .attn.onnx, .json)', required: true },
  dir: { description: 'folder to write the adapted model to', default: 'models' },
  steps: { description: "adaptation steps (default: the card's)" },
  holdout: { description: 'a case to score only (default: each case split at the median slice of its corrections)' },
  seed: { description: 'crop seed (default 1, as the app)' },
  lr: { description: "learning rate (default: the card's)" },
  anchor: { description: "pull toward the base weights, L2-SP (default: the card's)" },
  threads: { description: 'onnxruntime threads', default: '2' },
  force: { description: 'replace an adapted model of the same name in --dir', boolean: true },
  help: { description: 'print this help', boolean: true },
};

const num = (v: string | undefined, flag: string, integer = false): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new ArgsError(`--${flag} must be a ${integer ? 'whole ' : ''}number >= 0, got "${v}"`);
  return n;
};

function readVolume(path: string): NiftiVolume {
  return readNifti(new Uint8Array(readFileSync(path)), path);
}

function labelBytes(v: NiftiVolume, like: NiftiVolume, what: string): Uint8Array {
  if (v.data.length !== like.data.length) throw new InputError(`${what}: ${v.data.length} voxels, its CT has ${like.data.length}; they must share a grid`);
  const out = new Uint8Array(v.data.length);
  for (let i = 0; i < out.length; i++) {
    const l = Math.round(v.data[i]);
    if (!(l >= 0 && l <= 255)) throw new InputError(`${what}: value ${v.data[i]} at voxel ${i} is not a label (0-255)`);
    out[i] = l;
  }
  return out;
}

export interface AdaptCliResult extends AdaptResult {
  written: string[];
}

export async function adaptFolder(argv: string[], log: (s: string) => void = console.log): Promise<AdaptCliResult | null> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) {
    log(usage('npm run adapt --', FLAGS));
    return null;
  }
  const cardPath = a.model!;
  checkModelName(a.out!);
  const { card, onnx } = await loadModel(cardPath);
  const ad = card.adaptation;
  if (!ad) throw new InputError(`${cardPath}: this card lists no training graph; run npm run export-train -- --model ${cardPath}`);
  const trainPath = resolve(dirname(cardPath), ad.file);
  if (!existsSync(trainPath)) throw new InputError(`${cardPath}: its training graph ${trainPath} is missing`);
  const trainBytes = new Uint8Array(readFileSync(trainPath));
  await verifyOnnx(trainBytes, ad, trainPath);
  const attention = card.attention ? new Uint8Array(readFileSync(resolve(dirname(cardPath), card.attention.file))) : undefined;
  if (attention && card.attention) await verifyOnnx(attention, card.attention, card.attention.file);
  const images = join(a.data!, 'imagesTr');
  if (!existsSync(images)) throw new InputError(`${a.data}: no imagesTr folder (expected imagesTr/<case>_0000.nii.gz and labelsTr/<case>.nii.gz)`);
  const cases = readdirSync(images).filter((f) => /_0000\.nii(\.gz)?$/.test(f)).map((f) => f.replace(/_0000\.nii(\.gz)?$/, '')).sort();
  if (!cases.length) throw new InputError(`${images}: no <case>_0000.nii.gz scans`);
  if (a.holdout && !cases.includes(a.holdout)) throw new InputError(`--holdout ${a.holdout}: no such case (cases: ${cases.join(', ')})`);
  if (a.holdout && cases.length < 2) throw new InputError('--holdout needs a second case to learn from');
  const threads = num(a.threads, 'threads', true) ?? 2;
  const settings = adaptSettings(ad.optimizer, { steps: num(a.steps, 'steps', true), seed: num(a.seed, 'seed', true), lr: num(a.lr, 'lr'), anchor: num(a.anchor, 'anchor') });
  if (settings.steps < 1) throw new ArgsError('--steps must be at least 1');
  if (!(settings.lr > 0)) throw new ArgsError('--lr must be above 0');
  const dir = a.dir ?? 'models';
  if (a.out === card.name) throw new ArgsError(`--out ${a.out} is the base model's own name; the adapted model needs another`);
  const clash = [`${a.out}.json`, `${a.out}.onnx`, `${a.out}.attn.onnx`].map((f) => join(dir, f)).find(existsSync);
  if (clash && !a.force) throw new ArgsError(`${clash} exists; choose another --out or give --force to replace it`);

  const base = await createSession(onnx, { provider: 'cpu', threads });
  const train = await createSession(trainBytes, { provider: 'cpu', threads });
  try {
    const learn: AdaptScan[] = [], heldOut: HeldOutPart[] = [], hashes = [];
    for (const c of cases) {
      const find = (dir: string) => ['.nii.gz', '.nii'].map((ext) => join(a.data!, dir, `${c}${ext}`)).find(existsSync);
      const img = readVolume(join(images, readdirSync(images).find((f) => f.startsWith(`${c}_0000.nii`))!));
      const labelPath = find('labelsTr');
      if (!labelPath) throw new InputError(`${c}: no labelsTr/${c}.nii.gz (the corrected labels)`);
      const corrected = labelBytes(readVolume(labelPath), img, labelPath);
      const predPath = find('predictions');
      let model: Uint8Array;
      if (predPath) model = labelBytes(readVolume(predPath), img, predPath);
      else if (c === a.holdout) model = corrected; // only scored: what the model said before is not needed
      else {
        log(`${c}: segmenting with ${card.name} for its labels before the correction (save them as predictions/${c}.nii.gz to skip this)`);
        model = (await segmentVolume(img, card, sessionTileRunner(base, card))).labels;
      }
      try {
        const scan = adaptScan(img, corrected, model, card);
        if (c === a.holdout) heldOut.push({ scan, z: 0 });
        else {
          hashes.push(await scanHashes(img, corrected));
          if (a.holdout) learn.push(scan);
          else {
            const { train: part, z } = splitForHoldOut(scan);
            learn.push(part);
            heldOut.push({ scan, z });
          }
        }
        log(`${c}: ${scan.dims.join('x')} on the model grid, ${scan.changed.length} voxels corrected`);
      } catch (e) {
        throw new InputError(`${c}: ${(e as Error).message}`);
      }
    }
    let last = 0;
    const result = await runAdaptJob(
      { card, onnx, attention, learn, heldOut, settings, name: a.out!, scans: hashes, where: 'node (cpu)' },
      { train: () => Promise.resolve(train), base: () => Promise.resolve(base), bytes: (bytes) => createSession(bytes, { provider: 'cpu', threads }) },
      {
        onStep: (r) => {
          if (r.step === r.steps || performance.now() - last > 5000) {
            last = performance.now();
            log(`step ${r.step}/${r.steps}: loss ${r.loss.toFixed(4)}, about ${Math.round(r.etaSeconds)} s left`);
          }
        },
      },
    );
    mkdirSync(dir, { recursive: true });
    const f = result.files;
    const written = [join(dir, f.card.onnx.file), join(dir, `${f.card.name}.json`)];
    writeFileSync(written[0], f.onnx);
    if (f.attention && f.card.attention) {
      writeFileSync(join(dir, f.card.attention.file), f.attention);
      written.push(join(dir, f.card.attention.file));
    }
    writeFileSync(written[1], `${JSON.stringify(f.card, null, 2)}\n`);
    log(`held out (${f.card.adapted?.heldOut?.what ?? 'n/a'}): mean Dice ${result.before.mean.toFixed(3)} before, ${result.after.mean.toFixed(3)} after`);
    for (const o of result.after.organs) log(`  ${o.name}: ${(result.before.organs.find((b) => b.id === o.id)?.dice ?? NaN).toFixed(3)} -> ${o.dice.toFixed(3)}`);
    log(`wrote ${written.join(', ')} (${result.seconds.toFixed(0)} s)`);
    return { ...result, written };
  } finally {
    await train.release();
    await base.release();
  }
}

