/**
 * The windowed-transformer family with every official switch, built at the official configuration,
 * against the official networks layer for layer (test/model/officialSpec.ts, written from the official
 * code): every convolution's kernel, stride, channels, bias and surrounding norms in order; the outputs;
 * the parameters per module and in total. Only the graph is built: no session, no weights.
 *
 * A difference is allowed only when it is one of ALLOWED below and docs/FIDELITY.md lists its id in the
 * table of structural differences; anything else fails.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Graph, numel } from '../../src/graph';
import { OFFICIAL_SWITCHES, type FineConfig, buildModel, deepTargetShapes, makeFineConfig, networkDef, zyx } from '../../src/model';
import { graphConvs } from './graphLayers';
import {
  CROP, DEPTH, HEADS, PATCH, STAGES, VT_CELLS, WINDOW, type ConvSpec, type Setting, type Variant,
  attention, decoderPeRows, encoderPeRows, merging, mlp, officialConvs, officialOutputs, officialParams,
} from './officialSpec';

interface Allowed {
  id: string;
  variants: Variant[];
  /** Our parameters minus the official ones, per module. */
  params: (st: Setting) => Record<string, number>;
  /** Official convolutions we do not build. */
  drops?: (c: ConvSpec) => boolean;
}

const perStage = (f: (d: number, s: number, where: 'enc' | 'dec') => number): (st: Setting) => Record<string, number> => (st) => {
  const m: Record<string, number> = {};
  for (let s = 0; s < STAGES; s++) m[`enc${s}`] = f(st.embed * 2 ** s, s, 'enc');
  for (let s = 0; s < STAGES - 1; s++) m[`dec${s}`] = f(st.embed * 2 ** s, s, 'dec');
  return m;
};

/** Every difference docs/FIDELITY.md states, with its size. */
const ALLOWED: Allowed[] = [
  // Ours: normw, norm2w and mlpw per block for the window tokens; official: the patch tokens' norm2 and mlp (F:423-424, G:386-387).
  { id: 'window-token-norm-mlp', variants: ['glam', 'fine'], params: perStage((d) => DEPTH * (4 * d + mlp(d))) },
  // Official vt_attn per block (F:343-345) whose output never reaches the logits; not built.
  { id: 'inert-volume-attention', variants: ['fine'], params: perStage((d) => -DEPTH * attention(d)) },
  // GLAM's pe (G:574, 706) is created, never read (G:398).
  { id: 'glam-unused-pe', variants: ['glam'], params: perStage((d, s, w) => -d * (w === 'enc' ? encoderPeRows(s) : decoderPeRows(s))) },
  // model_down.norm0-3 on the skips and the bottleneck (F:1024-1028, 1073-1075); not built.
  { id: 'skip-layernorm', variants: ['nnformer', 'glam', 'fine'], params: (st) => Object.fromEntries(HEADS.map((_, s) => [`norm${s}`, -2 * st.embed * 2 ** s])) },
  // The last stage's PatchMerging (F:1016), whose output is never read (F:1072).
  { id: 'last-merging', variants: ['nnformer', 'glam', 'fine'], params: (st) => ({ [`enc${STAGES - 1}`]: -merging(st.embed * 2 ** (STAGES - 1)) }), drops: (c) => !c.used && c.module.startsWith('enc') },
  // final[2] (F:1241-1242) is computed and dropped by the zip (F:1355-1357).
  { id: 'unused-heads', variants: ['nnformer', 'glam', 'fine'], params: (st) => ({ ds2: -(st.embed * 4 * st.classes * 64 + st.classes) }), drops: (c) => !c.used && c.module.startsWith('ds') },
  // vt_check (F:1245-1246): a counter, ours the vt_seen input.
  { id: 'vt-check', variants: ['fine'], params: () => ({ vt_check: -VT_CELLS }) },
];

/** Official FINE at C = 24 per module, from officialParams (cited there): 3,743,878 in all. */
const FINE_24: Record<string, number> = {
  stem: 27_756, enc0: 50_172, norm0: 48, enc1: 143_352, norm1: 96, enc2: 539_376, norm2: 192, enc3: 2_109_600, norm3: 384,
  dec0: 50_196, dec1: 143_400, dec2: 539_472, head: 10_766, ds1: 43_022, ds2: 86_030, vt_check: 16,
};

const sum = (m: Record<string, number>): number => Object.values(m).reduce((a, b) => a + b, 0);

/** The paper preset with every official switch; the volume-token grid of BCV, 4 x 4 cells (VT_CELLS). */
function ourConfig(st: Setting, over: Record<string, unknown> = {}): FineConfig {
  return makeFineConfig('paper', { variant: st.variant, ...OFFICIAL_SWITCHES, embedDim: st.embed, classes: st.classes, volumeCells: [4, 4], ...over });
}

function moduleOf(name: string): string {
  const m = /^(stem|head|enc\d+|merge\d+|dec\d+|expand\d+|ds\d+)\./.exec(name);
  if (!m) throw new Error(`parameter ${name} belongs to no official module`);
  return m[1].replace(/^merge/, 'enc').replace(/^expand/, 'dec');
}

