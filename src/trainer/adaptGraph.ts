/**
 * The training graph shipped beside a model so that it can learn from a user's corrections (in the
 * app's worker, and with `npm run adapt`): the network's loss at the card's patch size, differentiated,
 * every parameter a graph input named as the model's initializer, the loss and each gradient an output.
 * The weights are not in it: the base model's `.onnx` holds them, and the adapted weights replace them.
 */
import { join } from 'node:path';
import type { Graph } from '../graph';
import { serializeGraph } from '../graph';
import { type ModelConfig, buildModel } from '../model';
import type { AdaptationExport } from '../infer/contract/modelCard';
import { GRAD_PREFIX, trainGraphWithGrads } from './runtime';
import { writeOnnx } from './onnxFile';

/**
 * Adaptation defaults: few steps, no weight decay, and a pull toward the base weights (L2-SP, Li et al.
 * 2018) so that what the base model knows outside the corrections stays. Chosen on two patients that
 * fold models of fine-small never trained on (ts0009 with every organ corrected, msdspleen8 with its
 * spleen corrected), scored on held-out slices: lr 1e-3, 100 steps and anchor 1e-2 gave the best mean of
 * the settings tried (README, "Learning from corrections").
 */
export const ADAPT_OPTIMIZER: AdaptationExport['optimizer'] = { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, weightDecay: 0, anchor: 1e-2, steps: 100 };

export function adaptationGraph(cfg: ModelConfig): Graph {
  return trainGraphWithGrads((mode) => buildModel(cfg, mode));
}

/** Writes `<dir>/<name>.train.onnx` and returns the card's `adaptation` section. */
export function writeAdaptation(dir: string, name: string, cfg: ModelConfig): AdaptationExport {
  const g = adaptationGraph(cfg);
  const ref = writeOnnx(join(dir, `${name}.train.onnx`), serializeGraph(g, { paramsAs: 'inputs', metadata: { model: name, variant: cfg.variant, purpose: 'adaptation' } }).model);
  return {
    ...ref,
    inputs: g.inputs.map((v) => {
      if (v.dtype !== 'float32' && v.dtype !== 'int64') throw new Error(`adaptation graph: input '${v.name}' is ${v.dtype}; only float32 and int64 inputs are fed`);
      return { name: v.name, shape: [...v.shape], dtype: v.dtype };
    }),
    parameters: g.paramList().length,
    loss: 'loss',
    gradPrefix: GRAD_PREFIX,
    optimizer: { ...ADAPT_OPTIMIZER },
  };
}
