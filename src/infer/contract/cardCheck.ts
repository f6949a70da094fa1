/**
 * Validation of model cards read from JSON, and of the ONNX file a card names. Every error names
 * the file and the field, says what was expected and what arrived.
 */
import {
  NETWORK_VARIANTS,
  type Applicability, type AttentionExport, type InferenceDefaults, type LabelInfo, type ModelCard, type ModelIO, type Normalisation, type OnnxFileRef, type TrainingRecord, type VolumeTokenGrid,
} from './modelCard';
import type { Vec3 } from '../io/niftiHeader';

export class ModelCardError extends Error {
  override name = 'ModelCardError';
}

type Obj = Record<string, unknown>;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Reads typed fields of one JSON object, naming `path.key` in errors. */
class Fields {
  constructor(private readonly o: Obj, private readonly path: string, private readonly file: string) {}

  static of(v: unknown, path: string, file: string): Fields {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new ModelCardError(`${file}: "${path || 'card'}" must be an object, got ${show(v)}; re-export the model card`);
    }
    return new Fields(v as Obj, path, file);
  }

  private name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  fail(key: string, expected: string): never {
    const v = this.o[key];
    const got = v === undefined ? 'it is missing' : `got ${show(v)}`;
    throw new ModelCardError(`${this.file}: field "${this.name(key)}" must be ${expected}, ${got}; re-export the model card`);
  }

  keys(): string[] {
    return Object.keys(this.o);
  }

  has(key: string): boolean {
    return this.o[key] !== undefined;
  }

  str(key: string): string {
    const v = this.o[key];
    return typeof v === 'string' ? v : this.fail(key, 'a string');
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.o[key];
    return allowed.includes(v as T) ? (v as T) : this.fail(key, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }

  num(key: string, min = -Infinity, what = 'a finite number'): number {
    const v = this.o[key];
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : this.fail(key, what);
  }

  positive(key: string): number {
    const v = this.num(key, -Infinity, 'a positive number');
    return v > 0 ? v : this.fail(key, 'a positive number');
  }

  int(key: string, min: number): number {
    const v = this.o[key];
    return Number.isInteger(v) && (v as number) >= min ? (v as number) : this.fail(key, `an integer >= ${min}`);
  }

  tuple(key: string, n: number, test: (x: unknown) => boolean, what: string): number[] {
    const v = this.o[key];
    return Array.isArray(v) && v.length === n && v.every(test) ? (v as number[]) : this.fail(key, `${n} ${what}`);
  }

  obj(key: string): Fields {
    return Fields.of(this.o[key], this.name(key), this.file);
  }

  bool(key: string): boolean {
    const v = this.o[key];
    return typeof v === 'boolean' ? v : this.fail(key, 'true or false');
  }

  list(key: string): unknown[] {
    const v = this.o[key];
    return Array.isArray(v) ? v : this.fail(key, 'an array');
  }

  /** An array of objects, each read with its own path (`key[i]`). */
  items(key: string): Fields[] {
    return this.list(key).map((v, i) => Fields.of(v, `${this.name(key)}[${i}]`, this.file));
  }
}

const isPositive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;
const isPositiveInt = (x: unknown) => Number.isInteger(x) && (x as number) > 0;

function onnxRef(f: Fields): OnnxFileRef {
  const sha256 = f.str('sha256');
  if (!/^[0-9a-f]{64}$/.test(sha256)) f.fail('sha256', '64 lower-case hex digits');
  return { file: f.str('file'), sha256, bytes: f.int('bytes', 1) };
}

