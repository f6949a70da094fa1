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
