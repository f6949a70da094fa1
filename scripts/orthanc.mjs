#!/usr/bin/env node
/**
 * A throw-away DICOM archive for development and tests: Orthanc with its DICOMweb plugin (Debian
 * packages `orthanc` and `orthanc-dicomweb`), on loopback only, storing into a temporary folder that
 * is deleted when the process stops. It stays in the foreground until killed (SIGINT / SIGTERM).
 *
 *   node scripts/orthanc.mjs [--port 8042]       # or: npm run pacs
 *
 * The app reaches it through its own origin: Vite proxies /pacs/ to PACS_URL (default
 * http://127.0.0.1:8042), so DICOMweb is at /pacs/dicom-web/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

function orthancBinary() {
  for (const p of ['/usr/sbin/Orthanc', '/usr/bin/Orthanc']) if (existsSync(p)) return p;
  const w = spawnSync('sh', ['-c', 'command -v Orthanc'], { encoding: 'utf8' });
  return w.status === 0 ? w.stdout.trim() : null;
}

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = Number(portArg >= 0 ? args[portArg + 1] : process.env.PACS_PORT ?? 8042);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`orthanc: --port must be a TCP port, got ${args[portArg + 1]}`);
  process.exit(2);
}
const bin = orthancBinary();
if (!bin || !existsSync(PLUGIN)) {
  console.error('orthanc: Orthanc with DICOMweb is not installed; install the Debian packages: apt-get install orthanc orthanc-dicomweb');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'fine-orthanc-'));
const config = {
  Name: 'fine-workbench-test-archive',
  StorageDirectory: join(dir, 'storage'),
  IndexDirectory: join(dir, 'index'),
  HttpPort: port,
  RemoteAccessAllowed: false,
  AuthenticationEnabled: false,
  DicomServerEnabled: false,
  HttpCompressionEnabled: false,
  StableAge: 1,
  Plugins: [PLUGIN],
  DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, StudiesMetadata: 'MainDicomTags', SeriesMetadata: 'Full' },
};
const configFile = join(dir, 'orthanc.json');
writeFileSync(configFile, JSON.stringify(config, null, 2));

const child = spawn(bin, [configFile], { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
const cleanUp = () => rmSync(dir, { recursive: true, force: true });
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code, signal) => {
  cleanUp();
  if (!stopping) console.error(`orthanc: exited (${signal ?? `code ${code}`})`);
  process.exit(stopping ? 0 : 1);
});
console.log(`orthanc: http://127.0.0.1:${port}/ (DICOMweb at /dicom-web/), storage ${dir}`);
