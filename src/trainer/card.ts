/** The draft model card the trainer fills in before training (preprocessing needs it) and completes at export. */
import { IO, type ModelConfig, networkDef, volumeTokenLayout } from '../model';
import type { LabelInfo, ModelCard, Normalisation } from '../infer/contract/modelCard';
import { BODY_HU } from '../infer/preprocess/normalise';

export function draftCard(name: string, preset: string, cfg: ModelConfig, labels: LabelInfo[], spacing: [number, number, number], norm: Normalisation, parameters: number): ModelCard {
  const vt = volumeTokenLayout(cfg, spacing);
  return {
    format: 'fine-model-card/1',
    name,
    description: `${networkDef(cfg.variant).summary}; ${preset} preset, trained with the project's Node trainer`,
    variant: cfg.variant,
    preset,
    parameters,
    onnx: { file: `${name}.onnx`, sha256: '', bytes: 0 },
    labels,
    spacing,
    patchSize: cfg.patch,
    normalisation: norm,
    ...(vt
      ? {
          volumeTokens: {
            cells: vt.cells,
            cellMm: vt.cellMm,
            tokensPerCell: vt.tokensPerCell,
            anchor: 'body-bbox-centre' as const,
            huThreshold: BODY_HU,
            indexCount: vt.indexCount,
          },
        }
      : {}),
    io: { image: IO.image, logits: IO.logits, ...(vt ? { volumeTokenIndex: IO.vtIndex } : {}) },
    training: { data: [], steps: 0, preset, seconds: 0, validation: '', dice: {}, meanDice: 0, curve: [] },
  };
}
