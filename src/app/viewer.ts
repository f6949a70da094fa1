/**
 * The NiiVue adapter: the only module that touches @niivue/niivue. It shows the CT (multiplanar +
 * 3D render), a label overlay coloured from the model card, and an attention heat map, and reports
 * clicked voxels. Volumes are handed to NiiVue as in-memory NIfTI bytes written by src/infer.
 */
import { MULTIPLANAR_TYPE, NVImage, Niivue, SHOW_RENDER } from '@niivue/niivue';
import type { LabelInfo } from '../infer/contract/modelCard';
import { applyAffine, invertAffine } from '../infer/eval/affine';
import { type NiftiVolume, type Vec3, readNifti, writeNifti, writeNiftiFloat } from '../infer/io/nifti';
import { type CtWindow, labelColormap, windowRange } from './ctWindow';
import type { LabelView } from './store';

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

export class Viewer {
  private readonly nv: Niivue;
  private ct: NVImage | null = null;
  private labels: NVImage | null = null;
  private heat: NVImage | null = null;
  private labelInfo: LabelInfo[] = [];
  /** World mm to the shown CT's voxel index (inverse of its affine). */
  private toVoxel: number[] | null = null;
  /** Whether NiiVue reported a location since the last pointer down, and where (canvas px) and which voxel it last reported. */
  private reported = false;
  private lastXY: [number, number] | null = null;
  private lastVox: Vec3 | null = null;
  /** The shown volume is a thin slab (column layout). */
  private thin = false;
  onVoxel: ((voxel: Vec3) => void) | null = null;
  /** The crosshair moved: world mm (RAS), voxel index and the CT value (HU) there. */
  onLocation: ((at: { mm: Vec3; vox: Vec3; hu: number | null }) => void) | null = null;

  constructor() {
    // Radiological convention by default for CT: patient left on screen right in axial and coronal views.
    this.nv = new Niivue({ backColor: [0.05, 0.05, 0.08, 1], show3Dcrosshair: true, multiplanarShowRender: SHOW_RENDER.ALWAYS, isColorbar: false, isRadiologicalConvention: true });
    this.nv.onLocationChange = (loc: unknown) => {
      // NiiVue's `vox` counts in its RAS-reordered grid; the voxel of the input's own grid comes from the
      // world position through the input's affine, so labels, HU and attention use the file's indices.
      const l = loc as { mm?: ArrayLike<number>; values?: { value?: number }[]; xy?: [number, number] };
      this.reported = true;
      if (l.xy) this.lastXY = l.xy;
      if (!l.mm || !this.toVoxel) return;
      const mm: Vec3 = [l.mm[0], l.mm[1], l.mm[2]];
      const vox = applyAffine(this.toVoxel, mm).map((v) => Math.round(v)) as Vec3;
      const hu = l.values?.[0]?.value;
      if (this.onLocation) this.onLocation({ vox, mm, hu: typeof hu === 'number' && Number.isFinite(hu) ? hu : null });
      this.lastVox = vox;
      if (this.onVoxel) this.onVoxel(vox);
    };
  }

  /**
   * NiiVue reports a click only when it moves the crosshair, so a second click on the same voxel would
   * do nothing. A click it did not report, on the point it last reported, re-sends that voxel.
   */
  private sameSpotClick(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('pointerdown', () => { this.reported = false; });
    canvas.addEventListener('click', (e) => {
      if (this.reported || !this.lastVox || !this.lastXY || !this.onVoxel) return;
      const dpr = globalThis.devicePixelRatio || 1;
      const near = (k: number) => Math.hypot(e.offsetX * k - this.lastXY![0], e.offsetY * k - this.lastXY![1]) <= 4 * k;
      if (near(1) || near(dpr)) this.onVoxel(this.lastVox);
    });
  }

  async attach(canvas: HTMLCanvasElement): Promise<void> {
    await this.nv.attachToCanvas(canvas);
    this.nv.setSliceType(this.nv.sliceTypeMultiplanar);
    this.sameSpotClick(canvas);
  }

  private drop(img: NVImage | null): null {
    if (img && this.nv.volumes.includes(img)) this.nv.removeVolume(img);
    return null;
  }

  /** Radiological (patient left on screen right) or neurological convention. */
  setRadiological(on: boolean): void {
    this.nv.setRadiologicalConvention(on);
  }

