/** Which execution provider to use: `?backend=wasm|webgpu` forces one, else WebGPU when an adapter exists. */
import type { Backend } from './store';

export interface BackendChoice {
  backend: Backend;
  /** Visible notice when WebGPU is unavailable or a forced choice is ignored. */
  notice: string | null;
}

export function chooseBackend(search: string, webgpuAvailable: boolean): BackendChoice {
  const forced = new URLSearchParams(search).get('backend');
  if (forced === 'wasm') return { backend: 'wasm', notice: null };
  if (forced === 'webgpu') {
    return webgpuAvailable
      ? { backend: 'webgpu', notice: null }
      : { backend: 'wasm', notice: '?backend=webgpu was asked for, but this browser has no WebGPU adapter; running on WASM (CPU) instead' };
  }
  const bad = forced !== null ? `Unknown ?backend=${forced} (use wasm or webgpu). ` : '';
  if (webgpuAvailable) return { backend: 'webgpu', notice: bad || null };
  return { backend: 'wasm', notice: `${bad}WebGPU is not available in this browser; running on WASM (CPU), which is slower` };
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
