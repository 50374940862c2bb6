/**
 * Starting worker threads from this codebase, whether it runs from TypeScript sources
 * (`node --import tsx`, vitest) or from compiled JavaScript.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker whose entry is `entry` (a `.ts` file URL next to the caller). From
 * TypeScript sources the worker boots through tsx's ESM API: on Node 20 a worker's
 * `execArgv: ['--import', 'tsx']` registers the hooks too late for the entry itself to be
 * a .ts file. From compiled JavaScript it loads the `.js` sibling directly.
 */
export function spawnModuleWorker(entry: URL, workerData: unknown, name: string): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL(entry.href.replace(/\.ts$/, '.js')), { workerData, name });
  }
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData, execArgv: [], name });
}
