/**
 * The NiiVue adapter of the main view (with `render3d.ts`, the 3-D copy, and `nvImages.ts`, the only
 * modules that touch @niivue/niivue). It shows the CT (multiplanar + 3-D render), the labels coloured
 * from the model card, and an attention heat map; it reports clicked voxels and holds label correction.
 *
 * What each layer costs decides where it lives. NiiVue turns every volume layer into a colour texture
 * by a shader pass over all its voxels (plus a gradient pass for the background) whenever any layer
 * changes, which on a software renderer takes tens of seconds for a 512x512x300 scan. So only the CT
 * (and an attention map while shown) are volume layers, and each change refreshes NiiVue once. The
 * labels, the disagreement map and the corrections are NiiVue's drawing layer: one byte per voxel
 * uploaded as it is and coloured through a 256-entry table when drawn, so showing, recolouring and
 * editing them never re-renders the CT. Every layer is built in memory on the CT's header and shares
 * the app's typed arrays: NiiVue reads NIfTI bytes only for that header (`nvImages.ts`).
 */
import type { EditSnapshot } from './editing/snapshot';
import { MULTIPLANAR_TYPE, NVImage, Niivue, SHOW_RENDER, cmapper } from '@niivue/niivue';
import type { LabelInfo } from '../infer/contract/modelCard';
import { applyAffine, invertAffine } from '../infer/eval/affine';
import { type NiftiVolume, type Vec3, readNifti } from '../infer/io/nifti';
import { ctImage, imageLike } from './nvImages';
import { CROSSHAIR_RGB, type CtWindow, type LabelColormap, labelColormap, windowRange } from './ctWindow';
import type { EditHistory, EditPen, LabelView, ViewLayout } from './state';
import { labelIds } from '../infer/contract/labels';
import { type Dims, type SliceKey, rasToNative } from './editing/grid';
import { fillBetweenSlices } from './editing/sliceFill';
import { type StrokeRules, applyStrokeRules, mayChange, noRules } from './editing/strokeRules';


/**
 * While an attention map is shown the labels are drawn as outlines: their interiors almost clear (so
 * the map's colours are not mixed with an organ's), their rims opaque (NiiVue's rim drawing).
 */
const OUTLINE = { interior: 0.02, rim: 0.9 };

export class Viewer {
  private readonly nv: Niivue;
  private ct: NVImage | null = null;
  private heat: NVImage | null = null;
  /** The drawing layer holds a label map (the labels, or the disagreement map), coloured by `labelInfo`. */
  private labelsShown = false;
  private labelInfo: LabelInfo[] = [];
  /** The drawing layer's colours as last asked for (before dimming under a heat map). */
  private drawColours: LabelColormap | null = null;
  /** World mm to the shown CT's voxel index (inverse of its affine). */
  private toVoxel: number[] | null = null;
  /** Whether NiiVue reported a location since the last pointer down, and where (canvas px) and which voxel it last reported. */
  private reported = false;
  private lastXY: [number, number] | null = null;
  private lastVox: Vec3 | null = null;
  /** The shown volume is a thin slab (column layout). */
  private thin = false;
  /** The 3-D render is wanted beside the slices (thin slabs never show it). */
  private render3d = true;
  private layout: ViewLayout = 'auto';
  /** The CT was recoloured while no 3-D render was shown, so the render's gradient texture is out of date. */
  private gradientStale = false;
  /** When (performance.now(), ms) the CT, the label overlay and a new CT window were last handed to the GPU. */
  readonly shownAt: { volume: number | null; labels: number | null; window: number | null } = { volume: null, labels: null, window: null };
  onVoxel: ((voxel: Vec3) => void) | null = null;
  /** The correction changed (a stroke, undo, redo, fill between slices). */
  onEdited: ((h: EditHistory) => void) | null = null;
  /** The drawing as it was after the last edit (NiiVue's RAS grid), to compare a stroke against. */
  private editBase: Uint8Array | null = null;
  private rules: StrokeRules = noRules;
  private penLabel = 1;
  /** Slices each label was drawn on in this correction, for filling between them. */
  private drawnSlices = new Map<number, SliceKey[]>();
  private history: EditHistory = { undo: 0, redo: 0, protectedVoxels: 0 };
  /** The crosshair moved: world mm (RAS), voxel index and the CT value (HU) there. */
  onLocation: ((at: { mm: Vec3; vox: Vec3; hu: number | null }) => void) | null = null;

