/**
 * multipart/related bodies, as DICOMweb uses them (PS3.18 8.6): WADO-RS answers with one part per
 * instance, STOW-RS is sent one part per instance. Bytes in, bytes out: no DOM, unit-tested in Node.
 */

const CRLF = [13, 10];
const enc = new TextEncoder();

/** The boundary named in a multipart Content-Type header, or null when there is none. */
export function boundaryOf(contentType: string | null): string | null {
  if (!contentType || !/^multipart\//i.test(contentType.trim())) return null;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = hay.length - needle.length;
  outer: for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The bodies of the parts of a multipart body (headers dropped). Throws when no part is delimited. */
export function parseMultipart(body: Uint8Array, boundary: string): Uint8Array[] {
  const delim = enc.encode(`--${boundary}`);
  const parts: Uint8Array[] = [];
  let at = indexOf(body, delim, 0);
  if (at < 0) throw new Error(`multipart body without its boundary "${boundary}"`);
  for (;;) {
    const afterDelim = at + delim.length;
    // "--" after the delimiter closes the body.
    if (body[afterDelim] === 45 && body[afterDelim + 1] === 45) break;
    const headersEnd = indexOf(body, enc.encode('\r\n\r\n'), afterDelim);
    if (headersEnd < 0) throw new Error('multipart part without the blank line after its headers');
    const start = headersEnd + 4;
    const next = indexOf(body, enc.encode(`\r\n--${boundary}`), start);
    if (next < 0) throw new Error('multipart part without a closing boundary');
    parts.push(body.subarray(start, next));
    at = next + 2;
  }
  return parts;
}

/** A multipart/related body of `type` parts, with its Content-Type header value. */
export function buildMultipart(parts: Uint8Array[], type: string, boundary = `fine-${crypto.randomUUID()}`): { body: Uint8Array; contentType: string } {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    chunks.push(enc.encode(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`), p, new Uint8Array(CRLF));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  return { body: concat(chunks), contentType: `multipart/related; type="${type}"; boundary=${boundary}` };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Reads a streamed multipart body to its end, calling `onPart(n)` each time the n-th part is complete
 * (its next delimiter seen; a delimiter split across two chunks counts once).
 */
export async function readCountingParts(stream: ReadableStream<Uint8Array>, boundary: string, onPart: (parts: number) => void): Promise<Uint8Array> {
  const delim = enc.encode(`--${boundary}`);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let seen = 0;
  let tail = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    // This chunk with the end of the one before (too short to hold a whole delimiter by itself).
    const hay = concat([tail, value]);
    for (let i = indexOf(hay, delim, 0); i !== -1; i = indexOf(hay, delim, i + delim.length)) seen++;
    tail = hay.slice(Math.max(0, hay.length - (delim.length - 1)));
    // The first delimiter opens part 1; each later one closes a part.
    if (seen > 1) onPart(seen - 1);
  }
  return concat(chunks);
}
