/**
 * Writes the bundled sample the app opens on first load: a seeded synthetic abdominal phantom at
 * 3 mm (96 x 80 x 48 voxels), as `public/sample/phantom.nii.gz`, and its ground-truth label map as
 * `public/sample/phantom_labels.nii.gz` (for the reference-Dice table). HU are rounded to integers
 * and stored as int16, so the gzip stays well under 1 MB. `public/sample/sample.json` tells the app what
 * the sample is ("synthetic phantom") and which model belongs with it (fine-tiny, trained on phantoms),
 * so the first Segment runs the model made for this data. Usage: `npx tsx scripts/make-sample.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeNiftiHeader, writeNifti, writeNiftiInt16, type Vec3 } from '../src/infer/io/nifti';
import { makePhantom } from '../src/infer/synthetic/phantom';

const DIMS: Vec3 = [96, 80, 48];
const SPACING: Vec3 = [3, 3, 3];
const SEED = 7;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'public', 'sample');
mkdirSync(dir, { recursive: true });
const { image, labels } = makePhantom({ dims: DIMS, spacing: SPACING, seed: SEED });
const clamped = image.map((v) => Math.max(-1024, Math.min(3071, v)));
const ct = writeNiftiInt16(clamped, { dims: DIMS, header: makeNiftiHeader(DIMS, SPACING) }, { gzip: true });
const seg = writeNifti(labels, { dims: DIMS, header: makeNiftiHeader(DIMS, SPACING) }, { gzip: true });
writeFileSync(join(dir, 'phantom.nii.gz'), ct);
writeFileSync(join(dir, 'phantom_labels.nii.gz'), seg);
const manifest = {
  file: 'phantom.nii.gz',
  reference: 'phantom_labels.nii.gz',
  kind: 'synthetic phantom',
  model: 'fine-tiny',
  about: 'A seeded synthetic abdominal phantom (scripts/make-sample.ts), not a patient scan; fine-tiny was trained on phantoms like it. For real CT, drop your own scan: the app then selects the real-CT model.',
};
writeFileSync(join(dir, 'sample.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`make-sample: phantom.nii.gz ${(ct.length / 1024).toFixed(0)} KiB, phantom_labels.nii.gz ${(seg.length / 1024).toFixed(0)} KiB in public/sample`);
