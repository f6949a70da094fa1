/**
 * What a file that is neither NIfTI nor DICOM is, from its first bytes, so a refusal can name it
 * ("a PNG image") instead of describing a header it never had.
 */

/** Signatures of common non-medical files: [name, bytes at offset 0] (null: any byte). */
const SIGNATURES: readonly [string, readonly (number | null)[]][] = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a BMP image', [0x42, 0x4d, null, null, null, null, 0, 0, 0, 0]],
  ['a TIFF image', [0x49, 0x49, 0x2a, 0x00]],
  ['a TIFF image', [0x4d, 0x4d, 0x00, 0x2a]],
  ['a WebP image', [0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a ZIP archive (unpack it and open the scan inside)', [0x50, 0x4b, 0x03, 0x04]],
  ['a 7-Zip archive (unpack it and open the scan inside)', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['a RAR archive (unpack it and open the scan inside)', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]],
  ['a tar archive (unpack it and open the scan inside)', [...new Array<null>(257).fill(null), 0x75, 0x73, 0x74, 0x61, 0x72]],
];

/** The kind of a non-medical file ("a PNG image"), or null when its first bytes match none we know. */
export function nonMedicalKind(bytes: Uint8Array): string | null {
  for (const [name, sig] of SIGNATURES) {
    if (bytes.length >= sig.length && sig.every((b, i) => b === null || bytes[i] === b)) return name;
  }
  if (bytes.length >= 5 && /^(\{|\[|<\?xml|<!doc|<html)/i.test(String.fromCharCode(...bytes.subarray(0, 9)).trimStart())) return 'a text document (JSON, XML or HTML)';
  return null;
}
