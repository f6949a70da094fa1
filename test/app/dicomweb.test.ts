/**
 * The DICOMweb client against a real archive: Orthanc with its DICOMweb plugin, started by the
 * project's script (scripts/orthanc.mjs). hcc048 (TCIA HCC-TACE-Seg, subject HCC_048, CC BY 4.0) when
 * ../shared/data is present.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, DicomWebClient } from '../../src/app/archive/dicomweb';
import { startOrthanc } from './orthanc';

const HCC = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'dicom', 'hcc048');

describe('DICOMweb against Orthanc', () => {
  let archive: { url: string; stop: () => Promise<void> };
  beforeAll(async () => {
    archive = await startOrthanc();
  }, 60_000);
  afterAll(async () => archive?.stop());

  it('an empty archive lists no studies', async () => {
    expect(await new DicomWebClient(`${archive.url}/dicom-web`).studies()).toEqual([]);
  });

  it.skipIf(!existsSync(HCC))('stores a series (STOW-RS), lists it (QIDO-RS) and retrieves it byte for byte (WADO-RS)', async () => {
    const c = new DicomWebClient(`${archive.url}/dicom-web/`);
    const names = readdirSync(HCC).filter((f) => f.endsWith('.dcm')).sort();
    const files = names.map((f) => new Uint8Array(readFileSync(join(HCC, f))));
    expect(files.length).toBe(89);
    expect(await c.store(files)).toEqual({ stored: 89, failed: 0 });
    const [study] = await c.studies();
    expect(study).toMatchObject({ patientName: 'Patient_01', date: '2001-08-12', description: 'CT C/A/P LIVER PR', modalities: ['CT'], seriesCount: 1, instanceCount: 89 });
    const [series] = await c.series(study.studyUid);
    expect(series).toMatchObject({ modality: 'CT', description: 'Recon 3: LIVER 2 PHASE (C/A/P)', number: 6, instanceCount: 89 });
    const seen: number[] = [];
    const got = await c.retrieveSeries(study.studyUid, series.seriesUid, (done) => seen.push(done));
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(89);
    const key = (b: Uint8Array) => Buffer.from(b).toString('base64');
    expect(new Set(got.map((f) => key(f.bytes)))).toEqual(new Set(files.map(key)));
  }, 120_000);

  it('an address that is not DICOMweb, a missing study and an archive that is down are one line each', async () => {
    await expect(new DicomWebClient(`${archive.url}/no-such-root`).studies()).rejects.toThrow(/answered the study list with HTTP 404 \(not found\)/);
    await expect(new DicomWebClient(`${archive.url}/app/explorer.html#`).studies()).rejects.toThrow(ArchiveError);
    await expect(new DicomWebClient(`${archive.url}/dicom-web`).instances('1.2.3', '4.5.6')).resolves.toEqual([]);
    await expect(new DicomWebClient(`${archive.url}/dicom-web`).retrieveSeries('1.2.3', '4.5.6', () => {})).rejects.toThrow(/holds no instances of series 4.5.6/);
    await expect(new DicomWebClient('http://127.0.0.1:9/dicom-web').studies()).rejects.toThrow(/did not answer the study list .*check that it is running/);
    await expect(new DicomWebClient(`${archive.url}/dicom-web`).series('1.2.3/../../tools/reset')).rejects.toThrow(/malformed study UID/);
  });
});