  constructor() {
    // Radiological convention by default for CT: patient left on screen right in axial and coronal views.
    this.nv = new Niivue({ backColor: [0.05, 0.05, 0.08, 1], show3Dcrosshair: true, multiplanarShowRender: SHOW_RENDER.ALWAYS, isColorbar: false, isRadiologicalConvention: true, crosshairColor: [...CROSSHAIR_RGB.map((c) => c / 255), 0.8] });
    // The drawing layer shows the labels: each label's alpha comes from its colour table entry alone.
    this.nv.drawOpacity = 1;
    this.nv.onDrawingChanged = (action: string) => {
      if (action === 'draw' && this.editBase) this.strokeDone();
    };
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
    this.gradientOnlyFor3d();
  }

  /** Whether a 3-D render is among the views shown. */
  private renderShown(): boolean {
    const o = this.nv.opts;
    return o.sliceType === this.nv.sliceTypeRender || (o.sliceType === this.nv.sliceTypeMultiplanar && o.multiplanarShowRender !== SHOW_RENDER.NEVER);
  }

  /**
   * NiiVue recomputes the 3-D render's gradient texture (a blur and a Sobel pass over every voxel) each
   * time it recolours the CT, a window change included; only the 3-D render reads it. While no 3-D
   * render is shown those two passes are skipped (their draw calls, inside a refresh only), which
   * leaves a refresh one pass instead of three; the gradient is computed when the render comes back.
   */
  private gradientOnlyFor3d(): void {
    const nv = this.nv;
    const gl = nv.gl as WebGL2RenderingContext | null;
    if (!gl) return;
    const programs = new Set([nv.blurShader, nv.gradientPrePassShader, nv.sobelFirstOrderShader, nv.sobelSecondOrderShader].flatMap((sh) => (sh ? [sh.program] : [])));
    let refreshing = false;
    const refresh = nv.refreshLayers.bind(nv);
    nv.refreshLayers = (item, layer) => {
      refreshing = true;
      try {
        refresh(item, layer);
      } finally {
        refreshing = false;
      }
    };
    const draw = gl.drawArrays.bind(gl);
    gl.drawArrays = (mode, first, count) => {
      if (refreshing && !this.renderShown() && programs.has(gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram)) {
        this.gradientStale = true;
        return;
      }
      draw(mode, first, count);
    };
  }

  /** After the layout changed: a 3-D render shown again needs the gradient the refreshes skipped. */
  private redraw(): void {
    if (this.gradientStale && this.renderShown() && this.nv.back?.hdr) {
      this.gradientStale = false;
      this.nv.gradientGL(this.nv.back.hdr);
    }
    this.nv.drawScene();
  }

  /** Whether WebGL runs on a software renderer (SwiftShader, llvmpipe, Microsoft Basic Render), as on many virtual desktops. */
  softwareRenderer(): boolean {
    const gl = this.nv.gl as WebGL2RenderingContext | null;
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
  }

  /** Shows or hides the 3-D render beside the slices. */
  setView3d(on: boolean): void {
    if (on === this.render3d) return;
    this.render3d = on;
    this.applyLayout();
    this.redraw();
  }

  /** Arranges the views (see VIEW_LAYOUTS). */
  setLayout(layout: ViewLayout): void {
    if (layout === this.layout) return;
    this.layout = layout;
    this.applyLayout();
    this.redraw();
  }

  private applyLayout(): void {
    const nv = this.nv;
    const single: Partial<Record<ViewLayout, number>> = { axial: nv.sliceTypeAxial, coronal: nv.sliceTypeCoronal, sagittal: nv.sliceTypeSagittal };
    const one = single[this.layout];
    if (one !== undefined) {
      nv.opts.sliceType = one;
      return;
    }
    const auto = this.layout === 'auto';
    nv.opts.sliceType = nv.sliceTypeMultiplanar;
    nv.opts.multiplanarLayout = this.layout === '2x2' ? MULTIPLANAR_TYPE.GRID : this.layout === '1x3' ? MULTIPLANAR_TYPE.ROW : this.thin ? MULTIPLANAR_TYPE.COLUMN : MULTIPLANAR_TYPE.AUTO;
    nv.opts.multiplanarShowRender = this.layout === '1x3' || (auto && this.thin) || !this.render3d ? SHOW_RENDER.NEVER : SHOW_RENDER.ALWAYS;
  }

