/**
 * The NiiVue adapter of the 3-D view drawn from a downsampled copy (`render3dCopy.ts`): a second,
 * small NiiVue canvas in render mode beside the slices, used for large scans on a software renderer.
 * It shows the copy of the CT through the same window and the labels (nearest voxel) in the legend's
 * colours; it never receives clicks for the crosshair, and it never touches the full-size scan.
 */
import { Niivue, cmapper } from '@niivue/niivue';
import type { NiftiVolume } from '../infer/io/nifti';
import { type CtWindow, type LabelColormap, windowRange } from './ctWindow';
import { ctImage, imageLike } from './nvImages';
import type { NVImage } from '@niivue/niivue';

export class Render3d {
  private readonly nv = new Niivue({ backColor: [0.05, 0.05, 0.08, 1], isColorbar: false, show3Dcrosshair: false, isOrientCube: true });
  private ct: NVImage | null = null;
  /** performance.now() (ms) when the copy and labels were last handed to the GPU, for tests. */
  readonly shownAt: { volume: number | null; labels: number | null } = { volume: null, labels: null };

  async attach(canvas: HTMLCanvasElement): Promise<void> {
    await this.nv.attachToCanvas(canvas);
    this.nv.setSliceType(this.nv.sliceTypeRender);
    this.nv.drawOpacity = 1;
  }

  async show(copy: NiftiVolume, window: CtWindow): Promise<void> {
    this.nv.volumes = [];
    this.nv.back = null;
    this.nv.closeDrawing();
    this.ct = await ctImage(copy, 'copy', window);
    this.nv.addVolume(this.ct);
    this.shownAt.volume = performance.now();
  }

  setWindow(window: CtWindow): void {
    if (!this.ct) return;
    [this.ct.cal_min, this.ct.cal_max] = windowRange(window);
    this.nv.updateGLVolume();
  }

  /** Labels on the copy's grid in the colours of `cm`, or none. */
  showLabels(labels: Uint8Array | null, cm: LabelColormap | null): void {
    if (!this.ct) return;
    if (!labels || !cm) {
      this.nv.closeDrawing();
      this.nv.drawScene();
      return;
    }
    if (!this.nv.loadDrawing(imageLike(this.ct, labels, 'labels'))) throw new Error('3-D view: the labels do not match the copy');
    this.nv.drawLut = cmapper.makeDrawLut(cm);
    this.nv.refreshColormaps();
    this.nv.drawScene();
    this.shownAt.labels = performance.now();
  }

  /** The copy's grid and whether labels are drawn, for tests. */
  state(): { dims: number[]; labels: boolean } | null {
    return this.ct ? { dims: this.ct.hdr!.dims.slice(1, 4), labels: this.nv.drawBitmap !== null } : null;
  }
}
