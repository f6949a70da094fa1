/**
 * A worker thread running a TypeScript module. The project's Node tools run under tsx, whose loader
 * does not reach worker threads by itself: the worker registers tsx's ES-module hooks first, then
 * imports the module. (tsx's CommonJS build of the register API cannot register ESM hooks, so the
 * .mjs build is used.)
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export function tsWorker(file: URL, workerData: unknown): Worker {
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