function labelList(f: Fields, file: string): LabelInfo[] {
  const raw = f.list('labels');
  if (raw.length < 2 || raw.length > 256) f.fail('labels', 'an array of 2..256 labels (background first)');
  const seen = new Set<number>();
  const labels: LabelInfo[] = raw.map((v, i) => {
    const l = Fields.of(v, `labels[${i}]`, file);
    const id = l.int('id', 0);
    if (id > 255 || seen.has(id)) l.fail('id', 'a unique integer 0..255');
    seen.add(id);
    const color = l.tuple('color', 3, (x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255, 'integers 0..255') as Vec3;
    const mirror = l.has('mirror') ? l.int('mirror', 0) : undefined;
    return { id, name: l.str('name'), color, ...(mirror !== undefined ? { mirror } : {}) };
  });
  for (const l of labels) {
    if (l.mirror !== undefined && !labels.some((m) => m.id === l.mirror && m.mirror === l.id)) {
      throw new ModelCardError(`${file}: label ${l.name} names mirror partner ${l.mirror}, which is not a label that names ${l.id} back`);
    }
  }
  return labels;
}

function normalisation(f: Fields): Normalisation {
  const clip = f.tuple('clip', 2, (x) => typeof x === 'number' && Number.isFinite(x), 'finite numbers') as [number, number];
  if (!(clip[0] < clip[1])) f.fail('clip', '[low, high] with low < high');
  return { clip, mean: f.num('mean'), std: f.positive('std') };
}

function volumeTokens(f: Fields): VolumeTokenGrid {
  const tokensPerCell = f.int('tokensPerCell', 1);
  const indexCount = f.int('indexCount', 1);
  if (indexCount !== 4 * tokensPerCell) f.fail('indexCount', `4 x tokensPerCell = ${4 * tokensPerCell}`);
  return {
    cells: f.tuple('cells', 2, isPositiveInt, 'positive integers') as [number, number],
    cellMm: f.tuple('cellMm', 2, isPositive, 'positive numbers (mm)') as [number, number],
    tokensPerCell,
    anchor: f.oneOf('anchor', ['body-bbox-centre'] as const),
    huThreshold: f.num('huThreshold'),
    indexCount,
  };
}

function modelIO(f: Fields): ModelIO {
  const io: ModelIO = { image: f.str('image'), logits: f.str('logits') };
  if (f.has('volumeTokenIndex')) io.volumeTokenIndex = f.str('volumeTokenIndex');
  return io;
}

function attention(f: Fields): AttentionExport {
  const o = f.obj('outputs');
  const outputs: AttentionExport['outputs'] = {};
  if (o.has('window') || !f.has('cross')) outputs.window = o.str('window');
  if (o.has('global')) outputs.global = o.str('global');
  if (o.has('volume')) outputs.volume = o.str('volume');
  return {
    ...onnxRef(f),
    outputs,
    tokenGrid: f.tuple('tokenGrid', 3, isPositiveInt, 'positive integers (x, y, z)') as Vec3,
    window: f.tuple('window', 3, isPositiveInt, 'positive integers (x, y, z)') as Vec3,
    windowTokens: f.int('windowTokens', 0),
    ...(f.has('cross')
      ? {
          cross: f.items('cross').map((c) => {
            return { output: c.str('output'), stage: c.int('stage', 0), tokenGrid: c.tuple('tokenGrid', 3, isPositiveInt, 'positive integers (x, y, z)') as Vec3 };
          }),
        }
      : {}),
  };
}

function training(f: Fields): TrainingRecord {
  const data = f.list('data');
  if (!data.every((d) => typeof d === 'string')) f.fail('data', 'an array of strings');
  const dice: Record<string, number> = {};
  const d = f.obj('dice');
  for (const k of d.keys()) dice[k] = d.num(k);
  const curve = f.items('curve').map((p) => {
    const point: TrainingRecord['curve'][number] = { step: p.int('step', 0), loss: p.num('loss') };
    if (p.has('meanDice')) point.meanDice = p.num('meanDice');
    return point;
  });
  return {
    data: data as string[],
    steps: f.int('steps', 0),
    preset: f.str('preset'),
    seconds: f.num('seconds', 0, 'a number >= 0'),
    validation: f.str('validation'),
    dice,
    meanDice: f.num('meanDice'),
    curve,
  };
}

/** `inference`: the mirroring switch and the label names kept to their largest component. */
function inferenceDefaults(f: Fields, labels: LabelInfo[]): InferenceDefaults {
  const lcc = f.list('largestComponent');
  const names = new Set(labels.slice(1).map((l) => l.name));
  if (!lcc.every((n) => typeof n === 'string' && names.has(n))) f.fail('largestComponent', `an array of the card's organ names (${[...names].join(', ')})`);
  return { mirror: f.bool('mirror'), largestComponent: lcc as string[], ...(f.has('basis') ? { basis: f.str('basis') } : {}) };
}

/** `applicability.organVolumeMl`: per label name of the card, [low, high] mL with 0 <= low <= high. */
function applicability(f: Fields, labels: LabelInfo[]): Applicability {
  const v = f.obj('organVolumeMl');
  const names = new Set(labels.map((l) => l.name));
  const organVolumeMl: Record<string, [number, number]> = {};
  for (const k of v.keys()) {
    if (!names.has(k)) v.fail(k, `the name of one of the card's labels (${[...names].join(', ')})`);
    const r = v.tuple(k, 2, (x) => typeof x === 'number' && Number.isFinite(x) && x >= 0, 'numbers >= 0 (mL)') as [number, number];
    if (!(r[0] <= r[1])) v.fail(k, '[low, high] mL with low <= high');
    organVolumeMl[k] = r;
  }
  return { organVolumeMl };
}

/** Validates a parsed model-card JSON; unknown extra fields are kept as they are. */
export function parseModelCard(json: unknown, fileName: string): ModelCard {
  const f = Fields.of(json, '', fileName);
  const format = f.str('format');
  if (format !== 'fine-model-card/1') f.fail('format', '"fine-model-card/1" (this app reads card format 1)');
  const variant = f.oneOf('variant', NETWORK_VARIANTS);
  const io = modelIO(f.obj('io'));
  const card: ModelCard = {
    ...(json as Obj),
    format: 'fine-model-card/1',
    name: f.str('name'),
    description: f.str('description'),
    variant,
    preset: f.str('preset'),
    parameters: f.int('parameters', 0),
    onnx: onnxRef(f.obj('onnx')),
    labels: labelList(f, fileName),
    spacing: f.tuple('spacing', 3, isPositive, 'positive numbers (mm, x y z)') as Vec3,
    patchSize: f.tuple('patchSize', 3, isPositiveInt, 'positive integers (voxels, x y z)') as Vec3,
    normalisation: normalisation(f.obj('normalisation')),
    io,
    training: training(f.obj('training')),
  };
  if (f.has('applicability')) card.applicability = applicability(f.obj('applicability'), card.labels);
  else delete card.applicability;
  if (f.has('inference')) card.inference = inferenceDefaults(f.obj('inference'), card.labels);
  else delete card.inference;
  if (f.has('attention')) card.attention = attention(f.obj('attention'));
  else delete card.attention;
  if (f.has('volumeTokens')) card.volumeTokens = volumeTokens(f.obj('volumeTokens'));
  else delete card.volumeTokens;
  // The network's inputs are what the card's io declares: a volume-token input needs its grid, and the reverse.
  if (!card.volumeTokens !== !io.volumeTokenIndex) {
    f.fail(card.volumeTokens ? 'io' : 'volumeTokens', card.volumeTokens ? 'an object naming volumeTokenIndex, since volumeTokens is given' : 'present when io.volumeTokenIndex is given');
  }
  return card;
}

/** Lower-case hex SHA-256 via Web Crypto (Node 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks an ONNX file's size and SHA-256 against the card; throws naming both values. */
export async function verifyOnnx(bytes: Uint8Array, ref: OnnxFileRef, fileName: string): Promise<void> {
  if (bytes.length !== ref.bytes) {
    throw new ModelCardError(
      `${fileName}: ${bytes.length} bytes, but the model card says ${ref.bytes}; the download is incomplete or the card belongs to another model`,
    );
  }
  const got = await sha256Hex(bytes);
  if (got !== ref.sha256) {
    throw new ModelCardError(
      `${fileName}: sha256 ${got} does not match the model card's ${ref.sha256}; re-download the model or re-export the card`,
    );
  }
}
