import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { AdaptActions, isModelDrop } from '../../src/app/adaptActions';
import type { AdaptDone, AdaptPhase } from '../../src/app/protocol';
import { memoryStore } from '../../src/app/session/kv';
import { createWorkbenchStore, labelsCorrected, segmentationDone, segmentationStarted, selectModel, setAdaptSteps, setModels, startEditing, volumeLoaded } from '../../src/app/state';
import type { AdaptListener, WorkerClient } from '../../src/app/workerClient';
import type { AdaptCheckpoint } from '../../src/infer/adapt/loop';
import { parseModelCard } from '../../src/infer/contract/cardCheck';
import { makeNiftiHeader } from '../../src/infer/io/nifti';

const card = parseModelCard(JSON.parse(readFileSync('models/fine-tiny.json', 'utf8')), 'fine-tiny.json');
const dims: [number, number, number] = [4, 3, 2];
const info = card.labels.map((l) => ({ id: l.id, name: l.name, color: [0, 0, 0] as [number, number, number] }));

type Req = Parameters<WorkerClient['adapt']>[0];

/** A worker that records the request and plays the given script of replies. */
function fakeWorker(script: (req: Req, on: AdaptListener) => Promise<AdaptDone>) {
  const sent: Req[] = [];
  return { sent, worker: { adapt: (req: Req, on: AdaptListener) => (sent.push(req), script(req, on)), send: () => undefined } as unknown as WorkerClient };
}

function segmented() {
  const s = createWorkbenchStore();
  setModels(s, [{ url: '/models/fine-tiny.json', card }]);
  volumeLoaded(s, 'ct.nii.gz', { dims, spacing: [3, 3, 3], data: new Float32Array(24), affine: [3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1], datatype: 16, header: makeNiftiHeader(dims, [3, 3, 3]), warnings: [] });
  selectModel(s, 'fine-tiny');
  segmentationStarted(s, 'fine-tiny');
  segmentationDone(s, new Uint8Array(24).fill(1), info, {});
  return s;
}

const env = { volumeId: () => 1, threads: () => 1, ortBuild: () => undefined };
const checkpoint = (step: number): AdaptCheckpoint => ({ step, params: new Map([['w', Float32Array.of(step)]]), optimizer: new Map(), losses: Array(step).fill(1) });
/** A worker that keeps a checkpoint of `step` steps and is then stopped. */
const stoppedAfter = (step: number, message: string) => fakeWorker(async (_req, on) => {
  on.checkpoint(checkpoint(step));
  await Promise.resolve();
  throw Object.assign(new Error(message), { cancelled: true });
});
const done = (files = { card, onnx: new Uint8Array(1) }): AdaptDone => ({ files, before: { mean: 0.2, organs: [] }, after: { mean: 0.5, organs: [] }, heldOutSlices: [3, 6], seconds: 1, trainSeconds: 0.5, steps: 5, provider: 'wasm' });

