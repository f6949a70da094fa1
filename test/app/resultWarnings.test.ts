import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';
import { CASE_LABELS } from '../../src/infer/contract/labels';
import { createWorkbenchStore, segmentationDone, segmentationStarted, volumeLoaded } from '../../src/app/state';

const volume = (warnings: string[]): NiftiVolume => ({
  dims: [2, 2, 1], spacing: [1, 1, 2], data: new Float32Array(4), affine: [], datatype: 16, header: makeNiftiHeader([2, 2, 1], [1, 1, 2]), warnings,
});

describe('result warnings in the store', () => {
  it('keeps the checks that came with the result beside it, once each, and drops them with the result', () => {
    const s = createWorkbenchStore();
    volumeLoaded(s, 'ct.nii', volume(['ct.nii: neither sform nor qform is set']));
    const check = 'the scan covers only 30 mm head-foot (10 slices), less than the 48 mm the model sees at once';
    segmentationDone(s, new Uint8Array(4), CASE_LABELS, {}, ['ct.nii: neither sform nor qform is set', check, check]);
    expect(s.getState().warnings).toEqual(['ct.nii: neither sform nor qform is set']);
    expect(s.getState().resultWarnings).toEqual([check]);
    // A second run with another model replaces the first run's checks instead of piling them up.
    segmentationStarted(s);
    expect(s.getState().resultWarnings).toEqual([]);
    segmentationDone(s, new Uint8Array(4), CASE_LABELS, {}, []);
    expect(s.getState().resultWarnings).toEqual([]);
    segmentationDone(s, new Uint8Array(4), CASE_LABELS, {}, [check]);
    volumeLoaded(s, 'other.nii', volume([]));
    expect(s.getState().resultWarnings).toEqual([]);
  });
});
