/** Catalogue slice: the models, the chosen one, the backend it runs on and the inference switches. */
import type { ModelCard } from '../../infer/contract/modelCard';
import type { AdapterInfo, Backend } from '../backendChoice';
import { failed } from './run';
import type { WorkbenchState, WorkbenchStore } from './store';
import type { VolumeSource } from './volume';

export interface ModelEntry {
  /** URL of the card JSON. */
  url: string;
  card: ModelCard;
}

export interface CatalogueState {
  models: ModelEntry[];
  selectedModel: string | null;
  /** The model the bundled sample was made for (its manifest's `model`); selected while the sample is shown. */
  sampleModel: string | null;
  /** The user chose the model for this kind of volume: defaults no longer move it (until the source changes). */
  modelPicked: boolean;
  backend: Backend;
  /** Inference switches for the next run: left-right mirroring (null: the model card's default) and largest-component post-processing. */
  inference: { mirror: boolean | null; postprocess: boolean };
  /** One line: why WASM runs although WebGPU was asked for or exists, or that WebGPU will be slow. */
  backendNotice: string | null;
  /** The browser's WebGPU adapter (null: none), once `adapterChecked`. */
  adapter: AdapterInfo | null;
  adapterChecked: boolean;
}

export const catalogueInitial: CatalogueState = {
  models: [], selectedModel: null, sampleModel: null, modelPicked: false, backend: 'wasm',
  inference: { mirror: null, postprocess: true }, backendNotice: null, adapter: null, adapterChecked: false,
};

/**
 * The model a volume opens with: the sample's own model while the bundled sample is shown (falling back
 * to a model trained on synthetic phantoms only), otherwise the index's first model (the card marked
 * `default`, then fine-small: models trained on real CT).
 */
export function defaultModelFor(models: ModelEntry[], source: VolumeSource | null, sampleModel: string | null): string | null {
  if (source === 'sample') {
    if (sampleModel && models.some((m) => m.card.name === sampleModel)) return sampleModel;
    const synthetic = models.find((m) => trainedOn(m.card) === 'synthetic');
    if (synthetic) return synthetic.card.name;
  }
  return models.find((m) => trainedOn(m.card) !== 'synthetic')?.card.name ?? models[0]?.card.name ?? null;
}

/** What a card's model was trained on: synthetic phantoms when every training case is a phantom. */
export function trainedOn(card: ModelCard): 'synthetic' | 'ct' {
  const data = card.training?.data ?? [];
  return data.length > 0 && data.every((d) => /phantom/i.test(d)) ? 'synthetic' : 'ct';
}

/** The model a newly opened volume from `source` runs with: the user's pick while it is from the same source, else the default. */
export function modelForVolume(st: WorkbenchState, source: VolumeSource): Pick<CatalogueState, 'modelPicked' | 'selectedModel'> {
  const picked = st.modelPicked && st.volume?.source === source;
  return { modelPicked: picked, selectedModel: picked ? st.selectedModel : (defaultModelFor(st.models, source, st.sampleModel) ?? st.selectedModel) };
}

export function setModels(s: WorkbenchStore, models: ModelEntry[]): void {
  const st = s.getState();
  const current = st.selectedModel;
  const keep = st.modelPicked && models.some((m) => m.card.name === current);
  s.setState({ models, selectedModel: keep ? current : defaultModelFor(models, st.volume?.source ?? null, st.sampleModel) });
}

/** The bundled sample's manifest named the model it was made for. */
export function setSampleModel(s: WorkbenchStore, name: string | null): void {
  const st = s.getState();
  s.setState({ sampleModel: name });
  if (!st.modelPicked && st.models.length) s.setState({ selectedModel: defaultModelFor(st.models, st.volume?.source ?? null, name) });
}

/** The user's pick: it stays for further volumes from the same source. */
export function selectModel(s: WorkbenchStore, name: string): void {
  const known = s.getState().models.map((m) => m.card.name);
  if (!known.includes(name)) {
    failed(s, `No model named "${name}"; available: ${known.join(', ') || 'none (add a model to models/)'}`);
    return;
  }
  s.setState({ selectedModel: name, modelPicked: true });
}

export function selectedCard(state: WorkbenchState): ModelEntry | null {
  return state.models.find((m) => m.card.name === state.selectedModel) ?? null;
}

/** The user's inference switches (mirroring, post-processing) for the next run. */
export function setInference(s: WorkbenchStore, change: Partial<CatalogueState['inference']>): void {
  s.setState({ inference: { ...s.getState().inference, ...change } });
}

export function setBackend(s: WorkbenchStore, backend: Backend, notice: string | null = null): void {
  s.setState({ backend, backendNotice: notice });
}

export function adapterProbed(s: WorkbenchStore, adapter: AdapterInfo | null): void {
  s.setState({ adapter, adapterChecked: true });
}
