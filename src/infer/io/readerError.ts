/**
 * The readers' errors: one line that names the file and says what is wrong. Bytes of a broken file
 * quoted in a message (a magic, a transfer syntax, a description) may hold control characters; they
 * are shown escaped (\x0a), so the message stays one printable line.
 */
const printable = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

export class ReaderError extends Error {
  constructor(message: string) {
    super(printable(message));
  }
}
