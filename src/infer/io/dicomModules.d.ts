/** Types for the DICOM codec packages that ship none (only what dicomCodecs.ts uses). */
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (opts?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}

declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: (opts?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (opts?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer | null, numBytes?: number);
    decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
