import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { NiftiError, headerText, makeNiftiHeader, readNifti, writeNifti, writeNiftiFloat } from '../../src/infer/io/nifti';
import { buildNifti } from './niftiFixture';

const TYPES: [number, string, number[]][] = [
  [2, 'uint8', [0, 1, 127, 255]],
  [256, 'int8', [-128, -1, 0, 127]],
  [4, 'int16', [-1024, -1, 0, 3071]],
  [512, 'uint16', [0, 1, 40000, 65535]],
  [8, 'int32', [-100000, -1, 0, 2000000]],
  [768, 'uint32', [0, 1, 3000000000, 4000000000]],
  [16, 'float32', [-1000.5, 0, 0.25, 3071]],
  [64, 'float64', [-1000.125, 0, 1e-3, 3071]],
];

function expectNiftiError(bytes: Uint8Array, fragment: string | RegExp): void {
  let caught: unknown;
  try {
    readNifti(bytes, 'case.nii');
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(NiftiError);
  expect((caught as Error).message).toMatch(fragment);
  expect((caught as Error).message).toContain('case.nii');
}

describe('readNifti datatypes', () => {
  for (const [code, name, values] of TYPES) {
    for (const littleEndian of [true, false]) {
      for (const gz of [false, true]) {
        it(`${name} ${littleEndian ? 'LE' : 'BE'}${gz ? ' gz' : ''}`, () => {
          const raw = buildNifti({ dims: [2, 2, 1], datatype: code, values, littleEndian });
          const vol = readNifti(gz ? gzipSync(raw) : raw);
          expect(vol.dims).toEqual([2, 2, 1]);
          expect(vol.datatype).toBe(code);
          expect(Array.from(vol.data)).toEqual(values.map((v) => Math.fround(v)));
        });
      }
    }
  }
});

describe('readNifti header fields', () => {
  it('applies scl_slope and scl_inter; slope 0 means none', () => {
    const scaled = readNifti(buildNifti({ dims: [2, 1, 1], datatype: 4, values: [10, 20], slope: 2, inter: -1024 }));
    expect(Array.from(scaled.data)).toEqual([-1004, -984]);
    const none = readNifti(buildNifti({ dims: [2, 1, 1], datatype: 4, values: [10, 20], slope: 0, inter: 5 }));
    expect(Array.from(none.data)).toEqual([10, 20]);
  });

  it('prefers sform over qform, qform over pixdim', () => {
    const rows = [[-3, 0, 0, 10], [0, -3, 0, 20], [0, 0, 2, -30]];
    const qform = { code: 1, b: 0, c: 0, d: 1, offset: [1, 2, 3] }; // 180 degrees about z
    const pixdim = [1, 3, 3, 2, 1, 1, 1, 1];
    const both = readNifti(buildNifti({ pixdim, sform: { code: 1, rows }, qform }));
    expect(both.affine).toEqual([...rows.flat(), 0, 0, 0, 1]);
    const q = readNifti(buildNifti({ pixdim, sform: { code: 0, rows }, qform }));
    expect(q.affine.map((x) => Math.round(x * 1e6) / 1e6 + 0)).toEqual([-3, 0, 0, 1, 0, -3, 0, 2, 0, 0, 2, 3, 0, 0, 0, 1]);
    expect(q.spacing).toEqual([3, 3, 2]);
    expect(q.warnings).toEqual([]);
    const none = readNifti(buildNifti({ pixdim }));
    expect(none.affine).toEqual([3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
    expect(none.warnings[0]).toMatch(/neither sform nor qform/);
  });

  it('qform with qfac -1 flips z', () => {
    const v = readNifti(buildNifti({ pixdim: [-1, 1, 1, 2, 1, 1, 1, 1], qform: { code: 1, b: 0, c: 0, d: 0, offset: [0, 0, 0] } }));
    expect(v.affine[10]).toBe(-2);
  });

  it('accepts 4-D with dim[4] = 1', () => {
    const v = readNifti(buildNifti({ dim: [4, 2, 2, 2, 1, 1, 1, 1] }));
    expect(v.dims).toEqual([2, 2, 2]);
  });
});

describe('readNifti refuses bad input', () => {
  const good = buildNifti({ dims: [4, 4, 4] });
  it('empty file', () => expectNiftiError(new Uint8Array(0), /empty/));
  it('too short', () => expectNiftiError(good.slice(0, 100), /too short/));
  it('not NIfTI', () => expectNiftiError(new Uint8Array(400).fill(7), /sizeof_hdr is 117901063, expected 348/));
  it('bad magic', () => expectNiftiError(buildNifti({ magic: 'abc' }), /magic is "abc"/));
  it('images, documents and archives are named as such', () => {
    const head = (...b: number[]) => Uint8Array.from([...b, ...new Array(600).fill(0)]);
    expectNiftiError(head(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), /this is a PNG image, not a CT scan; open a NIfTI file/);
    expectNiftiError(head(0xff, 0xd8, 0xff, 0xe0), /a JPEG image/);
    expectNiftiError(head(0x25, 0x50, 0x44, 0x46), /a PDF document/);
    expectNiftiError(head(0x50, 0x4b, 0x03, 0x04), /a ZIP archive \(unpack it/);
    expectNiftiError(gzipSync(head(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)), /a PNG image/);
    expectNiftiError(new TextEncoder().encode('{"labels": [1, 2, 3]}'), /a text document/);
    // A short PNG is still a PNG, not "too short for a NIfTI-1 header".
    expectNiftiError(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), /a PNG image/);
    expect(() => readNifti(good)).not.toThrow();
  });
  it('NIfTI-2', () => expectNiftiError(buildNifti({ sizeofHdr: 540 }), 'NIfTI-2 is not supported, save as NIfTI-1'));
  it('truncated gzip', () => {
    const gz = gzipSync(buildNifti({ dims: [32, 32, 8], values: Array.from({ length: 8192 }, () => Math.random()) }));
    expectNiftiError(gz.slice(0, gz.length >> 1), /gzip stream is truncated/);
  });
  it('data shorter than the header says', () => {
    expectNiftiError(good.slice(0, good.length - 10), `expected ${352 + 64 * 4} bytes, got ${352 + 64 * 4 - 10}`);
  });
  it('2-D image', () => expectNiftiError(buildNifti({ dim: [2, 4, 4, 1, 1, 1, 1, 1] }), /dim\[0\] must be 3 \(a 3-D volume\), got 2/));
  it('real 4-D image', () => expectNiftiError(buildNifti({ dim: [4, 2, 2, 2, 3, 1, 1, 1] }), /dim\[4\] = 3/));
  it('zero dim', () => expectNiftiError(buildNifti({ dim: [3, 4, 0, 4, 1, 1, 1, 1] }), /dim\[2\] = 0/));
  it('negative dim', () => expectNiftiError(buildNifti({ dim: [3, -4, 4, 4, 1, 1, 1, 1], values: [] }), /dim\[1\] = -4/));
  it('absurd dim', () => expectNiftiError(buildNifti({ dim: [3, 5000, 1, 1, 1, 1, 1, 1], values: [] }), /dim\[1\] = 5000, expected 1..4096/));
  it('more than 2^31 voxels', () => expectNiftiError(buildNifti({ dim: [3, 4096, 4096, 200, 1, 1, 1, 1], values: [] }), /exceed 2\^31/));
  it('zero spacing', () => expectNiftiError(buildNifti({ pixdim: [1, 1, 0, 1, 1, 1, 1, 1] }), /pixdim\[2\].*= 0/));
  it('negative spacing', () => expectNiftiError(buildNifti({ pixdim: [1, -1, 1, 1, 1, 1, 1, 1] }), /pixdim\[1\].*= -1/));
  it('NaN spacing', () => expectNiftiError(buildNifti({ pixdim: [1, 1, 1, NaN, 1, 1, 1, 1] }), /pixdim\[3\].*= NaN/));
  it('unknown datatype', () => expectNiftiError(buildNifti({ datatype: 1024 }), /unsupported datatype code 1024; expected one of 2 uint8/));
  it('RGB', () => expectNiftiError(buildNifti({ datatype: 128 }), /RGB colour images \(datatype 128\)/));
  it('RGBA', () => expectNiftiError(buildNifti({ datatype: 2304 }), /datatype 2304/));
  it('NaN and Inf voxels', () => {
    expectNiftiError(buildNifti({ dims: [2, 2, 1], values: [0, NaN, Infinity, 1] }), /2 voxels are NaN or Inf/);
  });
});

describe('writeNifti', () => {
  for (const littleEndian of [true, false]) {
    it(`label map keeps the geometry of a ${littleEndian ? 'little' : 'big'}-endian input, gz and not`, () => {
      const rows = [[-1.5, 0, 0, 10], [0, -1.5, 0, 20], [0, 0, 2.5, -30]];
      const like = readNifti(buildNifti({ dims: [3, 2, 2], datatype: 4, littleEndian, slope: 2, inter: -1024,
        pixdim: [1, 1.5, 1.5, 2.5, 1, 1, 1, 1], sform: { code: 1, rows } }));
      const labels = Uint8Array.from({ length: 12 }, (_, i) => i % 5);
      for (const gzip of [false, true]) {
        const back = readNifti(writeNifti(labels, like, { gzip }));
        expect(back.datatype).toBe(2);
        expect(Array.from(back.data)).toEqual(Array.from(labels));
        expect(back.affine).toEqual(like.affine);
        expect(back.spacing).toEqual(like.spacing);
      }
    });
  }

  it('float volume from a fresh header round-trips', () => {
    const header = makeNiftiHeader([4, 3, 2], [0.8, 0.8, 3]);
    const data = Float32Array.from({ length: 24 }, (_, i) => i * 1.5 - 1000);
    const back = readNifti(writeNiftiFloat(data, { dims: [4, 3, 2], header }, { gzip: true }));
    expect(back.dims).toEqual([4, 3, 2]);
    expect(back.spacing.map((s) => Math.fround(s))).toEqual([0.8, 0.8, 3].map(Math.fround));
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(back.affine[3]).toBeCloseTo(-1.2, 5);
    expect(back.warnings).toEqual([]);
  });

  it('a label map says what it is: intent NIFTI_INTENT_LABEL "labels" and its descrip; a CT template\'s descrip is not copied', () => {
    for (const littleEndian of [true, false]) {
      const like = readNifti(buildNifti({ dims: [2, 2, 2], littleEndian }));
      new Uint8Array(like.header.buffer, like.header.byteOffset + 148, 80).set(new TextEncoder().encode('CT abdomen, scanner X'));
      const bytes = writeNifti(new Uint8Array(8), like, { descrip: 'labels by fine-tiny (FINE workbench)' });
      expect(headerText(bytes)).toEqual({ descrip: 'labels by fine-tiny (FINE workbench)', intentName: 'labels', intentCode: 1002 });
      expect(headerText(writeNiftiFloat(new Float32Array(8), like))).toEqual({ descrip: '', intentName: '', intentCode: 0 });
    }
  });

  it('refuses data of the wrong size', () => {
    const like = readNifti(buildNifti({ dims: [2, 2, 2] }));
    expect(() => writeNifti(new Uint8Array(7), like)).toThrow(/7 voxels arrived, expected 2x2x2 = 8/);
  });
});
