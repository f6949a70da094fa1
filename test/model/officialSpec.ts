/**
 * The official networks of themyrl/fine @ 81039c26d1d39ca89b7d20be382daf4cb35de7a4 in the SYNAPSE setting,
 * as far as they can be stated without running them: parameters per module, the convolutions in forward
 * order, and the outputs. Every number comes from the line cited next to it. Paths are shortened as in
 * docs/FIDELITY.md: F, G, N = fine.py, glam.py, nnformer.py under fine_package/fine/network_architecture/;
 * T = fine_package/fine/training/network_training/nnUNetTrainerV2_fine.py.
 *
 * Module names: `stem` = patch_embed; `enc<s>` = model_down.layers[s] with its downsample; `norm<s>` =
 * model_down.norm<s>; `dec<s>` = encoder.layers[s] (decoder stage s, C 2^s channels) with its Upsample;
 * `head` = final[0]; `ds<i>` = final[i]; `vt_check` (FINE only).
 */
export type Variant = 'nnformer' | 'glam' | 'fine';
export type Zyx = [number, number, number];

export interface Setting {
  variant: Variant;
  /** embed_dim C (F:1201 has 192; the smaller widths keep every other number). */
  embed: number;
  classes: number;
}

/** F:1197-1205 (G:1136-1141, N:918-923): crop, heads, depths 2-2-2-2, patch (2,4,4), windows 4. */
export const CROP: Zyx = [64, 128, 128];
export const PATCH: Zyx = [2, 4, 4];
export const HEADS = [6, 12, 24, 48];
export const STAGES = 4;
export const DEPTH = 2;
export const WINDOW = 4;
/** Volume-token grid vt_map[1] x vt_map[2] (F:602): int(max size / crop) per axis (T:163-167), 512 / 128 = 4 for BCV. */
export const VT_CELLS = 16;
/** Token grid per axis at stage s: 64/2 = 128/4 = 32 (F:1002-1004), halved per stage. */
export const grid = (s: number): number => 32 / 2 ** s;

const ln = (d: number): number => 2 * d; // nn.LayerNorm: weight and bias
const lin = (i: number, o: number): number => i * o + o; // nn.Linear with bias (qkv_bias=True, F:953)
const conv = (i: number, o: number, kVolume: number): number => i * o * kVolume + o; // Conv3d / ConvTranspose3d with bias
export const attention = (d: number): number => lin(d, 3 * d) + lin(d, d); // qkv and proj (F:117-119, 231-233)
export const mlp = (d: number): number => lin(d, 4 * d) + lin(4 * d, d); // F:40-49, mlp_ratio 4 (F:952)
const relTable = (h: number): number => (2 * WINDOW - 1) ** 3 * h; // F:208-210; stage 3 clamps the window to 4 (F:324-327)
/** PatchMerging: LayerNorm(d) and Conv3d(d, 2d, k2 s2) (F:505-509). */
export const merging = (d: number): number => ln(d) + conv(d, 2 * d, 8);
/** Patch_Expanding(2d): LayerNorm(2d) and ConvTranspose3d(2d, d, k2 s2) (F:531-535). */
const expanding = (d: number): number => ln(2 * d) + conv(2 * d, d, 8);

/** One SwinTransformerBlock of dimension d and h heads. */
function block(v: Variant, d: number, h: number): number {
  const base = ln(d) + attention(d) + relTable(h) + ln(d) + mlp(d); // norm1, attn, norm2, mlp (N:198-206, F:330-338)
  if (v === 'glam') return base + mlp(d) + ln(d) + ln(d) + attention(d); // mlp2, norm3, norm4, gt_attn (G:316-321)
  if (v === 'fine') return base + attention(d) + attention(d); // gt_attn, vt_attn (F:340-345)
  return base;
}

/** Stage parameters besides the blocks: global token, volume tokens and the G-MSA position embedding. */
function tokens(v: Variant, d: number, peRows: number): number {
  if (v === 'glam') return d + peRows * d; // global_token (G:532, 678), pe (G:574, 706)
  if (v === 'fine') return d + VT_CELLS * d + peRows * d; // global_token (F:598, 733), volume_token (F:602, 737), pe (F:632, 764)
  return 0;
}

/** Rows of the encoder's pe: (resolution / window)^3 (F:627-629; G:560-572 clamps the window as the blocks do). */
export const encoderPeRows = (s: number): number => (grid(s) / Math.min(WINDOW, grid(s))) ** 3;
/** Rows of the decoder's pe: ((32 // window) // 2^id_layer)^3, id_layer = s (F:763, G:705). */
export const decoderPeRows = (s: number): number => (Math.floor(32 / WINDOW) / 2 ** s) ** 3;

