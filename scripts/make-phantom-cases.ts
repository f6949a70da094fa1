/** Writes synthetic phantom cases `<dir>/phantom<seed>_ct.nii.gz` + `_seg.nii.gz` (the trainer's naming convention). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeNiftiHeader, writeNifti, writeNiftiFloat } from '../src/infer/io/nifti';
import type { Vec3 } from '../src/infer/io/niftiHeader';
import { makePhantom } from '../src/infer/synthetic/phantom';

export function writePhantomCase(dir: string, seed: number, dims: Vec3 = [64, 48, 32], spacing: Vec3 = [4, 4, 4]): { ct: string; seg: string } {
  mkdirSync(dir, { recursive: true });
  const p = makePhantom({ dims, spacing, seed });
  const like = { dims, header: makeNiftiHeader(dims, spacing) };
  const ct = join(dir, `phantom${seed}_ct.nii.gz`), seg = join(dir, `phantom${seed}_seg.nii.gz`);
  writeFileSync(ct, writeNiftiFloat(p.image, like, { gzip: true }));
  writeFileSync(seg, writeNifti(p.labels, like, { gzip: true }));
  return { ct, seg };
}

if (process.argv[1]?.endsWith('make-phantom-cases.ts')) {
  const [dir = 'runs/phantom', ...seeds] = process.argv.slice(2);
  for (const s of seeds.length ? seeds : ['1', '2']) console.log(writePhantomCase(dir, Number(s)));
}
