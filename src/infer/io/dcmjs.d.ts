/** Types for dcmjs, which ships none: only its data layer, as dicomSeg.ts and the tests use it. */
declare module 'dcmjs' {
  /** A data set keyed by keyword ("PatientName"), sequences as arrays of data sets. */
  export type NaturalDataset = { [keyword: string]: unknown; _vrMap?: Record<string, string> };
  /** A data set keyed by tag ("00100010"). */
  export type DicomElements = Record<string, { vr: string; Value?: unknown[] }>;

  export namespace data {
    class DicomDict {
      constructor(meta: DicomElements);
      meta: DicomElements;
      dict: DicomElements;
      write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
    }
    const DicomMetaDictionary: {
      denaturalizeDataset(ds: NaturalDataset): DicomElements;
      naturalizeDataset(ds: DicomElements): NaturalDataset;
      nameMap: Record<string, { tag: string; vr: string; vm: string; name: string }>;
    };
    const DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string; includeUntilTagValue?: boolean }): DicomDict;
    };
    const Colors: {
      rgb82DICOMLAB(rgb: ArrayLike<number>): number[];
      dicomlab2RGB8(lab: ArrayLike<number>): number[];
    };
  }

  export const log: { setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void; getLevel(): number };
}
