import { describe, expect, it } from 'vitest';
import { boundaryOf, buildMultipart, parseMultipart } from '../../src/app/archive/multipart';

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
});