  /** Colours the drawing layer: one RGBA entry per label id (alpha from the legend's opacity, 0 when hidden). */
  private setDrawColours(cm: LabelColormap): void {
    this.drawColours = cm;
    // The drawing is drawn over the volume layers: under an attention map the labels become outlines so the map shows through.
    this.nv.drawOpacity = this.heat ? OUTLINE.interior : 1;
    this.nv.drawRimOpacity = this.heat ? OUTLINE.rim : -1;
    this.nv.drawLut = cmapper.makeDrawLut(cm);
    this.nv.refreshColormaps();
    this.nv.drawScene();
  }

  /** Loads a label map (the CT's voxel order) into the drawing layer. */
  private loadLabelMap(labels: Uint8Array, name: string): void {
    if (!this.ct) throw new Error('labels: no CT is shown');
    if (!this.nv.loadDrawing(imageLike(this.ct, labels, name))) throw new Error('labels: the label map does not match the volume shown');
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
    this.applyLayout();
  }

  /** Shows a CT; `view3d` says whether the 3-D render goes beside the slices (decided before the first draw). */
  /** The CT of the last showVolume is on screen (a session restore waits for it before it puts labels back). */
  shown: Promise<void> = Promise.resolve();

  showVolume(volume: NiftiVolume, name: string, window: CtWindow, view3d = true): Promise<void> {
    this.shown = this.show(volume, name, window, view3d);
    return this.shown;
  }

  private async show(volume: NiftiVolume, name: string, window: CtWindow, view3d: boolean): Promise<void> {
    this.render3d = view3d;
    // The old layers leave at once and without a refresh each (a refresh is a pass over the whole volume).
    this.nv.volumes = [];
    this.nv.back = null;
    this.nv.overlays = [];
    this.nv.setDrawingEnabled(false);
    this.nv.closeDrawing();
    this.labelsShown = false;
    this.heat = null;
    this.ct = null;
    const ct = await ctImage(volume, name, window);
    this.ct = ct;
    this.toVoxel = invertAffine(volume.affine);
    this.fitLayout(volume);
    this.nv.addVolume(ct);
    this.shownAt.volume = performance.now();
  }

  setWindow(window: CtWindow): void {
    if (!this.ct) return;
    [this.ct.cal_min, this.ct.cal_max] = windowRange(window);
    this.nv.updateGLVolume();
    this.shownAt.window = performance.now();
  }

  /** Shows a label map (the CT's voxel order) in the colours of `info`, each label's alpha from `legend`. */
  showLabels(labels: Uint8Array, info: LabelInfo[], legend: Record<number, LabelView>): void {
    this.labelInfo = info;
    this.loadLabelMap(labels, 'labels');
    this.labelsShown = true;
    this.setDrawColours(labelColormap(info, legend));
    this.shownAt.labels = performance.now();
  }

  clearLabels(): void {
    if (!this.labelsShown) return;
    this.labelsShown = false;
    this.nv.closeDrawing();
  }

  updateLegend(legend: Record<number, LabelView>): void {
    if (this.labelsShown) this.setDrawColours(labelColormap(this.labelInfo, legend));
  }

  showHeat(heat: Float32Array): void {
    if (!this.ct) return;
    const img = imageLike(this.ct, heat, 'attention');
    img.colormap = 'cool';
    img.opacity = 0.7;
    img.cal_min = 0.05;
    img.cal_max = 1;
    if (this.heat) this.nv.volumes = this.nv.volumes.filter((v) => v !== this.heat);
    this.heat = img;
    this.nv.addVolume(img);
    if (this.labelsShown && this.drawColours) this.setDrawColours(this.drawColours);
  }

  clearHeat(): void {
    if (!this.heat) return;
    this.nv.removeVolume(this.heat);
    this.heat = null;
    if (this.labelsShown && this.drawColours) this.setDrawColours(this.drawColours);
  }

