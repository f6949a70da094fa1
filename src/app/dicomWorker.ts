/**
 * The DICOM worker: reads the dropped files, groups them into series (infer/io/dicom.ts) and decodes
 * the series the user picks, off the main thread. It keeps the last scan until the next one.
 */
import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import openJphWasmUrl from '@cornerstonejs/codec-openjph/wasm?url';
import charlsWasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import { type DicomScan, readDicomSeries, scanDicom } from '../infer/io/dicom';
import { setCodecWasmUrls } from '../infer/io/dicomCodecs';
import type { DicomFromWorker, DicomToWorker } from './dicomClient';
import { errorText } from '../util/errorText';

setCodecWasmUrls({ openjpeg: openJpegWasmUrl, openjph: openJphWasmUrl, charls: charlsWasmUrl });

let scan: DicomScan | null = null;
const post = (m: DicomFromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = async (e: MessageEvent<DicomToWorker>) => {
  const m = e.data;
  try {
    if (m.type === 'scan') {
      scan = null;
      const files = await Promise.all(m.files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) })));
      scan = scanDicom(files);
      const segmentations = scan.segmentations.map((f) => ({ name: f.name, bytes: f.bytes }));
      post({ type: 'series', id: m.id, series: scan.series.map((s) => s.info), skipped: scan.skipped.length, segmentations }, segmentations.map((f) => f.bytes.buffer));
    } else {
      const series = scan?.series.find((s) => s.info.uid === m.uid);
      if (!series) throw new Error(`series ${m.uid} is not in the last drop; drop the folder again`);
      const volume = await readDicomSeries(series);
      post({ type: 'volume', id: m.id, volume, info: series.info }, [volume.data.buffer]);
    }
  } catch (err) {
    post({ type: 'error', id: m.id, message: errorText(err) });
  }
};
