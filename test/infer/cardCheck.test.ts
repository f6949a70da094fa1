import { describe, expect, it } from 'vitest';
import { ModelCardError, parseModelCard, sha256Hex, verifyOnnx } from '../../src/infer/contract/cardCheck';
import { testCard } from './cardFixture';

type Json = Record<string, unknown>;

function mutate(f: (c: Json) => void): Json {
  const c = JSON.parse(JSON.stringify(testCard())) as Json;
  f(c);
  return c;
}

function expectCardError(json: unknown, fragment: string | RegExp): void {
  expect(() => parseModelCard(json, 'small.json')).toThrow(ModelCardError);
  expect(() => parseModelCard(json, 'small.json')).toThrow(fragment);
}

describe('parseModelCard', () => {
  it('accepts a valid card and keeps extra fields', () => {
    const json = mutate((c) => { c.extra = 'kept'; });
    const card = parseModelCard(json, 'small.json');
    expect(card).toEqual(json);
    const nnformer = mutate((c) => { c.variant = 'nnformer'; delete c.volumeTokens; delete (c.io as Json).volumeTokenIndex; });
    expect(parseModelCard(nnformer, 'n.json').volumeTokens).toBeUndefined();
  });

  it('reads the inference defaults and refuses organs the card does not label', () => {
    const json = mutate((c) => { c.inference = { mirror: true, largestComponent: ['liver', 'spleen'], basis: 'folds' }; });
    expect(parseModelCard(json, 'small.json').inference).toEqual({ mirror: true, largestComponent: ['liver', 'spleen'], basis: 'folds' });
    expectCardError(mutate((c) => { c.inference = { mirror: 'yes', largestComponent: [] }; }), /field "inference.mirror" must be true or false/);
    expectCardError(mutate((c) => { c.inference = { mirror: false, largestComponent: ['lung'] }; }), /field "inference.largestComponent" must be an array of the card's organ names/);
  });

  it('names the missing or wrong field', () => {
    expectCardError(null, /small.json: "card" must be an object, got null/);
    expectCardError(mutate((c) => { c.format = 'other/2'; }), /field "format" must be "fine-model-card\/1"/);
    expectCardError(mutate((c) => { delete c.name; }), /field "name" must be a string, it is missing/);
    expectCardError(mutate((c) => { c.variant = 'resnet'; }), /field "variant" must be one of "nnformer", "glam", "fine", "unet", "utransformer", "missu", got "resnet"/);
    expectCardError(mutate((c) => { c.spacing = [1, 0, 1]; }), /field "spacing" must be 3 positive numbers/);
    expectCardError(mutate((c) => { c.patchSize = [32, 32]; }), /field "patchSize" must be 3 positive integers/);
    expectCardError(mutate((c) => { (c.normalisation as Json).std = 0; }), /field "normalisation.std" must be a positive number, got 0/);
    expectCardError(mutate((c) => { (c.normalisation as Json).clip = [300, -200]; }), /"normalisation.clip" must be \[low, high\]/);
    expectCardError(mutate((c) => { (c.onnx as Json).sha256 = 'XYZ'; }), /"onnx.sha256" must be 64 lower-case hex digits/);
    expectCardError(mutate((c) => { (c.labels as Json[])[2].color = [0, 0, 300]; }), /"labels\[2\].color" must be 3 integers 0..255/);
    expectCardError(mutate((c) => { (c.labels as Json[])[2].id = 1; }), /"labels\[2\].id" must be a unique integer/);
    expectCardError(mutate((c) => { (c.volumeTokens as Json).indexCount = 5; }), /"volumeTokens.indexCount" must be 4 x tokensPerCell = 4/);
    expectCardError(mutate((c) => { (c.volumeTokens as Json).anchor = 'centre'; }), /"volumeTokens.anchor" must be one of "body-bbox-centre"/);
    expectCardError(mutate((c) => { delete c.volumeTokens; }), /"volumeTokens" must be present when io.volumeTokenIndex is given/);
    expectCardError(mutate((c) => { delete (c.io as Json).volumeTokenIndex; }), /"io" must be an object naming volumeTokenIndex, since volumeTokens is given/);
    expectCardError(mutate((c) => { delete c.io; }), /"io" must be an object, got undefined/);
    expectCardError(mutate((c) => { ((c.training as Json).curve as Json[])[1].loss = 'x'; }), /"training.curve\[1\].loss" must be a finite number/);
    expectCardError(mutate((c) => { ((c.training as Json).dice as Json).liver = null; }), /"training.dice.liver" must be a finite number, got null/);
    expectCardError(mutate((c) => { (c.labels as Json[])[2].mirror = 1; }), /field "labels\[2\].mirror" must be the id of a label that names 2 back as its mirror partner, got 1/);
    expectCardError(mutate((c) => { (c.training as Json).recipe = 3; }), /"training.recipe" must be an object, got 3/);
    expectCardError(
      mutate((c) => { c.attention = { file: 'a.onnx', sha256: 'b'.repeat(64), bytes: 3, outputs: {}, tokenGrid: [1, 1, 1], window: [4, 4, 4], windowTokens: 1 }; }),
      /"attention.outputs.window" must be a string/,
    );
  });
});

describe('sha256 and verifyOnnx', () => {
  it('hashes like the standard test vector', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('accepts the right bytes and names the mismatch otherwise', async () => {
    const bytes = new TextEncoder().encode('abc');
    const ref = { file: 'm.onnx', sha256: await sha256Hex(bytes), bytes: 3 };
    await expect(verifyOnnx(bytes, ref, 'm.onnx')).resolves.toBeUndefined();
    await expect(verifyOnnx(bytes, { ...ref, bytes: 4 }, 'm.onnx')).rejects.toThrow(/m.onnx: 3 bytes, but the model card says 4/);
    await expect(verifyOnnx(bytes, { ...ref, sha256: '0'.repeat(64) }, 'm.onnx')).rejects.toThrow(/sha256 ba7816bf.* does not match the model card's 0000/);
  });
});
