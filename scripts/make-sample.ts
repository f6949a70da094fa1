/**
 * Writes the bundled sample the app opens on first load: a seeded synthetic abdominal phantom at
 * 3 mm (96 x 80 x 48 voxels), as `public/sample/phantom.nii.gz`, and its ground-truth label map as
 * `public/sample/phantom_labels.nii.gz` (for the reference-Dice table). HU are rounded to integers
 * and stored as int16, so the gzip stays well under 1 MB. Usage: `npx tsx scripts/make-sample.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'fflate';
import { makeNiftiHeader, writeNifti, type Vec3 } from '../src/infer/nifti';
import { OFFSET } from '../src/infer/niftiHeader';
import { makePhantom } from '../src/infer/phantom';

const DIMS: Vec3 = [96, 80, 48];
const SPACING: Vec3 = [3, 3, 3];
const SEED = 7;

function int16Nifti(data: Float32Array, dims: Vec3, spacing: Vec3): Uint8Array {
  const header = makeNiftiHeader(dims, spacing);
  const out = new Uint8Array(352 + data.length * 2);
  out.set(header);
  const view = new DataView(out.buffer);
  view.setInt16(OFFSET.datatype, 4, true);
  view.setInt16(OFFSET.bitpix, 16, true);
  view.setFloat32(OFFSET.voxOffset, 352, true);
  view.setFloat32(OFFSET.sclSlope, 1, true);
  [0x6e, 0x2b, 0x31, 0].forEach((c, i) => view.setUint8(OFFSET.magic + i, c));
  for (let i = 0; i < data.length; i++) view.setInt16(352 + 2 * i, Math.max(-1024, Math.min(3071, Math.round(data[i]))), true);
  return out;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'public', 'sample');
mkdirSync(dir, { recursive: true });
const { image, labels } = makePhantom({ dims: DIMS, spacing: SPACING, seed: SEED });
const ct = gzipSync(int16Nifti(image, DIMS, SPACING), { level: 9 });
const seg = writeNifti(labels, { dims: DIMS, header: makeNiftiHeader(DIMS, SPACING) }, { gzip: true });
writeFileSync(join(dir, 'phantom.nii.gz'), ct);
writeFileSync(join(dir, 'phantom_labels.nii.gz'), seg);
console.log(`make-sample: phantom.nii.gz ${(ct.length / 1024).toFixed(0)} KiB, phantom_labels.nii.gz ${(seg.length / 1024).toFixed(0)} KiB in public/sample`);
