/**
 * `npm run segment -- --input ct.nii.gz --output seg.nii.gz [--model models/<name>.json] [--strict]`:
 * FINE sliding-window segmentation on onnxruntime-node. Writes a uint8 label map on the input's grid
 * with its geometry, prints organ volumes. Bad input: exit 2, one line, no output file. Applicability
 * warnings (preprocess/applicability.ts) go to stderr as `warning: ...` lines and the output is still
 * written; with --strict any warning means exit 3 and no output file. With a folder of NIfTI files as
 * `--input`, every scan is segmented into the `--output` folder (jobs/folderJob.ts). A folder of
 * DICOM files (one study, no NIfTI) is read as one scan: its largest CT series (io/readInput.ts), named
 * on stdout; the label map is written on that series' grid, and with `--dicom-seg <file.dcm>` also as a
 * DICOM Segmentation (SEG) that references the series' images (io/dicomSeg.ts).
 */
import { existsSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSession } from '../runtime/backend';
import { ModelCardError } from '../contract/cardCheck';
import { checkBeforeRun } from '../preprocess/applicability';
import { NIFTI_NAME, NiftiError, writeNifti } from '../io/nifti';
import { DicomError } from '../io/dicom';
import { dicomSegSourceProblem, writeDicomSeg } from '../io/dicomSeg';
import { readInputVolume } from '../io/readInput';
import { segmentVolume } from '../pipeline';
import { sessionTileRunner } from '../runtime/tileRunner';
import { InputError, defaultCardPath, loadModel } from '../runtime/loadModel';
import { segmentFolder } from '../jobs/folderJob';
import { ArgsError, type FlagSpecs, parseArgs, usage } from '../../util/args';

const FLAGS: FlagSpecs = {
  input: { description: 'CT volume (.nii / .nii.gz), or a folder of them (folder mode)', required: true },
  output: { description: 'label map to write (.nii.gz or .nii), or the output folder in folder mode', required: true },
  jobs: { description: 'folder mode: scans segmented at once, sharing the CPU cores', default: '1' },
  model: { description: 'model card JSON (default: the bundled default model)' },
  threads: { description: 'onnxruntime threads', default: '2' },
  strict: { description: 'treat any warning as an error: exit 3, write no output', boolean: true },
  'dicom-seg': { description: 'DICOM input: also write the label map as a DICOM SEG file (.dcm) referencing the series' },
  mirror: { description: 'test-time left-right mirroring (2x the model runs): on | off (default: the model card\'s inference.mirror)' },
  postprocess: { description: 'keep the largest component of the organs the model card names: on | off', default: 'on' },
  help: { description: 'print this help', boolean: true },
};

/** --strict and at least one warning: no output was written (exit code 3). */
export class StrictWarningError extends Error {
  override name = 'StrictWarningError';
}

function strictStop(warnings: string[], when: string): StrictWarningError {
  const n = warnings.length;
  return new StrictWarningError(`--strict: ${n} warning${n === 1 ? '' : 's'} ${when}; no output written`);
}

function onOff(v: string | undefined, flag: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v !== 'on' && v !== 'off') throw new ArgsError(`--${flag} must be on or off, got "${v}"`);
  return v === 'on';
}

function writeAtomic(path: string, bytes: Uint8Array): void {
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}

/** --dicom-seg needs a DICOM folder as input and a path outside it (inputs are never modified). */
function checkSegPath(segPath: string, input: string, notDicom: boolean): void {
  if (notDicom) throw new InputError(`--dicom-seg: a DICOM SEG needs a DICOM series as input; ${input} is NIfTI`);
  const rel = relative(resolve(input), resolve(segPath));
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new InputError(`--dicom-seg ${segPath} is inside the input folder; choose another path (inputs are never modified)`);
  }
}

