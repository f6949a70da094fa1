/**
 * nnU-Net-style 3-D U-Net (Isensee et al. 2021): per stage two conv 3x3x3 - InstanceNorm - LeakyReLU,
 * downsampling by the first conv's stride 2, learned 2x upsampling (convBlocks.upsample2: a ConvTranspose
 * k2 s2 written as 1x1x1 conv + depth-to-space), skips concatenated, a 1x1x1 logits head at every
 * decoder stage (deep supervision). `uShape` is the skeleton U-Transformer and MISSU reuse through hooks.
 */
import { type Graph, type Value, ops as o } from '../graph';
import { type CnnConfig, type UNetConfig, UNET_PRESETS, validateCnn } from './cnnConfig';
import { type GraphMode, type NetworkDef, type NetworkOutputs, imageInput } from './contract';
import { convStage, logitsHead, upsample2 } from './convBlocks';

export interface UShapeHooks {
  /** Transforms the bottleneck features (U-Transformer's self-attention, MISSU's transformer). */
  bottleneck?: (x: Value) => Value;
  /** Filters skip `s` with the decoder features just below it (U-Transformer's cross-attention gate). */
  skip?: (s: number, skip: Value, below: Value) => Value;
}

export interface UShape {
  logits: Value;
  deep: Value[];
  /** Encoder stage outputs, finest first (MISSU's local features). */
  encoder: Value[];
}

export function uShape(g: Graph, cfg: CnnConfig, image: Value, hooks: UShapeHooks = {}): UShape {
  const n = cfg.features.length;
  const encoder: Value[] = [];
  let x = image;
  for (let s = 0; s < n; s++) {
    x = convStage(g, x, `enc${s}`, cfg.features[s], s === 0 ? 1 : 2, cfg.slope);
    encoder.push(x);
  }
  if (hooks.bottleneck) x = hooks.bottleneck(x);
  const deep: Value[] = [];
  for (let s = n - 2; s >= 0; s--) {
    const skip = hooks.skip ? hooks.skip(s, encoder[s], x) : encoder[s];
    const up = upsample2(g, x, `up${s}`, cfg.features[s]);
    x = convStage(g, o.concat(g, [up, skip], 1), `dec${s}`, cfg.features[s], 1, cfg.slope);
    if (cfg.deepSupervision && s > 0 && s < n - 1) deep.unshift(logitsHead(g, x, `ds${s}`, cfg.classes));
  }
  return { logits: logitsHead(g, x, 'head', cfg.classes), deep, encoder };
}

/** A CNN network's definition: the image is its only input, `validateCnn` its check. */
export function cnnNetwork<C extends CnnConfig>(
  kind: C['variant'], summary: string, presets: Readonly<Record<string, C>>, build: (g: Graph, cfg: C, image: Value, mode: GraphMode) => NetworkOutputs,
  attentionGeometry?: NetworkDef<C>['attentionGeometry'],
): NetworkDef<C> {
  return {
    kind, summary, presets, validate: validateCnn, inputs: (g, cfg) => imageInput(g, cfg), build: (g, cfg, inp, mode) => build(g, cfg, inp.image, mode),
    ...(attentionGeometry ? { attentionGeometry } : {}),
  };
}

export const UNET = cnnNetwork<UNetConfig>('unet', 'nnU-Net-style 3-D U-Net: convolutions only, no attention', UNET_PRESETS, (g, cfg, image) => {
  const u = uShape(g, cfg, image);
  return { logits: u.logits, deep: u.deep, aux: [], attention: {} };
});
