/**
 * The files of a drop or a pick, folders walked (DataTransferItem.webkitGetAsEntry), each with the path
 * it had below the dropped folder. Hidden files (".DS_Store" and the like) are left out.
 */
import type { DroppedFile } from './dicomClient';

const hidden = (name: string) => name.startsWith('.');

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** All entries of a folder: readEntries answers in batches until it returns an empty one. */
async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, path: string, out: DroppedFile[]): Promise<void> {
  if (hidden(entry.name)) return;
  if (entry.isFile) out.push({ name: path, file: await entryFile(entry as FileSystemFileEntry) });
  else if (entry.isDirectory) {
    for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child, `${path}/${child.name}`, out);
  }
}

/** The dropped files and the files inside dropped folders. */
export async function filesFromDrop(dt: DataTransfer): Promise<DroppedFile[]> {
  const entries = Array.from(dt.items ?? [])
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) {
    return Array.from(dt.files).map((file) => ({ name: file.name, file }));
  }
  const out: DroppedFile[] = [];
  for (const e of entries) await walk(e!, e!.name, out);
  return out;
}

/** The files of a file input (`multiple` or `webkitdirectory`), named by their relative path when there is one. */
export function filesFromInput(list: FileList | null): DroppedFile[] {
  return Array.from(list ?? [])
    .filter((file) => !hidden(file.name))
    .map((file) => ({ name: file.webkitRelativePath || file.name, file }));
}
