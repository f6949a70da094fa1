/**
 * The NiiVue adapter: the only module that touches @niivue/niivue. It shows the CT (multiplanar +
 * 3D render), a label overlay coloured from the model card, and an attention heat map, and reports
 * clicked voxels. Volumes are handed to NiiVue as in-memory NIfTI bytes written by src/infer.
 */
import { NVImage, Niivue, SHOW_RENDER } from '@niivue/niivue';
import type { LabelInfo } from '../infer/contract/modelCard';
import { type NiftiVolume, type Vec3, writeNifti, writeNiftiFloat } from '../infer/io/nifti';
import { type CtWindowName, labelColormap, windowRange } from './ctWindow';
import type { LabelView } from './store';

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

export class Viewer {
  private readonly nv: Niivue;
  private ct: NVImage | null = null;
  private labels: NVImage | null = null;
  private heat: NVImage | null = null;
  private labelInfo: LabelInfo[] = [];
  onVoxel: ((voxel: Vec3) => void) | null = null;

  constructor() {
    this.nv = new Niivue({ backColor: [0.05, 0.05, 0.08, 1], show3Dcrosshair: true, multiplanarShowRender: SHOW_RENDER.ALWAYS, isColorbar: false });
    this.nv.onLocationChange = (loc: unknown) => {
      const vox = (loc as { vox?: ArrayLike<number> }).vox;
      if (vox && this.onVoxel) this.onVoxel([Math.round(vox[0]), Math.round(vox[1]), Math.round(vox[2])]);
    };
  }

  async attach(canvas: HTMLCanvasElement): Promise<void> {
    await this.nv.attachToCanvas(canvas);
    this.nv.setSliceType(this.nv.sliceTypeMultiplanar);
  }

  private drop(img: NVImage | null): null {
    if (img && this.nv.volumes.includes(img)) this.nv.removeVolume(img);
    return null;
  }

  async showVolume(volume: NiftiVolume, name: string, window: CtWindowName): Promise<void> {
    this.heat = this.drop(this.heat);
    this.labels = this.drop(this.labels);
    this.ct = this.drop(this.ct);
    const [lo, hi] = windowRange(window);
    const ct = await NVImage.loadFromUrl({ url: buffer(writeNiftiFloat(volume.data, volume)), name: `${name}.nii`, colormap: 'gray', cal_min: lo, cal_max: hi, trustCalMinMax: true });
    ct.cal_min = lo;
    ct.cal_max = hi;
    this.ct = ct;
    this.nv.addVolume(ct);
    this.nv.updateGLVolume();
  }

  setWindow(window: CtWindowName): void {
    if (!this.ct) return;
    [this.ct.cal_min, this.ct.cal_max] = windowRange(window);
    this.nv.updateGLVolume();
  }

  async showLabels(labels: Uint8Array, like: NiftiVolume, info: LabelInfo[], legend: Record<number, LabelView>): Promise<void> {
    this.labels = this.drop(this.labels);
    this.labelInfo = info;
    const img = await NVImage.loadFromUrl({ url: buffer(writeNifti(labels, like)), name: 'labels.nii' });
    img.setColormapLabel(labelColormap(info, legend));
    this.labels = img;
    this.nv.addVolume(img);
    this.nv.setOpacity(this.nv.volumes.indexOf(img), 1);
    this.nv.updateGLVolume();
  }

  clearLabels(): void {
    this.labels = this.drop(this.labels);
    this.nv.updateGLVolume();
  }

  updateLegend(legend: Record<number, LabelView>): void {
    if (!this.labels) return;
    this.labels.setColormapLabel(labelColormap(this.labelInfo, legend));
    this.nv.updateGLVolume();
  }

  async showHeat(heat: Float32Array, like: NiftiVolume): Promise<void> {
    this.heat = this.drop(this.heat);
    const img = await NVImage.loadFromUrl({ url: buffer(writeNiftiFloat(heat, like)), name: 'attention.nii', colormap: 'warm', cal_min: 0.05, cal_max: 1, opacity: 0.7, trustCalMinMax: true });
    img.cal_min = 0.05;
    img.cal_max = 1;
    this.heat = img;
    this.nv.addVolume(img);
    this.nv.updateGLVolume();
  }

  clearHeat(): void {
    this.heat = this.drop(this.heat);
    this.nv.updateGLVolume();
  }

  /** How many volumes NiiVue holds (CT, labels, heat), for tests. */
  layerCount(): number {
    return this.nv.volumes.length;
  }
}
