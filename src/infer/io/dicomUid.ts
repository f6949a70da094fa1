/** UIDs, dates and decimal strings for the DICOM objects the workbench writes (Node and browser alike). */

/**
 * A new UID under the 2.25 root: "2.25." and the decimal value of a random 128-bit integer (PS3.5
 * B.2), from crypto.getRandomValues.
 */
export function newUid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `2.25.${n}`;
}

/** The workbench's Implementation Class UID (file meta information), fixed once under 2.25. */
export const IMPLEMENTATION_CLASS_UID = '2.25.74170967102687202391036602763340114189';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** DA (YYYYMMDD) and TM (HHMMSS.FFFFFF) of a local time. */
export function dicomDateTime(d: Date): { date: string; time: string } {
  return {
    date: `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`,
    time: `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`,
  };
}

/** A number as a DS value: at most 16 characters, the most significant digits that fit. */
export function decimalString(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`${x} is not a finite number`);
  const plain = String(Object.is(x, -0) ? 0 : x);
  if (plain.length <= 16 && !/e/i.test(plain)) return plain;
  for (let digits = 15; digits > 0; digits--) {
    const s = String(Number(x.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  return x.toExponential(8);
}
