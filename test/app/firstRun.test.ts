import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeNiftiHeader, type NiftiVolume } from '../../src/infer/io/nifti';
import type { ModelCard } from '../../src/infer/contract/modelCard';
import { parseSampleManifest } from '../../src/app/actions';
import { createWorkbenchStore, defaultModelFor, selectModel, setModels, setSampleModel, trainedOn, volumeLoaded } from '../../src/app/state';

const root = join(import.meta.dirname, '..', '..');
const vol = (): NiftiVolume => ({ dims: [2, 2, 1], spacing: [1, 1, 1], data: new Float32Array(4), affine: [], datatype: 16, header: makeNiftiHeader([2, 2, 1], [1, 1, 1]), warnings: [] });
const card = (name: string, data: string[]) => ({ name, training: { data }, labels: [] }) as unknown as ModelCard;
/** Index order as /models/index.json gives it: fine-small (real CT) first. */
const models = [
  { url: '/models/fine-small.json', card: card('fine-small', ['caseA']) },
  { url: '/models/fine-tiny.json', card: card('fine-tiny', ['phantom11', 'phantom12']) },
];

describe('first run: sample and model belong together', () => {
  it('the bundled manifest names the sample a synthetic phantom and pairs it with fine-tiny', () => {
    const m = parseSampleManifest(JSON.parse(readFileSync(join(root, 'public', 'sample', 'sample.json'), 'utf8')));
    expect(m).toEqual({ file: 'phantom.nii.gz', kind: 'synthetic phantom', model: 'fine-tiny' });
    const card = JSON.parse(readFileSync(join(root, 'models', 'fine-tiny.json'), 'utf8')) as ModelCard;
    expect(trainedOn(card)).toBe('synthetic');
    expect(trainedOn(JSON.parse(readFileSync(join(root, 'models', 'fine-small.json'), 'utf8')) as ModelCard)).toBe('ct');
  });

  it('a manifest without fields, or with a path in its file name, falls back to the phantom', () => {
    expect(parseSampleManifest(null)).toEqual({ file: 'phantom.nii.gz', kind: 'synthetic phantom', model: null });
    expect(parseSampleManifest({ file: '../../etc/passwd' }).file).toBe('phantom.nii.gz');
  });

  it('the sample opens with its model, whichever of models and sample arrives first', () => {
    for (const order of ['models-first', 'sample-first']) {
      const s = createWorkbenchStore();
      setSampleModel(s, 'fine-tiny');
      if (order === 'models-first') setModels(s, models);
      volumeLoaded(s, 'phantom.nii.gz', vol(), 'sample', 'synthetic phantom');
      if (order === 'sample-first') setModels(s, models);
      expect(s.getState().selectedModel, order).toBe('fine-tiny');
      expect(s.getState().volume).toMatchObject({ name: 'phantom.nii.gz', source: 'sample', kind: 'synthetic phantom' });
    }
  });

  it("the user's own CT switches the default to the real-CT model", () => {
    const s = createWorkbenchStore();
    setSampleModel(s, 'fine-tiny');
    setModels(s, models);
    volumeLoaded(s, 'phantom.nii.gz', vol(), 'sample', 'synthetic phantom');
    volumeLoaded(s, 'patient.nii.gz', vol());
    expect(s.getState().selectedModel).toBe('fine-small');
    expect(s.getState().volume?.kind).toBeNull();
  });

  it("a user's pick stays for further volumes of the same source, and yields to the default when the source changes", () => {
    const s = createWorkbenchStore();
    setSampleModel(s, 'fine-tiny');
    setModels(s, models);
    volumeLoaded(s, 'a.nii.gz', vol());
    selectModel(s, 'fine-tiny');
    volumeLoaded(s, 'b.nii.gz', vol());
    expect(s.getState().selectedModel).toBe('fine-tiny');
    volumeLoaded(s, 'phantom.nii.gz', vol(), 'sample', 'synthetic phantom');
    expect(s.getState().selectedModel).toBe('fine-tiny');
    selectModel(s, 'fine-small');
    volumeLoaded(s, 'c.nii.gz', vol());
    expect(s.getState().selectedModel).toBe('fine-small');
  });

  it('without a manifest model, the sample takes a phantom-trained model; user CT never does while a CT model exists', () => {
    expect(defaultModelFor(models, 'sample', null)).toBe('fine-tiny');
    expect(defaultModelFor(models, 'user', 'fine-tiny')).toBe('fine-small');
    expect(defaultModelFor([models[1]], 'user', null)).toBe('fine-tiny');
    expect(defaultModelFor([], 'user', null)).toBeNull();
  });
});
