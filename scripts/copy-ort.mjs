// Copies onnxruntime-web's .wasm binaries and their .mjs loaders to public/ort/, so the browser
// loads them from this origin (the app's CSP and COEP forbid a CDN). Only the two builds the app
// loads: the plain WASM build (onnxruntime-web/wasm, for the WASM provider) and the asyncify build
// behind onnxruntime-web/webgpu (for WebGPU); the JSEP and JSPI builds are left out, and removed if an
// older copy left them. Skips files already up to date.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'node_modules', 'onnxruntime-web', 'dist');
const dst = join(root, 'public', 'ort');

if (!existsSync(src)) {
  console.error(`copy-ort: ${src} is missing; run npm install first`);
  process.exit(1);
}
mkdirSync(dst, { recursive: true });
const builds = /^ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/;
const wanted = readdirSync(src).filter((f) => builds.test(f));
if (wanted.length !== 4) {
  console.error(`copy-ort: expected the plain and asyncify builds (4 files) in ${src}, found: ${wanted.join(', ') || 'none'}`);
  process.exit(1);
}
for (const f of readdirSync(dst)) if (/^ort-wasm.*\.(wasm|mjs)$/.test(f) && !builds.test(f)) rmSync(join(dst, f));
let copied = 0;
for (const f of wanted) {
  const from = join(src, f);
  const to = join(dst, f);
  if (existsSync(to) && statSync(to).size === statSync(from).size && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
  copyFileSync(from, to);
  copied++;
}
console.log(`copy-ort: ${wanted.length} files in public/ort (${copied} copied)`);
