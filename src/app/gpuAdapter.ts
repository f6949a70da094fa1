/** Asks the browser for its WebGPU adapter and describes it; null when there is none (or WebGPU is off). */
import { type AdapterInfo, readAdapterInfo } from './backendChoice';

interface GpuAdapterLike {
  info?: Partial<Record<keyof AdapterInfo, unknown>>;
  isFallbackAdapter?: unknown;
  requestAdapterInfo?: () => Promise<Partial<Record<keyof AdapterInfo, unknown>>>;
}

export async function probeWebGpu(): Promise<AdapterInfo | null> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    const info = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined));
    return readAdapterInfo(info, adapter.isFallbackAdapter);
  } catch {
    return null;
  }
}
