import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import react from '@vitejs/plugin-react';
import { type Plugin, defineConfig } from 'vite';
import { buildModelIndex } from './scripts/modelIndex';

const root = import.meta.dirname;
/** `FINE_MODELS_DIR` points the server at another folder (e2e plumbing tests with a throwaway model). */
const modelsDir = process.env.FINE_MODELS_DIR ? normalize(process.env.FINE_MODELS_DIR) : join(root, 'models');
const port = Number(process.env.PORT ?? 5173);

const MIME: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
};

/**
 * The archive (DICOMweb) is reached through this origin: /pacs/dicom-web/ is proxied to PACS_URL's
 * /dicom-web/, so the page stays cross-origin isolated and fetches nothing from another origin (README:
 * the same in nginx). Only the DICOMweb API is passed on, never the archive's own REST API.
 */
const pacsUrl = process.env.PACS_URL ?? 'http://127.0.0.1:8042';
const pacsProxy = { '/pacs/dicom-web/': { target: pacsUrl, changeOrigin: true, rewrite: (p: string) => p.replace(/^\/pacs/, '') } };

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

type Res = import('node:http').ServerResponse;

function sendFile(res: Res, file: string): void {
  const ext = file.slice(file.lastIndexOf('.'));
  for (const [k, v] of Object.entries(isolation)) res.setHeader(k, v);
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Content-Type', MIME[ext] ?? 'application/octet-stream');
  res.setHeader('Content-Length', String(statSync(file).size));
  res.setHeader('Cache-Control', 'no-cache');
  createReadStream(file).pipe(res);
}

/** A file under `dir` named by a URL path below a prefix, or null when absent or outside `dir`. */
function fileUnder(dir: string, rel: string): string | null {
  const file = normalize(join(dir, rel));
  return file.startsWith(dir + sep) && existsSync(file) && statSync(file).isFile() ? file : null;
}

/**
 * Vite dev treats a dynamic import of a public/ file as source and refuses it; onnxruntime-web imports
 * its .mjs loader from `wasmPaths`, so `/ort/` is served raw, ahead of Vite's transforms.
 */
function ortPlugin(): Plugin {
  const dir = join(root, 'public', 'ort');
  return {
    name: 'fine-ort-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = decodeURIComponent((req.url ?? '').split('?')[0]);
        const file = url.startsWith('/ort/') ? fileUnder(dir, url.slice('/ort/'.length)) : null;
        if (!file) return next();
        sendFile(res, file);
      });
    },
  };
}

/** Serves `models/` at `/models/` (with a generated index.json) in dev and preview, and copies it into the build. */
function modelsPlugin(): Plugin {
  const serve = (req: { url?: string }, res: Res, next: () => void) => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0]);
    if (!url.startsWith('/models/')) return next();
    const rel = url.slice('/models/'.length);
    if (rel === 'index.json') {
      for (const [k, v] of Object.entries(isolation)) res.setHeader(k, v);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      res.end(JSON.stringify(buildModelIndex(modelsDir)));
      return;
    }
    const file = fileUnder(modelsDir, rel);
    if (!file) {
      res.statusCode = 404;
      res.end(`no model file ${rel} in models/`);
      return;
    }
    sendFile(res, file);
  };
  return {
    name: 'fine-models',
    configureServer(server) {
      server.middlewares.use(serve);
    },
    configurePreviewServer(server) {
      server.middlewares.use(serve);
    },
    writeBundle(options) {
      const out = join(options.dir ?? join(root, 'dist'), 'models');
      mkdirSync(out, { recursive: true });
      if (existsSync(modelsDir)) {
        for (const f of readdirSync(modelsDir)) {
          if (/\.(onnx|json|bin)$/.test(f) && f !== 'index.json') copyFileSync(join(modelsDir, f), join(out, f));
        }
      }
      writeFileSync(join(out, 'index.json'), JSON.stringify(buildModelIndex(modelsDir)));
    },
  };
}

/** The inline React-refresh preamble Vite injects in dev, allowed by its hash rather than 'unsafe-inline'. */
function preambleHash(): string {
  const code = react.preambleCode.replace('__BASE__', '/');
  return `'sha256-${createHash('sha256').update(code).digest('base64')}'`;
}

function csp(dev: boolean): string {
  const script = ["'self'", "'wasm-unsafe-eval'", ...(dev ? [preambleHash()] : [])];
  const connect = ["'self'", 'blob:', 'data:', ...(dev ? [`ws://127.0.0.1:${port}`] : [])];
  return [
    "default-src 'self'",
    `script-src ${script.join(' ')}`,
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self' blob:",
    "img-src 'self' blob: data:",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ');
}

export default defineConfig(({ command }) => ({
  plugins: [react(), ortPlugin(), modelsPlugin()],
  server: { host: '127.0.0.1', port, strictPort: true, proxy: pacsProxy, headers: { ...isolation, 'Content-Security-Policy': csp(command === 'serve') } },
  preview: { host: '127.0.0.1', port, strictPort: true, proxy: pacsProxy, headers: { ...isolation, 'Content-Security-Policy': csp(false) } },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'], include: ['dicom-parser', 'dcmjs', '@cornerstonejs/codec-openjpeg/decodewasmjs', '@cornerstonejs/codec-openjph/wasmjs', '@cornerstonejs/codec-charls/decodewasmjs', 'jpeg-lossless-decoder-js'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
}));
