/**
 * A throwaway FINE-shaped model for testing the browser plumbing before trained models exist: two
 * small 3-D convolutions plus a learned bias per volume token (so the volume-token input matters),
 * and an attention graph with the card's output shapes (softmax rows of fixed random scores, scaled
 * by the tile's mean). It is NOT a segmentation model. Never copy it into models/.
 * Usage: `npx tsx e2e/support/fakeModel.ts <dir>` writes fine-tiny.{onnx,json} and fine-tiny.attention.onnx.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { ModelCard } from '../../src/infer/modelCard';
import { CASE_LABELS, seededRandom } from '../../src/infer/phantom';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

const PATCH: [number, number, number] = [48, 48, 24];
const TOKEN_GRID: [number, number, number] = [12, 12, 6];
const WINDOW: [number, number, number] = [4, 4, 2];
const CELLS: [number, number] = [4, 4];
const C = CASE_LABELS.length;
const HIDDEN = 8;

const rand = seededRandom(1234);
const randn = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

function floatInit(name: string, dims: number[], data: Float32Array): Tensor {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(0)) };
}
function int64Init(name: string, values: number[]): Tensor {
  return { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) };
}
const node = (opType: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): Node => ({ opType, input, output, attribute });
const ints = (name: string, v: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const int = (name: string, v: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: v });
const io = (name: string, elemType: number, dims: number[]) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });

const [px, py, pz] = PATCH;
const inputs = [io('image', onnx.TensorProto.DataType.FLOAT, [1, 1, pz, py, px]), io('volume_token_index', onnx.TensorProto.DataType.INT64, [1, 4])];
const V = CELLS[0] * CELLS[1];

function model(nodes: Node[], inits: Tensor[], outputs: onnxProto.onnx.IValueInfoProto[]): Uint8Array {
  const m = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    producerName: 'fine-e2e-fake',
    graph: { name: 'fake', node: nodes, initializer: inits, input: inputs, output: outputs },
  });
  return onnx.ModelProto.encode(m).finish();
}

function segmentationModel(): Uint8Array {
  const k3 = [ints('kernel_shape', [3, 3, 3]), ints('pads', [1, 1, 1, 1, 1, 1])];
  return model(
    [
      node('Conv', ['image', 'w1', 'b1'], ['h1'], k3),
      node('Relu', ['h1'], ['r1']),
      node('Conv', ['r1', 'w2', 'b2'], ['h2'], k3),
      node('Gather', ['vt_table', 'volume_token_index'], ['vt_rows'], [int('axis', 0)]),
      node('ReduceMean', ['vt_rows', 'axes01'], ['vt_mean'], [int('keepdims', 0)]),
      node('Reshape', ['vt_mean', 'bias_shape'], ['vt_bias']),
      node('Add', ['h2', 'vt_bias'], ['logits']),
    ],
    [
      floatInit('w1', [HIDDEN, 1, 3, 3, 3], randn(HIDDEN * 27, 0.5)),
      floatInit('b1', [HIDDEN], randn(HIDDEN, 0.3)),
      floatInit('w2', [C, HIDDEN, 3, 3, 3], randn(C * HIDDEN * 27, 0.3)),
      floatInit('b2', [C], randn(C, 0.2)),
      floatInit('vt_table', [V, C], randn(V * C, 0.5)),
      int64Init('axes01', [0, 1]),
      int64Init('bias_shape', [1, C, 1, 1, 1]),
    ],
    [io('logits', onnx.TensorProto.DataType.FLOAT, [1, C, pz, py, px])],
  );
}

function attentionModel(): Uint8Array {
  const nWin = (TOKEN_GRID[0] / WINDOW[0]) * (TOKEN_GRID[1] / WINDOW[1]) * (TOKEN_GRID[2] / WINDOW[2]);
  const T = 1 + WINDOW[0] * WINDOW[1] * WINDOW[2];
  const shapes: Record<string, number[]> = { window: [nWin, T, T], global: [nWin, nWin + 4], volume: [V, V] };
  const nodes: Node[] = [node('ReduceMean', ['image'], ['mean'], [int('keepdims', 0)]), node('Add', ['mean', 'one'], ['scale'])];
  const inits: Tensor[] = [floatInit('one', [], Float32Array.of(1))];
  for (const [name, dims] of Object.entries(shapes)) {
    inits.push(floatInit(`${name}_scores`, dims, randn(dims.reduce((a, b) => a * b, 1), 3)));
    nodes.push(node('Mul', [`${name}_scores`, 'scale'], [`${name}_scaled`]), node('Softmax', [`${name}_scaled`], [`${name}_attention`], [int('axis', -1)]));
  }
  return model(nodes, inits, Object.entries(shapes).map(([n, d]) => io(`${n}_attention`, onnx.TensorProto.DataType.FLOAT, d)));
}

const ref = (file: string, bytes: Uint8Array) => ({ file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });

export function writeFakeModel(dir: string): ModelCard {
  mkdirSync(dir, { recursive: true });
  const seg = segmentationModel();
  const att = attentionModel();
  writeFileSync(join(dir, 'fine-tiny.onnx'), seg);
  writeFileSync(join(dir, 'fine-tiny.attention.onnx'), att);
  const card: ModelCard = {
    format: 'fine-model-card/1',
    name: 'fine-tiny',
    description: 'Fake FINE-shaped network for e2e plumbing tests (not a segmentation model).',
    variant: 'fine',
    preset: 'tiny',
    parameters: HIDDEN * 28 + C * (HIDDEN * 27 + 1) + V * C,
    onnx: ref('fine-tiny.onnx', seg),
    attention: { ...ref('fine-tiny.attention.onnx', att), outputs: { window: 'window_attention', global: 'global_attention', volume: 'volume_attention' }, tokenGrid: TOKEN_GRID, window: WINDOW, windowTokens: 1 },
    labels: CASE_LABELS,
    spacing: [3, 3, 3],
    patchSize: PATCH,
    normalisation: { clip: [-1000, 1000], mean: 0, std: 200 },
    volumeTokens: { cells: CELLS, cellMm: [80, 80], tokensPerCell: 1, anchor: 'body-bbox-centre', huThreshold: -500, indexCount: 4 },
    io: { image: 'image', volumeTokenIndex: 'volume_token_index', logits: 'logits' },
    training: { data: [], steps: 0, preset: 'tiny', seconds: 0, validation: 'none (fake model)', dice: {}, meanDice: 0, curve: [] },
  };
  writeFileSync(join(dir, 'fine-tiny.json'), JSON.stringify(card, null, 2));
  return card;
}

if (process.argv[1]?.endsWith('fakeModel.ts')) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npx tsx e2e/support/fakeModel.ts <output dir> (never models/)');
  writeFakeModel(dir);
  console.log(`fake model written to ${dir}`);
}
