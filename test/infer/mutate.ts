/** Seeded random mutations of a valid file, for the readers' fuzz tests (Node and browser). */

/**
 * One mutation: byte flips (mostly in the first `headerBytes`), a 32-bit field set to an extreme value,
 * truncation, appended garbage, or bit flips.
 */
export function mutate(src: Uint8Array, r: () => number, headerBytes: number): Uint8Array {
  let b = src.slice();
  const kind = Math.floor(r() * 5);
  const at = () => Math.floor(r() * Math.min(b.length, r() < 0.8 ? headerBytes : b.length));
  if (kind === 0) for (let k = 1 + Math.floor(r() * 8); k > 0; k--) b[at()] = Math.floor(r() * 256);
  else if (kind === 1) {
    // A 16- or 32-bit field set to an extreme value (dims, lengths, offsets live in such fields).
    const i = at() & ~1;
    const v = new DataView(b.buffer);
    const extremes = [0, 1, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0xffffffff, 0x10000];
    if (i + 4 <= b.length) v.setUint32(i, extremes[Math.floor(r() * extremes.length)], r() < 0.5);
  } else if (kind === 2) b = b.slice(0, Math.floor(r() * b.length));
  else if (kind === 3) b = Uint8Array.from([...b, ...Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256))]);
  else for (let k = 0; k < 3; k++) b[at()] ^= 1 << Math.floor(r() * 8);
  return b;
}

/** NIfTI-1 float fields that set the geometry: pixdim[1..3], quatern b/c/d, qoffset x/y/z, srow_x/y/z. */
const GEOMETRY_FLOATS = [80, 84, 88, 256, 260, 264, 268, 272, 276, ...Array.from({ length: 12 }, (_, k) => 280 + 4 * k)];
const EXTREME_FLOATS = [1e6, -1e6, 1e-6, 0, NaN, Infinity, -Infinity, 1e30, 3e38, 0.05, 30, 100, 1e3, -2];

/** A NIfTI-1 header with one to three geometry fields (voxel size, quaternion, sform rows) set to extreme values. */
export function mutateGeometry(src: Uint8Array, r: () => number): Uint8Array {
  const b = src.slice();
  const v = new DataView(b.buffer);
  for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
    v.setFloat32(GEOMETRY_FLOATS[Math.floor(r() * GEOMETRY_FLOATS.length)], EXTREME_FLOATS[Math.floor(r() * EXTREME_FLOATS.length)], true);
  }
  return b;
}
