/**
 * Starts the real server (`server/src/main.ts`) as a child process on a free loopback
 * port with a fresh embedded database, for benchmarks and end-to-end tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  port: number;
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** CPU time (user + system) the server has used, ms, from /proc. */
  cpuMs(): Promise<number>;
  /** The same for its main thread alone (the event loop: rooms, sockets, HTTP). */
  mainThreadCpuMs(): Promise<number>;
  /** SIGTERM, wait for exit (kill after 15 s), remove a data folder it made. Returns the exit code. */
  stop(): Promise<number | null>;
}

/** utime + stime of a /proc stat file, in ms. */
async function procCpuMs(file: string): Promise<number> {
  const stat = (await readFile(file, 'utf8')).split(') ')[1]!.split(' ');
  // Fields 14 and 15 (utime, stime) in clock ticks; index shifted by the split at ") ".
  return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Data folder to use and keep; by default a fresh one, removed on stop. */
  dataDir?: string;
  /** Server entry point, relative to the repository (default the real server, server/src/main.ts). */
  script?: string;
}

export async function startServerProcess(opts: StartOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  const ownsData = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? await mkdtemp(path.join(tmpdir(), 'pulse-data-'));
  const env = opts.env ?? {};
  // PULSE_SERVER_NODE_ARGS passes extra flags to the server's node, e.g. `--cpu-prof` for profiling.
  const nodeArgs = process.env.PULSE_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', opts.script ?? 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, MONITOR_PASSWORD: 'bench', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  // Keep the tail only: a long benchmark must not grow this without bound.
  const collect = (d: Buffer) => { log = (log + d.toString()).slice(-16_000); };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A first start initialises and migrates an embedded PostgreSQL: allow for a busy machine.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${log}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`server did not answer /health within 90 s:\n${log}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port, url, pid: child.pid!, child,
    output: () => log,
    cpuMs: () => procCpuMs(`/proc/${child.pid}/stat`),
    mainThreadCpuMs: () => procCpuMs(`/proc/${child.pid}/task/${child.pid}/stat`),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      if (ownsData) await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Resolves once the server's models are loaded (until then it answers neutrally). @throws after `timeoutMs`. */
export async function waitForModels(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as { inference: { models: Array<{ state: string }> } | null };
    if (health.inference?.models.length && health.inference.models.every((m) => m.state === 'AVAILABLE')) return;
    if (Date.now() > deadline) throw new Error(`models not loaded within ${timeoutMs} ms: ${JSON.stringify(health.inference)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

