import type { ModelCard } from '../../src/infer/contract/modelCard';
import { CASE_LABELS } from '../../src/infer/contract/labels';

/** A complete, valid model card for tests (a `fine` variant with volume tokens). */
export function testCard(overrides: Partial<ModelCard> = {}): ModelCard {
  return {
    format: 'fine-model-card/1',
    name: 'test-fine',
    description: 'fixture',
    variant: 'fine',
    preset: 'tiny',
    parameters: 1234,
    onnx: { file: 'test.onnx', sha256: 'a'.repeat(64), bytes: 10 },
    labels: CASE_LABELS,
    spacing: [6, 6, 8],
    patchSize: [32, 32, 16],
    normalisation: { clip: [-200, 300], mean: 40, std: 60 },
    volumeTokens: { cells: [4, 4], cellMm: [80, 80], tokensPerCell: 1, anchor: 'body-bbox-centre', huThreshold: -500, indexCount: 4 },
    io: { image: 'image', volumeTokenIndex: 'volume_token_index', logits: 'logits' },
    training: {
      data: ['phantom'],
      steps: 10,
      preset: 'tiny',
      seconds: 1.5,
      validation: 'phantom seed 99',
      dice: { liver: 0.9 },
      meanDice: 0.9,
      curve: [{ step: 0, loss: 2 }, { step: 10, loss: 1, meanDice: 0.9 }],
    },
    ...overrides,
  };
}