/** Parameters per module, as `sum(p.nelement() for p in network.parameters())` counts them (T:177). */
export function officialParams(st: Setting): Record<string, number> {
  const c = st.embed, v = st.variant;
  const m: Record<string, number> = {};
  // PatchEmbed (F:852-888): project(1, C/2, last=False) = 2 convs k3 + norm1 + norm2; project(C/2, C, last=True)
  // = 2 convs k3 + norm1 (F:818-828); the patch norm (F:885-886, patch_norm=True F:960).
  m.stem = conv(1, c / 2, 27) + conv(c / 2, c / 2, 27) + 2 * ln(c / 2) + conv(c / 2, c, 27) + conv(c, c, 27) + ln(c) + ln(c);
  for (let s = 0; s < STAGES; s++) {
    const d = c * 2 ** s;
    // BasicLayer with downsample=PatchMerging on every stage, the last included (F:1000-1017, 636-637).
    m[`enc${s}`] = tokens(v, d, encoderPeRows(s)) + DEPTH * block(v, d, HEADS[s]) + merging(d);
    m[`norm${s}`] = ln(d); // out_indices (0, 1, 2, 3) (F:961, 1024-1028)
  }
  for (let s = 0; s < STAGES - 1; s++) {
    const d = c * 2 ** s;
    // BasicLayer_up: heads [24, 12, 6] for stages 2, 1, 0 (F:1236), Upsample = Patch_Expanding(2d) (F:769).
    m[`dec${s}`] = tokens(v, d, decoderPeRows(s)) + DEPTH * block(v, d, HEADS[s]) + expanding(d);
  }
  m.head = conv(c, st.classes, PATCH[0] * PATCH[1] * PATCH[2]); // final[0], k = s = patch (F:1240, 1166-1169)
  for (let i = 1; i < STAGES - 1; i++) m[`ds${i}`] = conv(c * 2 ** i, st.classes, 64); // final[i], k = s = 4 (F:1241-1242)
  if (v === 'fine') m.vt_check = VT_CELLS; // nn.Parameter(zeros(16, 1)), requires_grad False but in parameters() (F:1245-1246)
  return m;
}

/** A convolution or transposed convolution (kernel = stride for those), with what comes just before and after. */
export interface ConvSpec {
  kind: 'conv' | 'convT';
  k: Zyx;
  s: Zyx;
  in: number;
  out: number;
  bias: boolean;
  /** Activations and norms applied to its input, outermost last ('gelu', 'norm'). */
  pre: string[];
  /** Activations and norms applied to its output before the next layer or a branch. */
  post: string[];
  /** Whose output reaches the logits: the last merging and final[2] are computed and dropped. */
  used: boolean;
  module: string;
}

const k3: Zyx = [3, 3, 3];
const one: Zyx = [1, 1, 1];
const two: Zyx = [2, 2, 2];

/** Every convolution in forward order (the official network is the same for nnFormer, GLAM and FINE here). */
export function officialConvs(st: Setting): ConvSpec[] {
  const c = st.embed;
  const g = ['gelu', 'norm'];
  // Patch (2,4,4): stride1 = (2,2,2), stride2 = (1,2,2) (F:870-876; N:595-596 writes them out).
  const stem: ConvSpec[] = [
    { kind: 'conv', k: k3, s: [2, 2, 2], in: 1, out: c / 2, bias: true, pre: [], post: g, used: true, module: 'stem' }, // proj1.conv1, act, norm1 (F:831-836)
    { kind: 'conv', k: k3, s: one, in: c / 2, out: c / 2, bias: true, pre: g, post: g, used: true, module: 'stem' }, // proj1.conv2, act, norm2 (F:840-846)
    { kind: 'conv', k: k3, s: [1, 2, 2], in: c / 2, out: c, bias: true, pre: g, post: g, used: true, module: 'stem' }, // proj2.conv1
    { kind: 'conv', k: k3, s: one, in: c, out: c, bias: true, pre: g, post: ['norm'], used: true, module: 'stem' }, // proj2.conv2 (last), patch norm (F:905-909)
  ];
  // PatchMerging: GELU, LayerNorm, Conv3d k2 s2 (F:523-526); the last stage's output is never read (F:1072).
  const merges: ConvSpec[] = Array.from({ length: STAGES }, (_, s) => ({
    kind: 'conv', k: two, s: two, in: c * 2 ** s, out: c * 2 ** (s + 1), bias: true, pre: g, post: [], used: s < STAGES - 1, module: `enc${s}`,
  }));
  // Patch_Expanding: LayerNorm, ConvTranspose3d k2 s2 (F:551-553), decoder stages 2, 1, 0 (F:1146-1151).
  const expands: ConvSpec[] = [2, 1, 0].map((s) => ({
    kind: 'convT', k: two, s: two, in: c * 2 ** (s + 1), out: c * 2 ** s, bias: true, pre: ['norm'], post: [], used: true, module: `dec${s}`,
  }));
  // final_patch_expanding: a bare ConvTranspose3d (F:1166-1175), in the order of the outputs (F:1355-1357).
  const heads: ConvSpec[] = [
    { kind: 'convT', k: PATCH, s: PATCH, in: c, out: st.classes, bias: true, pre: [], post: [], used: true, module: 'head' },
    ...Array.from({ length: STAGES - 2 }, (_, j): ConvSpec => ({
      kind: 'convT', k: [4, 4, 4], s: [4, 4, 4], in: c * 2 ** (j + 1), out: st.classes, bias: true, pre: [], post: [], used: j === 0, module: `ds${j + 1}`,
    })),
  ];
  return [...stem, ...merges, ...expands, ...heads];
}

/**
 * Outputs [B, classes, z, y, x] with deep supervision: seg_outputs are final[2], final[1], final[0] on
 * decoder stages 2, 1, 0 (F:1352-1353); the returned tuple is the last of them plus what `zip` with the one
 * upscale op keeps, final[1] on stage 1 (F:1224-1227, 1355-1357).
 */
export function officialOutputs(st: Setting): number[][] {
  return [[1, st.classes, ...CROP], [1, st.classes, ...CROP.map(() => grid(1) * 4)]];
}
