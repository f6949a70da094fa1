// Copies onnxruntime-web's .wasm binaries and their .mjs loaders to public/ort/, so the browser
// loads them from this origin (the app's CSP and COEP forbid a CDN). Skips files already up to date.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
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
const wanted = readdirSync(src).filter((f) => /^ort-wasm.*\.(wasm|mjs)$/.test(f));
let copied = 0;
for (const f of wanted) {
  const from = join(src, f);
  const to = join(dst, f);
  if (existsSync(to) && statSync(to).size === statSync(from).size && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
  copyFileSync(from, to);
  copied++;
}
console.log(`copy-ort: ${wanted.length} files in public/ort (${copied} copied)`);