  /**
   * Label correction with NiiVue's drawing tools: the label map is already the drawing layer; it is
   * reloaded (the disagreement map may be shown), every label drawn opaque, and dragging over a 2-D
   * view paints with the pen. Each stroke is then held to the rules (HU range, protected labels).
   */
  startEditing(labels: Uint8Array, info: LabelInfo[], pen: EditPen, rules: StrokeRules = noRules): void {
    this.labelInfo = info;
    this.loadLabelMap(labels, 'edit');
    this.labelsShown = true;
    this.setDrawColours(labelColormap(info, Object.fromEntries(info.map((l) => [l.id, { visible: true, opacity: 1 }]))));
    this.nv.setDrawingEnabled(true);
    this.setPen(pen);
    this.rules = rules;
    this.editBase = this.nv.drawBitmap!.slice();
    this.drawnSlices = new Map();
    this.edited({ undo: 0, redo: 0, protectedVoxels: 0 });
  }

  /** Pen: a label id (0 erases), whether a closed stroke is filled, and the brush width in voxels. */
  setPen(pen: EditPen): void {
    this.nv.opts.penSize = pen.size;
    this.nv.setPenValue(pen.label, pen.fill);
    this.penLabel = pen.label;
  }

  /** What a stroke may change: voxels in an HU range only, labels no stroke may touch. */
  setEditRules(rules: StrokeRules): void {
    this.rules = rules;
  }

  /** The pen as NiiVue holds it, for tests. */
  penState(): { label: number; fill: boolean; size: number } {
    return { label: this.nv.opts.penValue, fill: this.nv.opts.isFilledPen, size: this.nv.opts.penSize };
  }

  private drawDims(): Dims {
    const d = this.nv.back!.dims!;
    return [d[1], d[2], d[3]];
  }

  /** The CT value under each voxel of the drawing's grid. */
  private huAt(): (i: number) => number {
    const ct = this.ct!;
    const toNative = rasToNative(this.drawDims(), ct.img2RASstart!, ct.img2RASstep!);
    const data = ct.img as Float32Array;
    return (i) => data[toNative(i)];
  }

  private edited(h: EditHistory): void {
    this.history = h;
    this.onEdited?.(h);
  }

  /** NiiVue painted a stroke (and stored it for undo): the rules put protected voxels back, the undo entry is rewritten to match. */
  private strokeDone(): void {
    const nv = this.nv;
    const now = nv.drawBitmap!;
    const out = applyStrokeRules(this.editBase!, now, this.drawDims(), this.rules, this.huAt());
    if (out.reverted > 0) {
      // NiiVue's undo entry for this stroke holds the stroke as painted: it is replaced by the stroke as kept.
      nv.currentDrawUndoBitmap = (nv.currentDrawUndoBitmap - 1 + nv.opts.maxDrawUndoBitmaps) % nv.opts.maxDrawUndoBitmaps;
      nv.drawAddUndoBitmap();
      nv.refreshDrawing(true);
    }
    if (out.slice && this.penLabel !== 0) this.drawnSlices.set(this.penLabel, [...(this.drawnSlices.get(this.penLabel) ?? []), out.slice]);
    this.editBase!.set(now);
    this.newEdit(out.reverted);
  }

  /** A new edit (a stroke, a fill) is on NiiVue's undo ring: one more undo step (the ring holds at most its size less one), no redo. */
  private newEdit(protectedVoxels: number): void {
    this.edited({ undo: Math.min(this.history.undo + 1, this.nv.opts.maxDrawUndoBitmaps - 1), redo: 0, protectedVoxels });
  }

  undoEdit(): void {
    if (this.history.undo === 0 || !this.editBase) return;
    this.nv.drawUndo();
    this.editBase.set(this.nv.drawBitmap!);
    this.edited({ undo: this.history.undo - 1, redo: this.history.redo + 1, protectedVoxels: 0 });
  }

  /** Redoes an undone edit: NiiVue keeps every edit's drawing in a ring, and steps back from the one after it. */
  redoEdit(): void {
    if (this.history.redo === 0 || !this.editBase) return;
    const nv = this.nv;
    const n = nv.drawUndoBitmaps.length;
    nv.currentDrawUndoBitmap = (nv.currentDrawUndoBitmap + 2) % n;
    nv.drawUndo();
    this.editBase.set(nv.drawBitmap!);
    this.edited({ undo: this.history.undo + 1, redo: this.history.redo - 1, protectedVoxels: 0 });
  }

