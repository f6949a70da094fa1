/** The gradient-check cases: every differentiable primitive and every composite layer, on odd sizes. */
import { avgPool2, nearest2 } from '../model/convBlocks';
import { gelu, instanceNorm, layerNorm, maskedCrossEntropyDiceLoss, multiHeadAttention, ops as o, softDiceLoss, softmaxCrossEntropy, type Graph, type Value } from '../graph';
import { type GradCase, onehot, randParam } from './gradcheck';

const unary = (name: string, f: (g: Graph, x: Value) => Value, kind: 'normal' | 'positive' = 'normal'): GradCase => ({
  name,
  build: (g, r) => f(g, randParam(g, r, 'x', [2, 3, 5], kind)),
});

const conv = (name: string, x: number[], w: number[], opts: o.ConvOpts, bias = false): GradCase => ({
  name,
  build: (g, r) => o.conv(g, randParam(g, r, 'x', x), randParam(g, r, 'w', w), bias ? randParam(g, r, 'b', [w[0]]) : undefined, opts),
});

export const GRAD_CASES: GradCase[] = [
  { name: 'MatMul', build: (g, r) => o.matmul(g, randParam(g, r, 'a', [2, 3, 4]), randParam(g, r, 'b', [4, 5])) },
  { name: 'MatMul-batched', build: (g, r) => o.matmul(g, randParam(g, r, 'a', [2, 1, 3, 4]), randParam(g, r, 'b', [3, 4, 2])) },
  { name: 'Gemm', build: (g, r) => o.gemm(g, randParam(g, r, 'a', [3, 4]), randParam(g, r, 'b', [5, 3]), randParam(g, r, 'c', [5]), { transA: true, transB: true, alpha: 0.7, beta: 1.3 }) },
  { name: 'Add', build: (g, r) => o.add(g, randParam(g, r, 'a', [2, 3, 5]), randParam(g, r, 'b', [3, 1])) },
  { name: 'Sub', build: (g, r) => o.sub(g, randParam(g, r, 'a', [2, 3, 5]), randParam(g, r, 'b', [5])) },
  { name: 'Mul', build: (g, r) => o.mul(g, randParam(g, r, 'a', [2, 1, 5]), randParam(g, r, 'b', [2, 3, 1])) },
  { name: 'Div', build: (g, r) => o.div(g, randParam(g, r, 'a', [2, 3, 5]), randParam(g, r, 'b', [3, 5], 'positive')) },
  unary('Neg', o.neg),
  unary('Sqrt', o.sqrt, 'positive'),
  unary('Pow', (g, x) => o.pow(g, x, 2.5), 'positive'),
  unary('Exp', o.exp),
  unary('Log', o.log, 'positive'),
  unary('Erf', o.erf),
  unary('Tanh', o.tanh),
  unary('Sigmoid', o.sigmoid),
  unary('Relu', o.relu),
  unary('LeakyRelu', (g, x) => o.leakyRelu(g, x, 0.1)),
  unary('Identity', o.identity),
  unary('Softmax', (g, x) => o.softmax(g, x, 1)),
  unary('LogSoftmax', (g, x) => o.logSoftmax(g, x, -1)),
  unary('ReduceSum', (g, x) => o.reduceSum(g, x, [0, 2], false)),
  unary('ReduceMean', (g, x) => o.reduceMean(g, x, [-1], true)),
  unary('Reshape', (g, x) => o.reshape(g, x, [5, 6])),
  unary('Transpose', (g, x) => o.transpose(g, x, [2, 0, 1])),
  unary('Unsqueeze', (g, x) => o.unsqueeze(g, x, [1])),
  { name: 'Concat', build: (g, r) => o.concat(g, [randParam(g, r, 'a', [2, 3, 5]), randParam(g, r, 'b', [2, 2, 5])], 1) },
  unary('Slice', (g, x) => o.slice(g, x, [1, 1], [3, 4], [1, 2])),
  unary('Slice-reverse', (g, x) => o.slice(g, x, [-1], [-(2 ** 62)], [2], [-1])),
  unary('Split', (g, x) => {
    const [a, b] = o.split(g, x, [2, 3], 2);
    return o.mul(g, o.slice(g, a, [0], [2], [2]), o.slice(g, b, [1], [3], [2]));
  }),
  {
    name: 'Gather',
    build: (g, r) => o.gather(g, randParam(g, r, 'table', [6, 4]), g.constant(BigInt64Array.from([0n, 2n, 2n, 5n, 1n, 2n]), [2, 3], 'idx'), 0),
  },
  unary('Expand', (g, x) => o.expand(g, o.reshape(g, x, [2, 3, 1, 5]), [2, 3, 4, 5])),
  unary('Pad', (g, x) => o.pad(g, x, [0, 1, 2, 1, 0, 3])),
  {
    name: 'Where',
    build: (g, r) => {
      const c = o.greater(g, g.constant(Float32Array.from({ length: 15 }, () => r() - 0.5), [3, 5]), g.float(0));
      return o.where(g, c, randParam(g, r, 'a', [2, 3, 5]), randParam(g, r, 'b', [5]));
    },
  },
  conv('Conv1d', [2, 3, 9], [4, 3, 3], { pads: [1, 1] }, true),
  conv('Conv2d-stride2-pad1', [1, 2, 7, 6], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }),
  conv('Conv3d-3x3x3-same', [1, 2, 5, 6, 4], [3, 2, 3, 3, 3], { pads: [1, 1, 1, 1, 1, 1] }, true),
  conv('Conv3d-stride2-pad1-odd', [1, 2, 7, 5, 6], [2, 2, 3, 3, 3], { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1] }),
  conv('Conv3d-dilation2', [1, 2, 7, 7, 6], [2, 2, 3, 3, 3], { dilations: [2, 2, 2], pads: [2, 2, 2, 2, 2, 2] }),
  conv('Conv3d-anisotropic-stride', [2, 2, 4, 6, 6], [3, 2, 1, 3, 3], { strides: [1, 2, 2], pads: [0, 1, 1, 0, 1, 1] }),
  conv('Conv3d-patch-k2s2', [1, 3, 4, 6, 4], [5, 3, 2, 2, 2], { strides: [2, 2, 2] }, true),
  conv('Conv3d-patch-k124', [1, 1, 4, 8, 8], [4, 1, 2, 4, 4], { strides: [2, 4, 4] }, true),
  { name: 'LayerNorm', build: (g, r) => layerNorm(g, randParam(g, r, 'x', [2, 5, 6]), 'ln') },
  { name: 'InstanceNorm', build: (g, r) => instanceNorm(g, randParam(g, r, 'x', [1, 3, 3, 4, 2]), 'in') },
  { name: 'Nearest2x', build: (g, r) => nearest2(g, randParam(g, r, 'x', [1, 2, 2, 3, 2])) },
  { name: 'AvgPool2x', build: (g, r) => avgPool2(g, randParam(g, r, 'x', [1, 2, 4, 2, 4])) },
  {
    // U-Transformer's cross-attention: queries and keys from one source, values from another.
    name: 'Attention-cross-values',
    build: (g, r) => multiHeadAttention(g, randParam(g, r, 'y', [1, 4, 6]), randParam(g, r, 'y2', [1, 5, 6]), 'attn', 2, undefined, randParam(g, r, 's', [1, 5, 3])).out,
  },
  unary('GELU', gelu),
  {
    name: 'Attention-relbias',
    build: (g, r) => {
      const x = randParam(g, r, 'x', [2, 5, 8]);
      const table = randParam(g, r, 'table', [9, 2]);
      const idx = g.constant(BigInt64Array.from({ length: 25 }, (_, i) => BigInt(((i % 5) - Math.floor(i / 5)) + 4)), [25], 'relidx');
      const bias = o.reshape(g, o.transpose(g, o.gather(g, table, idx), [1, 0]), [1, 2, 5, 5]);
      return multiHeadAttention(g, x, x, 'attn', 2, bias).out;
    },
  },
  {
    name: 'SoftmaxCrossEntropy',
    build: (g, r) => o.reshape(g, softmaxCrossEntropy(g, randParam(g, r, 'logits', [2, 4, 3, 2, 3]), onehot(g, r, [2, 4, 3, 2, 3])), [1]),
  },
  {
    name: 'SoftDice',
    build: (g, r) => o.reshape(g, softDiceLoss(g, randParam(g, r, 'logits', [1, 4, 3, 4, 3]), onehot(g, r, [1, 4, 3, 4, 3])), [1]),
  },
  {
    // Classes 0 and 2 merged (class 2 unannotated), classes 1 and 3 annotated.
    name: 'MaskedCrossEntropyDice',
    build: (g, r) => o.reshape(g, maskedCrossEntropyDiceLoss(g, randParam(g, r, 'logits', [1, 4, 3, 2, 3]), onehot(g, r, [1, 4, 3, 2, 3]), {
      annotated: g.constant(Float32Array.from([0, 1, 0, 1]), [4], 'annotated'),
      merged: g.constant(Float32Array.from([1, 0, 1, 0]), [4], 'merged'),
    }), [1]),
  },
];
