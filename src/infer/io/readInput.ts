/**
 * The Node commands' input: a NIfTI file, or a folder of one DICOM study (files named .dcm or
 * carrying the DICM marker). The folder's largest CT series is read through the pure reader in
 * dicom.ts; which one, and how many others there were, is logged.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type DicomFile, DicomError, hasDicomMagic, largestCtSeries, readDicomSeries, scanDicom, seriesLabel } from './dicom';
import { type NiftiVolume, readNifti } from './nifti';

/** The DICOM files directly in `dir` and in its sub-folders, as names (relative to `dir`) and bytes. */
export function dicomFilesIn(dir: string): DicomFile[] {
  const out: DicomFile[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) {
        walk(path, rel ? `${rel}/${name}` : name);
        continue;
      }
      if (!st.isFile()) continue;
      const bytes = new Uint8Array(readFileSync(path));
      if (/\.dcm$/i.test(name) || hasDicomMagic(bytes)) out.push({ name: rel ? `${rel}/${name}` : name, bytes });
    }
  };
  walk(dir, '');
  return out;
}

/** A CT volume from a NIfTI file or a DICOM folder; `log` gets one line naming the DICOM series read. */
export async function readInputVolume(path: string, log: (s: string) => void = () => {}): Promise<NiftiVolume> {
  if (!statSync(path).isDirectory()) return readNifti(new Uint8Array(readFileSync(path)), path);
  const files = dicomFilesIn(path);
  if (files.length === 0) throw new DicomError(`${path}: a folder without DICOM files (.dcm or DICM marker) or NIfTI scans`);
  const scan = scanDicom(files);
  const chosen = largestCtSeries(scan);
  const others = scan.series.length - 1;
  log(`DICOM: ${seriesLabel(chosen.info)}${others ? ` (largest CT series; ${others} other series in the folder)` : ''}`);
  return readDicomSeries(chosen);
}
