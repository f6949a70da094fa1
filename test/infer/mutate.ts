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
