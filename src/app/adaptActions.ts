/**
 * Learning from corrections, the page's side: "Teach the model" sends the corrected labels and the
 * model's own labels to the worker, shows its progress, keeps a checkpoint in IndexedDB so a reload
 * resumes where it stopped, and offers the outcome (held-out Dice before and after) to keep or discard.
 * Kept models live in the browser's private file system (userModels.ts), are listed with the shipped
 * ones, can be downloaded, and come back by dropping their files on the page.
 */
import { checkModelName, type ModelFiles, renamedModel } from '../infer/adapt/adaptedModel';
import { type AdaptCheckpoint, type AdaptSettings, adaptSettings } from '../infer/adapt/loop';
import { parseModelCard, sha256Hex } from '../infer/contract/cardCheck';
import { errorText } from '../util/errorText';
import type { DroppedFile } from './dicomClient';
import { save } from './download';
import type { KeyValue } from './session/kv';
import {
  type WorkbenchStore, adaptClosed, adaptFinished, adaptResumed, adaptPhased, adaptStarted, adaptStepped, adaptStopped, failed, selectedCard, userModelAdded, userModelRemoved, userModelsListed, warningsAdded,
} from './state';
import { isUserModel, listUserModels, removeUserModel, saveUserModel, userCardUrl, userModelFiles } from './userModels';
import type { WorkerClient } from './workerClient';

const CHECKPOINT_KEY = 'adapt-checkpoint';

interface StoredCheckpoint {
  /** What the checkpoint belongs to: the model, the corrections and the settings. */
  key: string;
  checkpoint: AdaptCheckpoint;
}

export interface AdaptEnv {
  volumeId(): number;
  threads(): number;
  ortBuild(): 'webgpu' | undefined;
}

/** Files dropped on the page that are a model: one card (.json) and its .onnx files. */
export function isModelDrop(files: DroppedFile[]): boolean {
  return files.some((f) => /\.json$/i.test(f.name)) && files.some((f) => /\.onnx$/i.test(f.name)) && files.every((f) => /\.(json|onnx)$/i.test(f.name));
}

export class AdaptActions {
  constructor(
    private readonly s: WorkbenchStore,
    private readonly worker: WorkerClient,
    private readonly env: AdaptEnv,
    private readonly kv: KeyValue,
  ) {}

  /** The settings of the next adaptation of the result's model. */
  private settings(): AdaptSettings {
    const st = this.s.getState();
    const ad = selectedCard(st)?.card.adaptation;
    if (!ad) throw new Error('This model has no training graph to adapt it with');
    return adaptSettings(ad.optimizer, { steps: st.adaptSteps ?? undefined });
  }

  /** Teaches the model that made the labels the corrections made to them. */
  async teach(name?: string): Promise<void> {
    const st = this.s.getState();
    try {
      if (st.adaptRun) return;
      if (!st.volume || !st.labels) throw new Error('Segment the scan and correct its labels first');
      if (!st.modelLabels) throw new Error('These labels were not made by a model here, so there is nothing to learn from: segment the scan, correct the result, then teach');
      if (st.editing) throw new Error('Save the correction first (Save corrections), then teach the model');
      const entry = st.models.find((m) => m.card.name === st.resultModel);
      if (!entry) throw new Error(`${st.resultModel ?? 'the model'} is no longer listed`);
      if (st.selectedModel !== entry.card.name) throw new Error(`The result is ${entry.card.name}'s; choose it in the model list to teach it`);
      if (!entry.card.adaptation) throw new Error(`${entry.card.name} has no training graph; adapt a shipped model (your own models start from theirs)`);
      let changed = 0;
      for (let i = 0; i < st.labels.length; i++) if (st.labels[i] !== st.modelLabels[i]) changed++;
      if (changed === 0) throw new Error('Nothing was corrected: correct the labels where the model is wrong, then teach it');
      const settings = this.settings();
      const adaptedName = checkModelName(name ?? `${entry.card.name}-adapted-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}`);
      // Running from here on (a second click finds adaptRun set), before the hashes and the lookup.
      adaptStarted(this.s, settings.steps, 0);
      // Steps are not part of the key: a run given more steps continues from a checkpoint of fewer.
      const { steps: _steps, ...rest } = settings;
      const key = JSON.stringify([entry.card.onnx.sha256, await sha256Hex(st.labels), await sha256Hex(st.modelLabels), rest]);
      const stored = await this.kv.get<StoredCheckpoint>(CHECKPOINT_KEY).catch(() => undefined);
      // A checkpoint at the last step resumes too: the run then only scores and builds the model.
      const resume = stored?.key === key && stored.checkpoint.step <= settings.steps ? stored.checkpoint : undefined;
      if (resume) adaptResumed(this.s, resume.step);
      const done = await this.worker.adapt(
        {
          volumeId: this.env.volumeId(), card: entry.card, cardUrl: entry.url, provider: st.backend, threads: this.env.threads(), ortBuild: this.env.ortBuild(),
          corrected: st.labels.slice(), model: st.modelLabels.slice(), settings, name: adaptedName, resume,
        },
        {
          phase: (p) => adaptPhased(this.s, p),
          step: (r) => adaptStepped(this.s, r.step, r.loss, r.etaSeconds),
          checkpoint: (c) => void this.kv.put(CHECKPOINT_KEY, { key, checkpoint: c } satisfies StoredCheckpoint).catch(() => undefined),
        },
      );
      await this.kv.del(CHECKPOINT_KEY).catch(() => undefined);
      adaptFinished(this.s, { ...done, scan: st.volume.name });
    } catch (e) {
      const cancelled = (e as { cancelled?: boolean }).cancelled === true;
      adaptStopped(this.s, cancelled ? `Stopped: ${errorText(e)}. Teach again to resume from the last checkpoint.` : `Teaching the model failed: ${errorText(e)}`);
    }
  }