/** `log` gets progress and results, `warn` the warning lines (stderr in the command; default `log`). */
export async function segmentFile(argv: string[], log: (s: string) => void, warn: (s: string) => void = log): Promise<void> {
  const a = parseArgs(argv, FLAGS);
  if (a.help) return log(usage('npm run segment --', FLAGS));
  const input = a.input as string, output = a.output as string;
  const inference = { mirror: onOff(a.mirror, 'mirror'), postprocess: onOff(a.postprocess, 'postprocess') };
  if (!existsSync(input)) throw new InputError(`${input}: no such file`);
  const isNiftiFolder = statSync(input).isDirectory() && readdirSync(input).some((f) => NIFTI_NAME.test(f));
  const segPath = a['dicom-seg'];
  if (segPath !== undefined) checkSegPath(segPath, input, isNiftiFolder || !statSync(input).isDirectory());
  if (isNiftiFolder) {
    if (resolve(input) === resolve(output)) throw new InputError(`--output ${output} is the input folder; choose another folder (inputs are never modified)`);
    const jobs = Number(a.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new ArgsError(`--jobs must be an integer >= 1, got "${a.jobs}"`);
    const cardPath = a.model ?? defaultCardPath();
    const { card } = await loadModel(cardPath);
    const r = await segmentFolder(input, output, { cardPath, labels: card.labels, jobs, log, warn, inference });
    if (r.failed.length) throw new InputError(`${r.failed.length} scan(s) failed: ${r.failed.join(', ')}`);
    return;
  }
  if (resolve(input) === resolve(output)) throw new InputError(`--output ${output} is the input file; choose another path (the input is never modified)`);
  const volume = await readInputVolume(input, log);
  if (segPath !== undefined) {
    if (!volume.source) throw new InputError(`--dicom-seg: a DICOM SEG needs a DICOM series as input; ${input} is not one`);
    const problem = dicomSegSourceProblem(volume.source);
    if (problem) throw new InputError(`--dicom-seg: ${problem}`);
  }
  const { card, onnx } = await loadModel(a.model ?? defaultCardPath());
  if (a.strict) {
    const before = checkBeforeRun(volume, card);
    for (const w of before) warn(`warning: ${w}`);
    if (before.length) throw strictStop(before, 'before segmenting');
  }
  const session = await createSession(onnx, { provider: 'cpu', threads: Number(a.threads) || 2 });
  let last = 0;
  const res = await segmentVolume(volume, card, sessionTileRunner(session, card), {
    ...inference,
    onProgress: (done, total) => {
      if (done === total || Date.now() - last > 2000) {
        last = Date.now();
        log(`tile ${done}/${total}`);
      }
    },
  });
  await session.release();
  // With --strict, nothing was found before the run, so these lines are new.
  for (const w of res.warnings) warn(`warning: ${w}`);
  if (a.strict && res.warnings.length) throw strictStop(res.warnings, 'after segmenting');
  // The SEG is encoded before anything is written: a SEG that cannot be made leaves no output.
  const seg = segPath !== undefined && volume.source
    ? writeDicomSeg(res.labels, volume.source, {
      segments: card.labels.filter((l) => l.id > 0).map((l) => ({ id: l.id, name: l.name, color: l.color })),
      algorithm: { name: card.name, version: card.onnx.sha256 },
    })
    : null;
  const bytes = writeNifti(res.labels, volume, { gzip: !output.endsWith('.nii'), descrip: `labels by ${card.name} (FINE workbench)` });
  writeAtomic(output, bytes);
  log(`wrote ${output} (${volume.dims.join('x')}, ${res.tiles} tiles, ${res.seconds.toFixed(1)} s with ${card.name})`);
  if (seg && segPath !== undefined) {
    writeAtomic(segPath, seg);
    log(`wrote ${segPath} (DICOM SEG of series ${volume.source?.seriesInstanceUid}, ${seg.length} bytes)`);
  }
  for (const l of card.labels.slice(1)) log(`${l.name.padEnd(20)} ${(res.volumesMl[l.id] ?? 0).toFixed(1).padStart(9)} mL`);
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  segmentFile(process.argv.slice(2), (s) => console.log(s), (s) => console.error(s)).then(
    () => process.exit(0),
    (e: unknown) => {
      const err = e as Error;
      if (err instanceof StrictWarningError) {
        console.error(`segment: ${err.message}`);
        process.exit(3);
      }
      const bad = [ArgsError, InputError, NiftiError, DicomError, ModelCardError].some((k) => err instanceof k) || /sha256|model card/i.test(err.message);
      console.error(`segment: ${err.message}`);
      process.exit(bad ? 2 : 1);
    },
  );
}
