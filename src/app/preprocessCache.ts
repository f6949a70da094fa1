/**
 * The preprocessed volume behind attention maps: computed on the first click after a segmentation
 * request, reused by every later click, and dropped when a request brings another volume or model
 * card. Each request carries a fresh copy of the volume, so "another" is decided by content.
 */
import type { ModelCard } from '../infer/contract/modelCard';
import type { NiftiVolume } from '../infer/io/nifti';

const sameNumbers = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Same grid and the same voxel values, bit for bit (so NaN voxels compare equal). */
export function sameVolume(a: NiftiVolume, b: NiftiVolume): boolean {
  if (a === b) return true;
  if (!sameNumbers(a.dims, b.dims) || !sameNumbers(a.spacing, b.spacing) || !sameNumbers(a.affine, b.affine)) return false;
  if (a.data.length !== b.data.length) return false;
  const x = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length);
  const y = new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export class PreprocessCache<T> {
  private input: { volume: NiftiVolume; card: ModelCard; cardJson: string } | null = null;
  private value: T | undefined;

  constructor(private readonly compute: (volume: NiftiVolume, card: ModelCard) => T) {}

  /** Records the volume and card of a new request; the cached result survives only if both are unchanged. */
  use(volume: NiftiVolume, card: ModelCard): void {
    const cardJson = JSON.stringify(card);
    const prev = this.input;
    if (!prev || prev.cardJson !== cardJson || !sameVolume(prev.volume, volume)) this.value = undefined;
    this.input = { volume, card, cardJson };
  }

  /** The preprocessed volume of the last request, computed now if it is not cached. */
  get(): T {
    if (!this.input) throw new Error('Run a segmentation first: the attention map uses the volume and model of the last run');
    this.value ??= this.compute(this.input.volume, this.input.card);
    return this.value;
  }
}