  cancel(): void {
    if (this.s.getState().adaptRun) this.worker.send({ type: 'cancel' });
  }

  /** Keeps the adapted model in this browser (under `name`, default the one it was made with) and chooses it. */
  async keep(name?: string): Promise<void> {
    const out = this.s.getState().adaptOutcome;
    if (!out) return;
    try {
      const files = name && name !== out.files.card.name ? renamedModel(out.files, name) : out.files;
      await this.add(files);
      adaptClosed(this.s, `Kept as ${files.card.name}, chosen for the next run; it stays in this browser (download it to keep a copy)`);
    } catch (e) {
      failed(this.s, `Keeping the adapted model: ${errorText(e)}`);
    }
  }

  discard(): void {
    adaptClosed(this.s, 'The adapted model was discarded');
  }

  private async add(files: ModelFiles): Promise<void> {
    const same = this.s.getState().models.find((m) => m.card.name === files.card.name);
    if (same && !isUserModel(same.url)) throw new Error(`${files.card.name} is the name of a shipped model; rename the files and the card's name`);
    if (same) throw new Error(`you already have a model named ${files.card.name}; remove it first or choose another name`);
    const card = await saveUserModel(files);
    userModelAdded(this.s, { url: userCardUrl(card.name), card });
  }

  /** Lists the models kept in this browser after the shipped ones. */
  async loadUserModels(): Promise<void> {
    const { cards, problems } = await listUserModels();
    userModelsListed(this.s, cards.map((card) => ({ url: userCardUrl(card.name), card })));
    if (problems.length) warningsAdded(this.s, problems.map((p) => `A model kept in this browser could not be read: ${p}`));
  }

  /** Downloads a kept model: its card and .onnx files, to share or load again by dropping them. */
  async download(name: string): Promise<void> {
    const entry = this.s.getState().models.find((m) => m.card.name === name);
    if (!entry) return;
    try {
      const files = await userModelFiles(entry.card);
      save(files.onnx, entry.card.onnx.file, 'application/octet-stream');
      if (files.attention && entry.card.attention) save(files.attention, entry.card.attention.file, 'application/octet-stream');
      save(`${JSON.stringify(entry.card, null, 2)}\n`, `${entry.card.name}.json`, 'application/json');
    } catch (e) {
      failed(this.s, `Downloading ${name}: ${errorText(e)}`);
    }
  }

  async remove(name: string): Promise<void> {
    const entry = this.s.getState().models.find((m) => m.card.name === name);
    if (!entry || !isUserModel(entry.url)) return;
    try {
      await removeUserModel(entry.card);
      userModelRemoved(this.s, name);
    } catch (e) {
      failed(this.s, `Removing ${name}: ${errorText(e)}`);
    }
  }

  /** A dropped model (card + .onnx files): checked by the card check and kept, or refused in one line. */
  async importModel(files: DroppedFile[]): Promise<void> {
    try {
      const cards = files.filter((f) => /\.json$/i.test(f.name));
      if (cards.length !== 1) throw new Error(`drop one model card (.json) with its .onnx files; ${cards.length} cards were dropped`);
      const card = parseModelCard(JSON.parse(await cards[0].file.text()), cards[0].file.name);
      const bytesOf = async (file: string | undefined) => {
        if (!file) return undefined;
        const f = files.find((d) => d.file.name === file);
        if (!f) throw new Error(`${cards[0].file.name} names ${file}, which was not dropped with it`);
        return new Uint8Array(await f.file.arrayBuffer());
      };
      await this.add({ card, onnx: (await bytesOf(card.onnx.file))!, attention: await bytesOf(card.attention?.file) });
      adaptClosed(this.s, `Added ${card.name} to your models in this browser; it is chosen for the next run`);
    } catch (e) {
      failed(this.s, `Model not added: ${errorText(e)}`);
    }
  }
}
