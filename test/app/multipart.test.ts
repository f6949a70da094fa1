import { describe, expect, it } from 'vitest';
import { boundaryOf, buildMultipart, parseMultipart, readCountingParts } from '../../src/app/archive/multipart';

const enc = new TextEncoder();

describe('multipart/related for DICOMweb', () => {
  it('reads the boundary, quoted or not', () => {
    expect(boundaryOf('multipart/related; type="application/dicom"; boundary=abc123')).toBe('abc123');
    expect(boundaryOf('multipart/related; boundary="a b:c"; type="application/dicom"')).toBe('a b:c');
    expect(boundaryOf('application/dicom+json')).toBeNull();
    expect(boundaryOf(null)).toBeNull();
  });

  it('round-trips binary parts that contain CRLF and dashes', () => {
    const parts = [new Uint8Array([0, 13, 10, 45, 45, 1, 2]), enc.encode('--not-the-boundary\r\n'), new Uint8Array(0), new Uint8Array(5000).map((_, i) => i % 251)];
    const { body, contentType } = buildMultipart(parts, 'application/dicom');
    const got = parseMultipart(body, boundaryOf(contentType)!);
    expect(got.map((p) => Array.from(p))).toEqual(parts.map((p) => Array.from(p)));
  });

  it('parses a body the way archives write it (preamble, part headers, epilogue)', () => {
    const body = enc.encode('preamble\r\n--XyZ\r\nContent-Type: application/dicom\r\nContent-Length: 3\r\n\r\nabc\r\n--XyZ\r\nContent-Type: application/dicom\r\n\r\nde\r\n--XyZ--\r\nepilogue');
    expect(parseMultipart(body, 'XyZ').map((p) => new TextDecoder().decode(p))).toEqual(['abc', 'de']);
  });

  it('says what is wrong with a broken body', () => {
    expect(() => parseMultipart(enc.encode('no boundary here'), 'XyZ')).toThrow(/without its boundary/);
    expect(() => parseMultipart(enc.encode('--XyZ\r\nContent-Type: x\r\n\r\nabc'), 'XyZ')).toThrow(/closing boundary/);
  });

  it('counts the parts of a streamed body as they complete, whatever the chunk size', async () => {
    const parts = [new Uint8Array(300).fill(7), new Uint8Array(5), new Uint8Array(41).fill(45)];
    const { body, contentType } = buildMultipart(parts, 'application/dicom', 'b0undary');
    for (const size of [1, 3, 9, 64, body.length]) {
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < body.length; i += size) c.enqueue(body.slice(i, i + size));
          c.close();
        },
      });
      const seen: number[] = [];
      const got = await readCountingParts(stream, boundaryOf(contentType)!, (n) => seen.push(n));
      expect(got).toEqual(body);
      expect(seen.at(-1)).toBe(3);
      expect(seen.every((n, i) => i === 0 || n >= seen[i - 1])).toBe(true);
    }
  });
});
