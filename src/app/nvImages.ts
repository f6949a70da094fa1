/**
 * NiiVue images built in memory, for the NiiVue adapters (`viewer.ts`, `render3d.ts`): NiiVue reads
 * NIfTI bytes only for a one-voxel header; the CT, labels and heat maps share the app's typed arrays.
 */
import { NVImage } from '@niivue/niivue';
import { type NiftiVolume, type Vec3, writeNiftiFloat } from '../infer/io/nifti';
import { type CtWindow, windowRange } from './ctWindow';

/** NIfTI bytes as an ArrayBuffer, without a copy when they fill their buffer. */
const buffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;

/**
 * An image with `like`'s header (its affine) holding `data` in NIfTI voxel order on a grid of `dims`
 * (by default `like`'s), built in memory: no NIfTI bytes, and NiiVue shares `data` rather than copying it.
 */
export function imageLike(like: NVImage, data: Uint8Array | Float32Array, name: string, dims?: Vec3): NVImage {
  const img = new NVImage();
  const bytes = data instanceof Uint8Array;
  const hdr = like.hdr!;
  const grid = dims ? [3, dims[0], dims[1], dims[2], 1, 1, 1, 1] : [...hdr.dims];
  img.name = name;
  img.hdr = { ...hdr, dims: grid, datatypeCode: bytes ? 2 : 16, numBitsPerVoxel: bytes ? 8 : 32, scl_slope: 1, scl_inter: 0, cal_min: 0, cal_max: 0 } as NVImage['hdr'];
  img.img = data;
  img.nVox3D = grid[1] * grid[2] * grid[3];
  if (data.length !== img.nVox3D) throw new Error(`${name}: ${data.length} voxels for a ${grid.slice(1, 4).join('x')} grid`);
  img.nFrame4D = 1;
  img.nTotalFrame4D = 1;
  img.calculateRAS();
  img.calMinMax();
  return img;
}

/** A CT as a NiiVue image on its own geometry, shown through `window`. */
export async function ctImage(volume: NiftiVolume, name: string, window: CtWindow): Promise<NVImage> {
  // NiiVue reads the header from a one-voxel NIfTI of this geometry; the CT's voxels are shared, not written and parsed.
  const header = await NVImage.loadFromUrl({ url: buffer(writeNiftiFloat(Float32Array.of(0), { ...volume, dims: [1, 1, 1] })), name: `${name}.nii` });
  const ct = imageLike(header, volume.data, name, volume.dims);
  [ct.cal_min, ct.cal_max] = windowRange(window);
  return ct;
}
