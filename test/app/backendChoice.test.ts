import { describe, expect, it } from 'vitest';
import {
  type AdapterInfo, adapterLabel, chooseBackend, chooseOrtBuild, chooseThreads, defaultBackend, isSoftwareAdapter, pickBackend, readAdapterInfo,
} from '../../src/app/backendChoice';

const adapter = (over: Partial<AdapterInfo> = {}): AdapterInfo => ({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, ...over });
/** What headless Debian Chromium reports on this machine (adapter.info). */
const swiftshader = adapter({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true });
const nvidia = adapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100' });

describe('software adapters', () => {
  it('recognises the fallback flag and software names', () => {
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter(adapter({ isFallbackAdapter: true, vendor: 'nvidia' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ architecture: 'swiftshader' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'mesa', device: 'lavapipe' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ description: 'Microsoft Basic Render Driver' }))).toBe(true);
    expect(isSoftwareAdapter(nvidia)).toBe(false);
    expect(isSoftwareAdapter(adapter({ vendor: 'apple', architecture: 'metal-3' }))).toBe(false);
    expect(isSoftwareAdapter(adapter())).toBe(false);
  });

  it('reads adapter.info or the older adapter-level fallback flag', () => {
    expect(readAdapterInfo({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true }, undefined)).toMatchObject({ vendor: 'google', isFallbackAdapter: true });
    expect(readAdapterInfo({ vendor: 'x' }, true).isFallbackAdapter).toBe(true);
    expect(readAdapterInfo(undefined, undefined)).toEqual(adapter());
    expect(readAdapterInfo({ vendor: 7, description: null }, 'yes')).toEqual(adapter());
  });

  it('labels the adapter for the switch', () => {
    expect(adapterLabel(null)).toBe('no WebGPU');
    expect(adapterLabel(swiftshader)).toBe('google swiftshader (software fallback, no GPU)');
    expect(adapterLabel(adapter({ description: 'SwiftShader Device (Subzero)' }))).toBe('SwiftShader Device (Subzero) (software fallback, no GPU)');
    expect(adapterLabel(nvidia)).toBe('NVIDIA H100');
    expect(adapterLabel(adapter({ vendor: 'amd', architecture: 'rdna-3' }))).toBe('amd rdna-3');
    expect(adapterLabel(adapter())).toBe('unnamed adapter');
  });
});

describe('backend choice', () => {
  it('defaults to WebGPU only on a hardware adapter, else WASM with the reason', () => {
    expect(defaultBackend(nvidia)).toEqual({ backend: 'webgpu', notice: null });
    const sw = defaultBackend(swiftshader);
    expect(sw.backend).toBe('wasm');
    expect(sw.notice).toMatch(/swiftshader.*software fallback.*running on WASM/);
    expect(defaultBackend(null)).toEqual({ backend: 'wasm', notice: expect.stringContaining('WebGPU is not available') });
    expect(chooseBackend('', swiftshader)).toEqual(sw);
    expect(chooseBackend('?threads=2', nvidia)).toEqual({ backend: 'webgpu', notice: null });
  });

  it('?backend= overrides the default, software adapters included, with a warning', () => {
    expect(chooseBackend('?backend=wasm', nvidia)).toEqual({ backend: 'wasm', notice: null });
    expect(chooseBackend('?backend=webgpu', nvidia)).toEqual({ backend: 'webgpu', notice: null });
    const forced = chooseBackend('?backend=webgpu', swiftshader);
    expect(forced.backend).toBe('webgpu');
    expect(forced.notice).toMatch(/software adapter.*slower than WASM/);
    expect(chooseBackend('?backend=webgpu', null)).toEqual({ backend: 'wasm', notice: expect.stringContaining('no WebGPU adapter') });
  });

  it('names an unknown ?backend= and still applies the default', () => {
    expect(chooseBackend('?backend=cuda', nvidia)).toEqual({ backend: 'webgpu', notice: 'Unknown ?backend=cuda (use wasm or webgpu).' });
    const sw = chooseBackend('?backend=cuda', swiftshader);
    expect(sw.backend).toBe('wasm');
    expect(sw.notice).toMatch(/^Unknown \?backend=cuda .*software fallback/);
  });

  it('the switch picks like ?backend=', () => {
    for (const a of [nvidia, swiftshader, null]) {
      for (const want of ['wasm', 'webgpu'] as const) expect(pickBackend(want, a)).toEqual(chooseBackend(`?backend=${want}`, a));
    }
  });
});

describe('chooseThreads', () => {
  it('?threads=N forces a count when isolated; defaults to min(4, cores); one thread without isolation', () => {
    expect(chooseThreads('?threads=1', true, 8)).toBe(1);
    expect(chooseThreads('?threads=3', true, 8)).toBe(3);
    expect(chooseThreads('', true, 8)).toBe(4);
    expect(chooseThreads('', true, 2)).toBe(2);
    expect(chooseThreads('?threads=4', false, 8)).toBe(1);
    expect(chooseThreads('?threads=banana', true, 8)).toBe(4);
  });
});

describe('chooseOrtBuild', () => {
  it('only ?ortbuild=webgpu leaves the default build', () => {
    expect(chooseOrtBuild('')).toBeUndefined();
    expect(chooseOrtBuild('?ortbuild=wasm')).toBeUndefined();
    expect(chooseOrtBuild('?backend=wasm&ortbuild=webgpu')).toBe('webgpu');
  });
});