/** What differs from the official network beyond ALLOWED: empty when the two match. */
function differences(st: Setting, over: Record<string, unknown> = {}): Record<string, unknown> {
  const cfg = ourConfig(st, over);
  const def = networkDef(cfg.variant);
  const g = new Graph('official-check');
  const net = def.build(g, cfg, def.inputs(g, cfg), 'infer');
  const allowed = ALLOWED.filter((a) => a.variants.includes(st.variant));
  const ours: Record<string, number> = {};
  for (const p of g.params.values()) ours[moduleOf(p.value.name)] = (ours[moduleOf(p.value.name)] ?? 0) + numel(p.value.shape);
  const official = officialParams(st);
  const explained: Record<string, number> = {};
  for (const a of allowed) for (const [m, n] of Object.entries(a.params(st))) explained[m] = (explained[m] ?? 0) + n;
  const params: Record<string, number> = {};
  for (const m of new Set([...Object.keys(ours), ...Object.keys(official), ...Object.keys(explained)])) {
    const left = (ours[m] ?? 0) - (official[m] ?? 0) - (explained[m] ?? 0);
    if (left !== 0) params[m] = left;
  }
  const shown = (c: Omit<ConvSpec, 'used'>): unknown => ({ module: c.module, kind: c.kind, k: c.k, s: c.s, in: c.in, out: c.out, bias: c.bias, pre: c.pre, post: c.post });
  const ourConvs = graphConvs(g).map((c) => shown({ ...c, module: moduleOf(c.params[0]) }));
  const theirs = officialConvs(st).filter((c) => !allowed.some((a) => a.drops?.(c))).map(shown);
  const outputs = [net.logits, ...net.deep].map((v) => [...v.shape]);
  const out: Record<string, unknown> = {};
  if (Object.keys(params).length) out.params = params;
  if (JSON.stringify(ourConvs) !== JSON.stringify(theirs)) out.convs = { ours: ourConvs, official: theirs };
  if (JSON.stringify(outputs) !== JSON.stringify(officialOutputs(st))) out.outputs = { ours: outputs, official: officialOutputs(st) };
  return out;
}

describe('official switches against the official networks (themyrl/fine @ 81039c2)', () => {
  it('the paper preset is the official configuration', () => {
    const cfg = ourConfig({ variant: 'fine', embed: 192, classes: 14 });
    expect(zyx(cfg.patch)).toEqual(CROP);
    expect(zyx(cfg.stemStride)).toEqual(PATCH);
    expect([cfg.depths, cfg.heads, cfg.window, cfg.mlpRatio, cfg.windowTokens]).toEqual([[2, 2, 2, 2], HEADS, [WINDOW, WINDOW, WINDOW], 4, 1]);
    expect(cfg.volumeCells[0] * cfg.volumeCells[1] * cfg.tokensPerCell).toBe(VT_CELLS);
  });

  it('official FINE at C = 24 has 3.7 M parameters, per module as derived from the code', () => {
    const p = officialParams({ variant: 'fine', embed: 24, classes: 14 });
    expect(p).toEqual(FINE_24);
    expect(sum(p)).toBe(3_743_878);
  });

  for (const variant of ['nnformer', 'glam', 'fine'] as const) {
    for (const embed of [24, 192]) {
      it(`${variant}, C = ${embed}: layer for layer the official network, up to the documented differences`, () => {
        expect(differences({ variant, embed, classes: 14 })).toEqual({});
      });
    }
  }

  it('any project switch left on is a difference the check reports', () => {
    const st: Setting = { variant: 'fine', embed: 24, classes: 14 };
    for (const over of [{ stem: 'two-conv' }, { head: 'image-branch' }, { merge: 'linear' }, { windowTokenInit: 'per-window' }, { volumeAttention: 'active' }, { gmsa: 'residual' }]) {
      expect(Object.keys(differences(st, over)), JSON.stringify(over)).not.toEqual([]);
    }
  });

  it('the official deep-supervision head trains at (1, 1/2, 1/2) of the crop; it needs an even stem stride', () => {
    const cfg = makeFineConfig('small', { ...OFFICIAL_SWITCHES });
    const [z, y, x] = zyx(cfg.patch);
    expect(deepTargetShapes(cfg)).toEqual([[1, cfg.classes, z, y / 2, x / 2]]);
    expect(buildModel(cfg, 'train').loss?.shape).toEqual([]);
    expect(deepTargetShapes(makeFineConfig('tiny', { ...OFFICIAL_SWITCHES }))).toEqual([]);
    expect(() => makeFineConfig('small', { ...OFFICIAL_SWITCHES, stemStride: [4, 4, 1] })).toThrow(/must be even on every axis for the official deep-supervision head/);
  });

  it('docs/FIDELITY.md lists exactly the allowed differences', () => {
    const doc = readFileSync(new URL('../../docs/FIDELITY.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('### Structural differences'), doc.indexOf('\n## ', doc.indexOf('### Structural differences')));
    const ids = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(ids.sort()).toEqual(ALLOWED.map((a) => a.id).sort());
  });
});