  /**
   * Thin slabs: NiiVue sizes the multiplanar tiles by the volume's extent in mm, and its automatic
   * 2x2 grid leaves a slab of a few slices as slivers beside a shrunken axial view. Past a 1:3 ratio
   * the views go in one column without the 3-D render: the axial view fills the width and the coronal
   * and sagittal views become full-width bands, each at its true aspect.
   */
  private fitLayout(volume: NiftiVolume): void {
    const ext = volume.dims.map((n, a) => n * volume.spacing[a]);
    this.thin = Math.min(...ext) * 3 < Math.max(...ext);
    this.nv.opts.multiplanarLayout = this.thin ? MULTIPLANAR_TYPE.COLUMN : MULTIPLANAR_TYPE.AUTO;
    this.nv.opts.multiplanarShowRender = this.thin ? SHOW_RENDER.NEVER : SHOW_RENDER.ALWAYS;
  }

  async showVolume(volume: NiftiVolume, name: string, window: CtWindow): Promise<void> {
    this.heat = this.drop(this.heat);
    this.labels = this.drop(this.labels);
    this.ct = this.drop(this.ct);
    const [lo, hi] = windowRange(window);
    const ct = await NVImage.loadFromUrl({ url: buffer(writeNiftiFloat(volume.data, volume)), name: `${name}.nii`, colormap: 'gray', cal_min: lo, cal_max: hi, trustCalMinMax: true });
    ct.cal_min = lo;
    ct.cal_max = hi;
    this.ct = ct;
    this.toVoxel = invertAffine(volume.affine);
    this.fitLayout(volume);
    this.nv.addVolume(ct);
    this.nv.updateGLVolume();
  }

  setWindow(window: CtWindow): void {
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
    const img = await NVImage.loadFromUrl({ url: buffer(writeNiftiFloat(heat, like)), name: 'attention.nii', colormap: 'cool', cal_min: 0.05, cal_max: 1, opacity: 0.7, trustCalMinMax: true });
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

  /**
   * Label correction with NiiVue's drawing tools: the label map becomes the drawing layer (in the
   * labels' colours), the overlay steps aside, and dragging over a 2-D view paints with the pen.
   */
  async startEditing(labels: Uint8Array, like: NiftiVolume, info: LabelInfo[], pen: { label: number; fill: boolean }): Promise<void> {
    const img = await NVImage.loadFromUrl({ url: buffer(writeNifti(labels, like)), name: 'edit.nii' });
    const all = Object.fromEntries(info.map((l) => [l.id, { visible: true, opacity: 1 }]));
    this.nv.setDrawColormap(labelColormap(info, all) as unknown as string);
    if (!this.nv.loadDrawing(img)) throw new Error('label correction: the label map does not match the volume shown');
    if (this.labels) this.nv.setOpacity(this.nv.volumes.indexOf(this.labels), 0);
    this.nv.setDrawingEnabled(true);
    this.setPen(pen);
  }

  /** Pen: a label id (0 erases) and whether a closed stroke is filled. */
  setPen(pen: { label: number; fill: boolean }): void {
    this.nv.setPenValue(pen.label, pen.fill);
  }

  undoEdit(): void {
    this.nv.drawUndo();
  }

  /** The drawing as a label map in the volume's own voxel order (NiiVue writes it back to native space). */
  async editedLabels(): Promise<Uint8Array> {
    const bytes = await this.nv.saveImage({ filename: '', isSaveDrawing: true, volumeByIndex: 0 });
    if (!(bytes instanceof Uint8Array)) throw new Error('label correction: NiiVue returned no drawing');
    return Uint8Array.from(readNifti(bytes, 'drawing.nii').data, (v) => Math.max(0, Math.min(255, Math.round(v))));
  }

  stopEditing(): void {
    this.nv.setDrawingEnabled(false);
    this.nv.closeDrawing();
    if (this.labels) this.nv.setOpacity(this.nv.volumes.indexOf(this.labels), 1);
    this.nv.updateGLVolume();
  }

  /** NiiVue's display convention and tile sizing, for tests. */
  displayOptions(): { radiological: boolean; thinSlabLayout: boolean } {
    return { radiological: this.nv.opts.isRadiologicalConvention, thinSlabLayout: this.thin && this.nv.opts.multiplanarLayout === MULTIPLANAR_TYPE.COLUMN };
  }

  /** Names in the label overlay's colour table (empty without an overlay), for tests. */
  overlayLabelNames(): string[] {
    return this.labels && this.nv.volumes.includes(this.labels) ? this.labelInfo.map((l) => l.name) : [];
  }

  /** How many volumes NiiVue holds (CT, labels, heat), for tests. */
  layerCount(): number {
    return this.nv.volumes.length;
  }
}
