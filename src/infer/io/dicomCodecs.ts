/**
 * Decoders for compressed DICOM pixel data, loaded on first use: JPEG 2000 through OpenJPEG's WASM
 * build (@cornerstonejs/codec-openjpeg), HTJ2K through OpenJPH's (@cornerstonejs/codec-openjph), JPEG-LS
 * through CharLS's (@cornerstonejs/codec-charls), JPEG lossless (process 14) through
 * jpeg-lossless-decoder-js, RLE Lossless by the algorithm of DICOM PS3.5 Annex G. Each returns the
 * frame's samples as little-endian 16-bit (or 8-bit) bytes, rows of columns, as uncompressed pixel data
 * would be. Pure: no DOM, no node:fs. In a browser the app names the URL of each codec's .wasm file
 * (`setCodecWasmUrls`); in Node the Emscripten loader finds it beside its own script.
 */

/** Transfer syntaxes this reader decodes, by UID. */
export const TRANSFER_SYNTAXES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'implicit VR little endian',
  '1.2.840.10008.1.2.1': 'explicit VR little endian',
  '1.2.840.10008.1.2.2': 'explicit VR big endian',
  '1.2.840.10008.1.2.4.57': 'JPEG lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG lossless (first-order prediction)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS near-lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE lossless',
};

/** Names of common syntaxes this reader does not decode, for the error message. */
export const UNSUPPORTED_SYNTAXES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.50': 'JPEG baseline (lossy, 8-bit)',
  '1.2.840.10008.1.2.4.51': 'JPEG extended (lossy, 12-bit)',
  '1.2.840.10008.1.2.1.99': 'deflated explicit VR little endian',
};

export const isJpeg2000 = (ts: string) => ts === '1.2.840.10008.1.2.4.90' || ts === '1.2.840.10008.1.2.4.91';
export const isHtj2k = (ts: string) => ts === '1.2.840.10008.1.2.4.201' || ts === '1.2.840.10008.1.2.4.202' || ts === '1.2.840.10008.1.2.4.203';
export const isJpegLs = (ts: string) => ts === '1.2.840.10008.1.2.4.80' || ts === '1.2.840.10008.1.2.4.81';
export const isJpegLossless = (ts: string) => ts === '1.2.840.10008.1.2.4.57' || ts === '1.2.840.10008.1.2.4.70';
export const isRle = (ts: string) => ts === '1.2.840.10008.1.2.5';

/** The decoder classes the three Emscripten codecs export share this interface. */
interface EmbindDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean };
  delete(): void;
}
type CodecModule = Record<string, new () => EmbindDecoder>;
type CodecFactory = (opts: Record<string, unknown>) => Promise<CodecModule>;

export type WasmCodec = 'openjpeg' | 'openjph' | 'charls';

const IMPORTS: Record<WasmCodec, { load: () => Promise<unknown>; decoder: string; name: string }> = {
  openjpeg: { load: () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'), decoder: 'J2KDecoder', name: 'JPEG 2000' },
  openjph: { load: () => import('@cornerstonejs/codec-openjph/wasmjs'), decoder: 'HTJ2KDecoder', name: 'HTJ2K' },
  charls: { load: () => import('@cornerstonejs/codec-charls/decodewasmjs'), decoder: 'JpegLSDecoder', name: 'JPEG-LS' },
};

const wasmUrls: Partial<Record<WasmCodec, string>> = {};
const modules: Partial<Record<WasmCodec, Promise<CodecModule>>> = {};

/** Where the browser fetches each codec's .wasm (the app passes Vite's asset URLs). Call before the first decode. */
export function setCodecWasmUrls(urls: Partial<Record<WasmCodec, string>>): void {
  Object.assign(wasmUrls, urls);
}

function loadCodec(c: WasmCodec): Promise<CodecModule> {
  let p = modules[c];
  if (!p) {
    p = IMPORTS[c].load().then((m) => {
      const factory = ((m as { default?: unknown }).default ?? m) as CodecFactory;
      const quiet = () => {};
      const url = wasmUrls[c];
      return factory({ print: quiet, printErr: quiet, ...(url ? { locateFile: () => url } : {}) });
    });
    p.catch(() => { delete modules[c]; });
    modules[c] = p;
  }
  return p;
}

export interface Frame {
  rows: number;
  columns: number;
  bitsAllocated: number;
  signed: boolean;
}

/** Decodes one codestream with a WASM codec to little-endian samples, checking its size against the header. */
export async function decodeWasm(codec: WasmCodec, encoded: Uint8Array, frame: Frame): Promise<Uint8Array> {
  const mod = await loadCodec(codec);
  const dec = new mod[IMPORTS[codec].decoder]();
  try {
    dec.getEncodedBuffer(encoded.length).set(encoded);
    dec.decode();
    const info = dec.getFrameInfo();
    if (info.width !== frame.columns || info.height !== frame.rows || info.componentCount !== 1) {
      throw new Error(
        `the ${IMPORTS[codec].name} stream is ${info.width}x${info.height} with ${info.componentCount} components, the header says ${frame.columns}x${frame.rows} greyscale`,
      );
    }
    return dec.getDecodedBuffer().slice();
  } finally {
    dec.delete();
  }
}

/** Decodes one JPEG lossless (process 14) stream to little-endian samples. */
export async function decodeJpegLossless(encoded: Uint8Array, frame: Frame): Promise<Uint8Array> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  const bytes = frame.bitsAllocated <= 8 ? 1 : 2;
  const copy = encoded.slice();
  const out = new Decoder().decode(copy.buffer, 0, copy.byteLength, bytes);
  const u8 = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const expected = frame.rows * frame.columns * bytes;
  if (u8.length < expected) throw new Error(`the JPEG lossless stream gave ${u8.length} bytes, expected ${expected}`);
  return u8.slice(0, expected);
}

/**
 * RLE Lossless (DICOM PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits segment per
 * byte plane, most significant plane first. Output is little-endian.
 */
export function decodeRle(encoded: Uint8Array, frame: Frame): Uint8Array {
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  if (encoded.length < 64) throw new Error('the RLE frame is shorter than its 64-byte header');
  const segments = view.getUint32(0, true);
  const planes = frame.bitsAllocated <= 8 ? 1 : 2;
  if (segments !== planes) throw new Error(`the RLE frame has ${segments} segments, expected ${planes} for ${frame.bitsAllocated}-bit greyscale`);
  const n = frame.rows * frame.columns;
  const out = new Uint8Array(n * planes);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : encoded.length;
    if (start < 64 || end > encoded.length || start > end) throw new Error(`the RLE segment ${s + 1} has offsets ${start}..${end} outside the frame`);
    const plane = planes - 1 - s; // segment 0 holds the most significant bytes
    let o = 0;
    let i = start;
    while (i < end && o < n) {
      const h = encoded[i++];
      if (h < 128) {
        for (let k = 0; k <= h && i < end && o < n; k++) out[(o++) * planes + plane] = encoded[i++];
      } else if (h > 128) {
        const v = encoded[i++];
        for (let k = 0; k < 257 - h && o < n; k++) out[(o++) * planes + plane] = v;
      }
    }
    if (o < n) throw new Error(`the RLE segment ${s + 1} decodes to ${o} samples, expected ${n}`);
  }
  return out;
}
