/**
 * What leaves the app beside the label map: an organ table (CSV) and the label names, as an ITK-SNAP
 * label description file (ITK-SNAP's Segmentation > Import Label Descriptions reads it) and as JSON.
 * NIfTI's descrip (80 bytes) and intent_name (16) cannot hold a table, so the names go beside the map.
 */
import type { LabelInfo } from '../infer/contract/modelCard';
import type { NiftiVolume } from '../infer/io/nifti';
import { displayColor } from './ctWindow';

export interface OrganStat {
  id: number;
  name: string;
  voxels: number;
  ml: number;
  /** Mean CT value (HU) over the organ's voxels; NaN when it has none. */
  meanHu: number;
}

/** Voxel count, volume and mean HU of every non-background label of the model. */
export function organStats(labels: Uint8Array, ct: NiftiVolume, info: LabelInfo[]): OrganStat[] {
  const count = new Float64Array(256);
  const sum = new Float64Array(256);
  for (let i = 0; i < labels.length; i++) {
    count[labels[i]]++;
    sum[labels[i]] += ct.data[i];
  }
  const voxelMl = (ct.spacing[0] * ct.spacing[1] * ct.spacing[2]) / 1000;
  return info.filter((l) => l.id !== 0).map((l) => ({ id: l.id, name: l.name, voxels: count[l.id], ml: count[l.id] * voxelMl, meanHu: count[l.id] ? sum[l.id] / count[l.id] : NaN }));
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** CSV with a header row: label_id, organ, voxels, volume_ml, mean_hu (empty when the organ is absent). */
export function organStatsCsv(rows: OrganStat[]): string {
  const lines = ['label_id,organ,voxels,volume_ml,mean_hu'];
  for (const r of rows) lines.push([String(r.id), csvCell(r.name), String(r.voxels), r.ml.toFixed(2), Number.isNaN(r.meanHu) ? '' : r.meanHu.toFixed(1)].join(','));
  return `${lines.join('\n')}\n`;
}

/** ITK-SNAP label description file: IDX R G B A VIS MSH "LABEL", in the colours the app shows. */
export function itkSnapLabelFile(info: LabelInfo[]): string {
  const head = [
    '################################################',
    '# ITK-SnAP Label Description File',
    '# File format:',
    '# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL',
    '# Fields:',
    '#    IDX:   Zero-based index',
    '#    -R-:   Red color component (0..255)',
    '#    -G-:   Green color component (0..255)',
    '#    -B-:   Blue color component (0..255)',
    '#    -A-:   Label transparency (0.00 .. 1.00)',
    '#    VIS:   Label visibility (0 or 1)',
    '#    IDX:   Label mesh visibility (0 or 1)',
    '#  LABEL:   Label description',
    '################################################',
  ];
  const row = (id: number, c: [number, number, number], a: number, vis: number, name: string) =>
    `${String(id).padStart(5)} ${String(c[0]).padStart(5)} ${String(c[1]).padStart(4)} ${String(c[2]).padStart(4)} ${a.toFixed(0).padStart(8)} ${vis.toString().padStart(2)} ${vis.toString().padStart(2)}    "${name.replace(/"/g, "'")}"`;
  const rows = [row(0, [0, 0, 0], 0, 0, 'Clear Label')];
  for (const l of [...info].sort((a, b) => a.id - b.id)) if (l.id !== 0) rows.push(row(l.id, displayColor(l), 1, 1, l.name));
  return `${[...head, ...rows].join('\n')}\n`;
}

/** The same table as JSON: { labels: [{ id, name, color }] }. */
export function labelTableJson(info: LabelInfo[], model: string | null): string {
  return `${JSON.stringify({ model, labels: [...info].sort((a, b) => a.id - b.id).map((l) => ({ id: l.id, name: l.name, color: l.id === 0 ? [0, 0, 0] : displayColor(l) })) }, null, 2)}\n`;
}
