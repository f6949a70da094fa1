/**
 * The one module that imports onnxruntime. In Node it loads onnxruntime-node (native CPU); in a browser
 * or worker it loads one of onnxruntime-web's builds: the plain WASM build for the WASM provider and the
 * WebGPU build for WebGPU. The WebGPU build carries a WASM provider too, but compiled with asyncify it
 * runs the same tile 5-13x slower than the plain build, so it is used for WASM only when asked
 * (`ortBuild: 'webgpu'`, for side-by-side measurements). Everything else in the project sees only
 * `Session` and plain typed arrays.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';

/** Execution providers by environment; a bad choice fails listing the valid ones. */
export const PROVIDERS = Object.freeze({ node: ['cpu'], browser: ['webgpu', 'wasm'] } as const);
export type Provider = 'cpu' | 'webgpu' | 'wasm';
/** onnxruntime-web build: 'wasm' = `onnxruntime-web/wasm` (WASM provider only), 'webgpu' = `onnxruntime-web/webgpu`. */
export type OrtBuild = 'wasm' | 'webgpu';

export interface HostTensor {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

export interface Session {
  readonly provider: Provider;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Browser: the onnxruntime-web build that runs this session. */
  readonly build?: OrtBuild;
  /** Browser: WASM threads the runtime started with (1 when the page is not cross-origin isolated). */
  readonly wasmThreads?: number;
  run(feeds: Record<string, HostTensor>, fetches?: readonly string[]): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
  release(): Promise<void>;
  /** Node, with `profilePrefix` set: ends profiling; the trace is `<profilePrefix>_<timestamp>.json`. */
  endProfiling?(): void;
}

export interface SessionOptions {
  provider: Provider;
  /** Intra-op threads (Node) or WASM threads (browser; needs cross-origin isolation). */
  threads?: number;
  /** Browser: URL prefix the ORT .wasm/.mjs files are served from. */
  wasmPaths?: string;
  /** Browser: which onnxruntime-web build; default: the provider's own ('wasm' for WASM, 'webgpu' for WebGPU). */
  ortBuild?: OrtBuild;
  /** Side files of external-data models: { path as named in the model, bytes }. */
  externalData?: { path: string; data: Uint8Array }[];
  /** Node: enables onnxruntime's profiler, writing its JSON trace under this file prefix. */
  profilePrefix?: string;
  /** Graph optimisation level (default 'all'). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Node: writes the graph as onnxruntime optimised it (fusions applied) to this file. */
  optimizedModelPath?: string;
}

interface OrtModule {
  InferenceSession: typeof InferenceSession;
  Tensor: typeof Tensor;
  env: { wasm: { numThreads?: number; wasmPaths?: string | Record<string, string>; proxy?: boolean }; logLevel?: string };
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined' && typeof (globalThis as { importScripts?: unknown }).importScripts === 'undefined';

/** One runtime per build: each onnxruntime-web build is a self-contained module with its own wasm instance and `env`. */
const runtimes = new Map<'node' | OrtBuild, Promise<OrtModule>>();

function loadRuntime(build: OrtBuild): Promise<OrtModule> {
  const key = isNode ? 'node' : build;
  let runtime = runtimes.get(key);
  if (!runtime) {
    // The Node package name is held in a variable so the browser bundler never tries to resolve it.
    const nodeName = 'onnxruntime-node';
    if (isNode) runtime = import(/* @vite-ignore */ nodeName) as Promise<OrtModule>;
    else if (build === 'wasm') runtime = import('onnxruntime-web/wasm') as unknown as Promise<OrtModule>;
    else runtime = import('onnxruntime-web/webgpu') as unknown as Promise<OrtModule>;
    runtimes.set(key, runtime);
  }
  return runtime;
}

/** The build a provider runs on unless told otherwise; WebGPU needs the WebGPU build. */
export function ortBuildFor(provider: Provider, asked?: OrtBuild): OrtBuild {
  if (provider === 'webgpu' && asked === 'wasm') throw new Error("backend: the WebGPU provider needs onnxruntime-web's WebGPU build, not the plain WASM build");
  return asked ?? (provider === 'webgpu' ? 'webgpu' : 'wasm');
}

export function checkProvider(p: string): Provider {
  const valid: readonly string[] = isNode ? PROVIDERS.node : PROVIDERS.browser;
  if (!valid.includes(p)) throw new Error(`backend: provider '${p}' is not available ${isNode ? 'in Node' : 'in the browser'}; choose one of: ${valid.join(', ')}`);
  return p as Provider;
}

export async function createSession(model: Uint8Array, opts: SessionOptions): Promise<Session> {
  const provider = checkProvider(opts.provider);
  const build = ortBuildFor(provider, opts.ortBuild);
  const ort = await loadRuntime(build);
  if (!isNode) {
    if (opts.wasmPaths) ort.env.wasm.wasmPaths = opts.wasmPaths;
    if (opts.threads) ort.env.wasm.numThreads = opts.threads;
  }
  const so: InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: opts.optimization ?? 'all',
  };
  if (isNode && opts.profilePrefix) {
    so.enableProfiling = true;
    so.profileFilePrefix = opts.profilePrefix;
  }
  if (isNode && opts.threads) so.intraOpNumThreads = opts.threads;
  if (isNode && opts.optimizedModelPath) so.optimizedModelFilePath = opts.optimizedModelPath;
  if (opts.externalData) so.externalData = opts.externalData.map((e) => ({ path: e.path, data: e.data }));
  const session = await ort.InferenceSession.create(model, so);
  return {
    provider,
    ...(isNode ? {} : { build, wasmThreads: ort.env.wasm.numThreads ?? 1 }),
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, fetches) {
      const inputs: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        inputs[name] = t.data instanceof BigInt64Array ? new ort.Tensor('int64', t.data, t.dims) : new ort.Tensor('float32', t.data, t.dims);
      }
      const res = fetches ? await session.run(inputs, [...fetches]) : await session.run(inputs);
      const out: Record<string, { data: Float32Array; dims: number[] }> = {};
      for (const [name, t] of Object.entries(res)) {
        const data = isNode ? (t.data as Float32Array) : ((await t.getData(true)) as Float32Array);
        out[name] = { data, dims: [...t.dims] };
        if (isNode) t.dispose();
      }
      return out;
    },
    release: () => session.release(),
    endProfiling: () => session.endProfiling(),
  };
}