describe('Teach the model (the page side)', () => {
  it('refuses in one line: no result, no correction, a correction not saved, a model without a training graph', async () => {
    const cases: [string, (s: ReturnType<typeof segmented>) => void, RegExp][] = [
      ['nothing corrected', () => undefined, /Nothing was corrected/],
      ['editing', (s) => { labelsCorrected(s, Uint8Array.from({ length: 24 }, (_, i) => i % 2)); startEditing(s); }, /Save the correction first/],
      ['no training graph', (s) => { labelsCorrected(s, new Uint8Array(24)); s.setState({ models: [{ url: '/m.json', card: { ...card, adaptation: undefined } }] }); }, /has no training graph/],
      ['labels from a file', (s) => s.setState({ modelLabels: null }), /not made by a model here/],
    ];
    for (const [what, arrange, message] of cases) {
      const s = segmented();
      arrange(s);
      const w = fakeWorker(() => Promise.resolve(done()));
      await new AdaptActions(s, w.worker, env, memoryStore()).teach();
      expect(s.getState().adaptNote, what).toMatch(message);
      expect(w.sent, what).toEqual([]);
    }
  });

  it('sends both label maps and the card settings, reports progress, keeps checkpoints, and resumes from one after a stop', async () => {
    const s = segmented();
    const corrected = Uint8Array.from({ length: 24 }, (_, i) => (i < 6 ? 2 : 1));
    labelsCorrected(s, corrected);
    setAdaptSteps(s, 30);
    const kv = memoryStore();
    const phases: AdaptPhase[] = [];
    s.subscribe((st) => { if (st.adaptRun && phases[phases.length - 1] !== st.adaptRun.phase) phases.push(st.adaptRun.phase); });
    const stopAt20 = fakeWorker(async (_req, on) => {
      on.phase('training');
      on.step({ step: 10, steps: 30, loss: 0.9, etaSeconds: 4 });
      on.checkpoint(checkpoint(10));
      on.step({ step: 20, steps: 30, loss: 0.8, etaSeconds: 2 });
      on.checkpoint(checkpoint(20));
      await Promise.resolve();
      throw Object.assign(new Error('Adaptation stopped after 21 of 30 steps'), { cancelled: true });
    });
    const a = new AdaptActions(s, stopAt20.worker, env, kv);
    await a.teach('my-model');
    const req = stopAt20.sent[0];
    expect(req.settings).toMatchObject({ steps: 30, lr: card.adaptation!.optimizer.lr, anchor: card.adaptation!.optimizer.anchor, seed: 1, clip: 1 });
    expect(Array.from(req.corrected)).toEqual(Array.from(corrected));
    expect(Array.from(req.model)).toEqual(Array(24).fill(1));
    expect(req.resume).toBeUndefined();
    expect(req.name).toBe('my-model');
    expect(phases).toEqual(['preparing', 'training']);
    expect(s.getState().adaptNote).toMatch(/^Stopped: .* Teach again to resume/);
    await new Promise((r) => setTimeout(r, 0));

    const finish = fakeWorker(() => Promise.resolve(done()));
    await new AdaptActions(s, finish.worker, env, kv).teach('my-model');
    expect(finish.sent[0].resume?.step).toBe(20);
    expect(s.getState().adaptOutcome?.after.mean).toBe(0.5);
    expect(await kv.get('adapt-checkpoint')).toBeUndefined();

    // Stopped after its last step (while scoring): the next run resumes there and only scores.
    const stopAtEnd = stoppedAfter(30, 'Held-out scoring stopped');
    await new AdaptActions(s, stopAtEnd.worker, env, kv).teach('my-model');
    await new Promise((r) => setTimeout(r, 0));
    const atEnd = fakeWorker(() => Promise.resolve(done()));
    await new AdaptActions(s, atEnd.worker, env, kv).teach('my-model');
    expect(atEnd.sent[0].resume?.step).toBe(30);

    // A checkpoint of other corrections does not apply.
    const stop = stoppedAfter(10, 'stopped');
    await new AdaptActions(s, stop.worker, env, kv).teach('my-model');
    await new Promise((r) => setTimeout(r, 0));
    expect(((await kv.get('adapt-checkpoint')) as { checkpoint: AdaptCheckpoint }).checkpoint.step).toBe(10);
    labelsCorrected(s, Uint8Array.from({ length: 24 }, (_, i) => (i < 8 ? 2 : 1)));
    const fresh = fakeWorker(() => Promise.resolve(done()));
    await new AdaptActions(s, fresh.worker, env, kv).teach('my-model');
    expect(fresh.sent[0].resume).toBeUndefined();
  });

  it('a second click while the first is starting sends nothing more', async () => {
    const s = segmented();
    labelsCorrected(s, Uint8Array.from({ length: 24 }, (_, i) => (i < 6 ? 2 : 1)));
    let finish: (d: AdaptDone) => void = () => undefined;
    const w = fakeWorker(() => new Promise<AdaptDone>((r) => (finish = r)));
    const a = new AdaptActions(s, w.worker, env, memoryStore());
    const first = a.teach();
    const second = a.teach();
    await second;
    expect(s.getState().adaptRun).not.toBeNull();
    // The first click reaches the worker once its hashes and checkpoint lookup are done.
    await vi.waitFor(() => expect(w.sent.length).toBe(1));
    finish(done());
    await first;
    expect(w.sent.length).toBe(1);
    expect(s.getState().adaptRun).toBeNull();
    expect(s.getState().adaptOutcome?.scan).toBe('ct.nii.gz');
  });

  it('a model dropped is a card with its .onnx files, nothing else', () => {
    const f = (name: string) => ({ name, file: new File([], name) });
    expect(isModelDrop([f('m.json'), f('m.onnx'), f('m.attn.onnx')])).toBe(true);
    expect(isModelDrop([f('m.json')])).toBe(false);
    expect(isModelDrop([f('ct.nii.gz'), f('m.json'), f('m.onnx')])).toBe(false);
    expect(isModelDrop([f('a.dcm'), f('b.dcm')])).toBe(false);
  });
});