  /**
   * Fills `label` between the slices it was drawn on in this correction (along the axis most of them
   * share), under the same rules as a stroke; one undoable edit. Returns the voxels changed and the
   * slices used (fewer than two: nothing to fill).
   */
  fillBetweenSlices(label: number): { changed: number; slices: number[] } {
    const drawn = this.drawnSlices.get(label) ?? [];
    const axis = ([2, 1, 0] as const).reduce((best, a) => (drawn.filter((k) => k.axis === a).length > drawn.filter((k) => k.axis === best).length ? a : best), 2 as 0 | 1 | 2);
    const slices = [...new Set(drawn.filter((k) => k.axis === axis).map((k) => k.index))].sort((a, b) => a - b);
    if (slices.length < 2 || !this.editBase) return { changed: 0, slices };
    const nv = this.nv;
    const hu = this.huAt();
    const changed = fillBetweenSlices(nv.drawBitmap!, this.drawDims(), axis, slices, label, (i, cur) => mayChange(this.rules, cur, hu(i)));
    if (changed > 0) {
      nv.drawAddUndoBitmap();
      nv.refreshDrawing(true);
      this.editBase.set(nv.drawBitmap!);
      this.newEdit(0);
    }
    return { changed, slices };
  }

  /** The correction in progress, to store (null when not correcting). */
  editSnapshot(): EditSnapshot | null {
    const nv = this.nv;
    if (!this.editBase || !nv.drawBitmap) return null;
    return {
      drawing: nv.drawBitmap.slice(),
      undo: nv.drawUndoBitmaps.map((b) => b.slice()),
      current: nv.currentDrawUndoBitmap,
      history: { ...this.history },
      drawnSlices: [...this.drawnSlices].map(([label, keys]) => [label, keys.map((k) => ({ ...k }))]),
    };
  }

  /** Puts a stored correction back on a correction just started on the same labels: the drawing, its undo ring and history. */
  restoreEdit(snap: EditSnapshot): void {
    const nv = this.nv;
    if (!this.editBase || !nv.drawBitmap) throw new Error('restoring a correction: the viewer is not correcting');
    if (snap.drawing.length !== nv.drawBitmap.length) throw new Error(`restoring a correction: ${snap.drawing.length} voxels stored, the drawing has ${nv.drawBitmap.length}`);
    nv.drawBitmap.set(snap.drawing);
    nv.drawUndoBitmaps = snap.undo.map((b) => b.slice());
    nv.currentDrawUndoBitmap = snap.current;
    nv.refreshDrawing(true);
    this.editBase.set(snap.drawing);
    this.drawnSlices = new Map(snap.drawnSlices.map(([label, keys]) => [label, keys.map((k) => ({ ...k }))]));
    this.edited({ ...snap.history });
  }

  /** The drawing as a label map in the volume's own voxel order (NiiVue writes it back to native space). */
  async editedLabels(): Promise<Uint8Array> {
    const bytes = await this.nv.saveImage({ filename: '', isSaveDrawing: true, volumeByIndex: 0 });
    if (!(bytes instanceof Uint8Array)) throw new Error('label correction: NiiVue returned no drawing');
    return labelIds(readNifti(bytes, 'drawing.nii').data, 'the corrected labels');
  }

  /** Ends painting; the caller shows the labels to keep (the saved correction, or the labels from before). */
  stopEditing(): void {
    this.nv.setDrawingEnabled(false);
    this.editBase = null;
  }

  /** NiiVue's display convention and tile sizing, for tests. */
  displayOptions(): { radiological: boolean; thinSlabLayout: boolean; render3d: boolean; softwareRenderer: boolean; layout: ViewLayout; sliceType: number; multiplanarLayout: number } {
    return {
      layout: this.layout,
      sliceType: this.nv.opts.sliceType,
      multiplanarLayout: this.nv.opts.multiplanarLayout,
      radiological: this.nv.opts.isRadiologicalConvention,
      thinSlabLayout: this.thin && this.nv.opts.multiplanarLayout === MULTIPLANAR_TYPE.COLUMN,
      render3d: this.nv.opts.multiplanarShowRender === SHOW_RENDER.ALWAYS,
      softwareRenderer: this.softwareRenderer(),
    };
  }

  /** Names in the label overlay's colour table (empty without an overlay), for tests. */
  overlayLabelNames(): string[] {
    return this.labelsShown ? this.labelInfo.map((l) => l.name) : [];
  }

  /** How many layers are shown (CT, labels, heat), for tests. */
  layerCount(): number {
    return this.nv.volumes.length + (this.labelsShown ? 1 : 0);
  }
}
