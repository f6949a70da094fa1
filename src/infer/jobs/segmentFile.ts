/**
 * One scan from file to file on onnxruntime-node: read, segment, write the label map atomically
 * (`<output>.tmp`, then rename), so an output that exists is always complete. Used by the segment
 * command for one scan and by each worker of the folder mode.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ModelCard } from '../contract/modelCard';
import { readNifti, writeNifti } from '../io/nifti';
import { type SegmentOptions, segmentVolume } from '../pipeline';
import type { Session } from '../runtime/backend';
import { sessionTileRunner } from '../runtime/tileRunner';

export interface FileResult {
  dims: [number, number, number];
  volumesMl: Record<number, number>;
  warnings: string[];
  seconds: number;
  tiles: number;
}

export async function segmentNiftiFile(input: string, output: string, card: ModelCard, session: Session, opts: SegmentOptions = {}): Promise<FileResult> {
  const volume = readNifti(new Uint8Array(readFileSync(input)), input);
  const res = await segmentVolume(volume, card, sessionTileRunner(session, card), opts);
  writeAtomically(output, writeNifti(res.labels, volume, { gzip: !output.endsWith('.nii'), descrip: `labels by ${card.name} (FINE workbench)` }));
  return { dims: volume.dims, volumesMl: res.volumesMl, warnings: res.warnings, seconds: res.seconds, tiles: res.tiles };
}

export function writeAtomically(path: string, bytes: Uint8Array | string): void {
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}
