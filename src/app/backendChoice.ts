/**
 * Which execution provider to use, as pure functions of the URL and the WebGPU adapter the browser
 * offers. WebGPU is the default on a hardware adapter; a software fallback adapter (SwiftShader,
 * llvmpipe, ...) runs this model 10-300x slower than WASM, so it is never chosen by default.
 * `?backend=wasm|webgpu` and the UI switch override the default.
 */

export type Backend = 'webgpu' | 'wasm';

/** What the browser says about its WebGPU adapter (GPUAdapterInfo plus the fallback flag). */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** `adapter.info.isFallbackAdapter`, or the older `adapter.isFallbackAdapter`. */
  isFallbackAdapter: boolean;
}

export interface BackendChoice {
  backend: Backend;
  /** One line shown under the header: why WASM runs although WebGPU was asked for or exists, or a warning. */
  notice: string | null;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|\bwarp\b/i;

/** True for a software (CPU-emulated) adapter: flagged as fallback, or named like one. */
export function isSoftwareAdapter(a: AdapterInfo): boolean {
  return a.isFallbackAdapter || SOFTWARE.test([a.vendor, a.architecture, a.device, a.description].join(' '));
}

/** A short name for the adapter: its description, else vendor and architecture, else 'unnamed adapter'. */
export function adapterName(a: AdapterInfo): string {
  const name = a.description.trim() || [a.vendor, a.architecture, a.device].filter((s) => s.trim()).join(' ').trim();
  return name || 'unnamed adapter';
}

/** What the backend switch shows next to it: the adapter, whether it is software, or 'no WebGPU'. */
export function adapterLabel(a: AdapterInfo | null): string {
  if (!a) return 'no WebGPU';
  return `${adapterName(a)}${isSoftwareAdapter(a) ? ' (software fallback, no GPU)' : ''}`;
}

/** The backend the user asked for (URL or switch) on this adapter, with a notice when it cannot be had or will be slow. */
export function pickBackend(want: Backend, adapter: AdapterInfo | null): BackendChoice {
  if (want === 'wasm') return { backend: 'wasm', notice: null };
  if (!adapter) return { backend: 'wasm', notice: 'WebGPU was asked for, but this browser has no WebGPU adapter; running on WASM (CPU) instead' };
  if (isSoftwareAdapter(adapter)) {
    return { backend: 'webgpu', notice: `WebGPU runs on a software adapter (${adapterName(adapter)}, no GPU): expect it to be much slower than WASM` };
  }
  return { backend: 'webgpu', notice: null };
}

/** The default: WebGPU on a hardware adapter, else WASM with the reason. */
export function defaultBackend(adapter: AdapterInfo | null): BackendChoice {
  if (!adapter) return { backend: 'wasm', notice: 'WebGPU is not available in this browser; running on WASM (CPU)' };
  if (isSoftwareAdapter(adapter)) {
    return { backend: 'wasm', notice: `WebGPU adapter ${adapterName(adapter)} is a software fallback (no GPU), slower than WASM here; running on WASM (CPU)` };
  }
  return { backend: 'webgpu', notice: null };
}

/** `?backend=wasm|webgpu` overrides the default; an unknown value is named in the notice. */
export function chooseBackend(search: string, adapter: AdapterInfo | null): BackendChoice {
  const forced = new URLSearchParams(search).get('backend');
  if (forced === 'wasm' || forced === 'webgpu') return pickBackend(forced, adapter);
  const choice = defaultBackend(adapter);
  if (forced === null) return choice;
  const bad = `Unknown ?backend=${forced} (use wasm or webgpu).`;
  return { backend: choice.backend, notice: choice.notice ? `${bad} ${choice.notice}` : bad };
}

/**
 * Reads an adapter's description from a GPUAdapter: `adapter.info` (current API) or
 * `requestAdapterInfo()` (older), and the fallback flag from either place.
 */
export function readAdapterInfo(info: Partial<Record<keyof AdapterInfo, unknown>> | undefined, adapterFallback: unknown): AdapterInfo {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    vendor: str(info?.vendor),
    architecture: str(info?.architecture),
    device: str(info?.device),
    description: str(info?.description),
    isFallbackAdapter: info?.isFallbackAdapter === true || adapterFallback === true,
  };
}

/**
 * WASM threads: `?threads=N` (1..16) forces a count, e.g. 1 for a single-threaded measurement;
 * otherwise up to 4 when the page is cross-origin isolated (threads need SharedArrayBuffer), else 1.
 */
export function chooseThreads(search: string, isolated: boolean, cores: number): number {
  const forced = Number(new URLSearchParams(search).get('threads'));
  if (Number.isInteger(forced) && forced >= 1 && forced <= 16) return isolated ? forced : 1;
  return isolated ? Math.max(1, Math.min(4, cores)) : 1;
}

/** `?ortbuild=webgpu` runs the WASM provider on the WebGPU build (for side-by-side measurements); default: the provider's own build. */
export function chooseOrtBuild(search: string): 'webgpu' | undefined {
  return new URLSearchParams(search).get('ortbuild') === 'webgpu' ? 'webgpu' : undefined;
}
