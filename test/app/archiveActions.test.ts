import { describe, expect, it } from 'vitest';
import { ArchiveActions } from '../../src/app/archiveActions';
import { DEFAULT_ARCHIVE_ROOT, createWorkbenchStore } from '../../src/app/state';

function actions() {
  const s = createWorkbenchStore();
  const opened: unknown[] = [];
  const a = new ArchiveActions(s, async (f) => void opened.push(f), () => undefined, () => 0);
  return { s, a, opened };
}

describe('archive actions without an archive', () => {
  it('the address is a path on this server, never another host', () => {
    const { s, a } = actions();
    a.setRoot('https://pacs.example.org/dicom-web');
    expect(s.getState().error).toMatch(/must be a path on this server/);
    expect(s.getState().archiveRoot).toBe(DEFAULT_ARCHIVE_ROOT);
    a.setRoot('//pacs.example.org/x');
    expect(s.getState().archiveRoot).toBe(DEFAULT_ARCHIVE_ROOT);
    a.setRoot('/archive/dicom-web');
    expect(s.getState().archiveRoot).toBe('/archive/dicom-web');
    a.setRoot('  ');
    expect(s.getState().archiveRoot).toBe(DEFAULT_ARCHIVE_ROOT);
  });

  it('a series that is not CT is refused in one line before anything is fetched', async () => {
    const { s, a, opened } = actions();
    await a.openSeries('1.2.3', { seriesUid: '1.2.3.4', modality: 'MR', description: 'T2 axial', number: 3, instanceCount: 20 });
    expect(s.getState().error).toBe("Series 'T2 axial' is MR, not CT; the models segment CT. Pick a CT series of this study");
    expect(s.getState().archiveBusy).toBeNull();
    expect(opened).toEqual([]);
  });
});
