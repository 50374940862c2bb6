#!/usr/bin/env node
/**
 * Builds the browser client (client/ → client/dist) with Vite, but only when the build
 * is missing or older than a source it depends on (client/, shared/src/). Runs before
 * every `npm start`, so the up-to-date check must stay a cheap mtime walk.
 */
import { createRequire } from 'node:module';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const clientDir = join(repo, 'client');
const distDir = join(clientDir, 'dist');
const SKIP = new Set(['dist', 'node_modules']);

/** Newest modification time (ms) of any file under `dir`, skipping build output and dependencies. */
async function newestMtime(dir) {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? await newestMtime(path) : (await stat(path)).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

async function builtAt() {
  try {
    return (await stat(join(distDir, 'index.html'))).mtimeMs;
  } catch {
    return -1;
  }
}

const [built, clientSources, sharedSources] = await Promise.all([
  builtAt(), newestMtime(clientDir), newestMtime(join(repo, 'shared', 'src')),
]);
const dist = relative(process.cwd(), distDir) || distDir;

if (built >= Math.max(clientSources, sharedSources)) {
  console.log(`client: ${dist} is up to date`);
} else {
  const started = performance.now();
  // The client pins its own Vite; resolve it from there, not from the repository root.
  const vitePath = createRequire(join(clientDir, 'package.json')).resolve('vite');
  const { build } = await import(pathToFileURL(vitePath).href);
  await build({ root: clientDir, configFile: join(clientDir, 'vite.config.ts'), logLevel: 'warn' });
  console.log(`client: built ${dist} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
