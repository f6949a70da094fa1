/**
 * Convolutional pieces shared by the CNN networks (unet, utransformer, missu), channels-first
 * [B, C, z, y, x]: nnU-Net's conv - InstanceNorm - LeakyReLU, learned 2x upsampling without
 * ConvTranspose3D (a 1x1x1 convolution to 8 C' channels, then depth-to-space: the same map as a
 * ConvTranspose k2 s2), nearest 2x upsampling, average pooling, 1x1x1 logits heads, and a token view
 * for the attention layers.
 */
import { type Graph, type Value, instanceNorm, ops as o } from '../graph';


/** Conv k^3 (He init, bias) with stride s and dilation d, "same" padding. */
export function conv3d(g: Graph, x: Value, name: string, outC: number, opts: { k?: number; stride?: number; dilation?: number } = {}): Value {
  const k = opts.k ?? 3, s = opts.stride ?? 1, d = opts.dilation ?? 1;
  const inC = x.shape[1];
  const w = g.param(`${name}.weight`, [outC, inC, k, k, k], { kind: 'normal', std: Math.sqrt(2 / (inC * k ** 3)) });
  const b = g.param(`${name}.bias`, [outC], { kind: 'zeros' });
  const p = (d * (k - 1)) / 2;
  return o.conv(g, x, w, b, { strides: [s, s, s], pads: k === 1 ? undefined : [p, p, p, p, p, p], dilations: d === 1 ? undefined : [d, d, d] });
}

/** nnU-Net's ConvDropoutNormNonlin without dropout: conv 3x3x3, InstanceNorm (affine), LeakyReLU(0.01). */
export function convNormAct(g: Graph, x: Value, name: string, outC: number, stride = 1, slope = 0.01): Value {
  return o.leakyRelu(g, instanceNorm(g, conv3d(g, x, `${name}.conv`, outC, { stride }), `${name}.norm`), slope);
}

/** One encoder or decoder stage: two conv-norm-act, the first with the stage's stride. */
export function convStage(g: Graph, x: Value, name: string, outC: number, stride: number, slope: number): Value {
  return convNormAct(g, convNormAct(g, x, `${name}.0`, outC, stride, slope), `${name}.1`, outC, 1, slope);
}

/** Learned 2x upsampling: 1x1x1 conv to 8 outC channels, depth-to-space (a ConvTranspose k2 s2 without that op). */
export function upsample2(g: Graph, x: Value, name: string, outC: number): Value {
  const [b, , z, y, xx] = x.shape;
  const lin = conv3d(g, x, name, 8 * outC, { k: 1 });
  const r = o.reshape(g, lin, [b * outC, 2, 2, 2, z, y, xx]);
  return o.reshape(g, o.transpose(g, r, [0, 4, 1, 5, 2, 6, 3]), [b, outC, 2 * z, 2 * y, 2 * xx]);
}

/** Nearest-neighbour 2x upsampling (Reshape + Expand). */
export function nearest2(g: Graph, x: Value): Value {
  const [b, c, z, y, xx] = x.shape;
  const r = o.expand(g, o.reshape(g, x, [b * c * z, y, 1, xx, 1]), [b * c * z, y, 2, xx, 2]);
  const yx = o.reshape(g, r, [b * c, z, 1, 4 * y * xx]);
  return o.reshape(g, o.expand(g, yx, [b * c, z, 2, 4 * y * xx]), [b, c, 2 * z, 2 * y, 2 * xx]);
}

/** 2x2x2 average pooling (Reshape + ReduceMean). */
export function avgPool2(g: Graph, x: Value): Value {
  const [b, c, z, y, xx] = x.shape;
  const r = o.reshape(g, x, [b * c * (z / 2), 2, y / 2, 2, xx / 2, 2]);
  return o.reshape(g, o.reduceMean(g, r, [1, 3, 5], false), [b, c, z / 2, y / 2, xx / 2]);
}

/** 1x1x1 logits head. */
export function logitsHead(g: Graph, x: Value, name: string, classes: number): Value {
  return conv3d(g, x, name, classes, { k: 1 });
}

/** [B, C, z, y, x] -> tokens [B, z y x, C]. */
export function toTokens(g: Graph, x: Value): Value {
  const [b, c, z, y, xx] = x.shape;
  return o.transpose(g, o.reshape(g, x, [b, c, z * y * xx]), [0, 2, 1]);
}

/** Tokens [B, N, C] -> [B, C, z, y, x] on the grid of `like`. */
export function fromTokens(g: Graph, t: Value, like: readonly number[]): Value {
  const [b, , z, y, xx] = like;
  const c = t.shape[2];
  return o.reshape(g, o.transpose(g, t, [0, 2, 1]), [b, c, z, y, xx]);
}

/**
 * Fixed 3-D sinusoidal positional encoding [1, N, C] of a (z, y, x) grid (Vaswani et al. 2017, one third
 * of the channels per axis; channels beyond a multiple of 6 stay 0).
 */
export function sinusoidalEncoding(grid: readonly [number, number, number], c: number): Float32Array {
  const [nz, ny, nx] = grid;
  const per = Math.floor(c / 6) * 2;
  const out = new Float32Array(nz * ny * nx * c);
  let t = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, t++) {
    [z, y, x].forEach((pos, axis) => {
      for (let i = 0; i < per / 2; i++) {
        const f = pos / 10000 ** ((2 * i) / per);
        out[t * c + axis * per + 2 * i] = Math.sin(f);
        out[t * c + axis * per + 2 * i + 1] = Math.cos(f);
      }
    });
  }
  return out;
}
