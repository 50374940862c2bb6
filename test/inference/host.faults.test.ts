/**
 * Fault tolerance of the inference host: a killed worker and a hung worker are replaced,
 * their requests (and any made meanwhile) get neutral answers at once, nothing throws, and
 * real predictions resume. Also: the worker starts from the .ts sources under plain
 * `node --import tsx` (what `npm start` runs), not only under vitest.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InferenceHost } from '../../server/src/inference/host.js';
import { realWindows } from './realWindows.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const windows = realWindows(4).windows;
let host: InferenceHost | null = null;

afterEach(async () => {
  await host?.close();
  host = null;
});

describe('InferenceHost faults', () => {
  it('replaces a killed worker; in-flight and meanwhile requests get neutral answers, then predictions resume', async () => {
    const logs: string[] = [];
    host = new InferenceHost({ chatDir: null, restartInitialMs: 200, faultInjection: true, log: (l) => logs.push(l), env: {} });
    expect(await host.ready(30_000)).toBe(true);
    expect((await host.classifyBehavior(windows[0]!)).scored).toBe(true);

    host.hangWorker(0, 10_000); // keeps the next batch in flight until the kill
    const inFlight = windows.map((w) => host!.classifyBehavior(w));
    await new Promise((r) => setTimeout(r, 30));
    await host.terminateWorker(0);
    const t0 = performance.now();
    const lost = await Promise.all(inFlight);
    expect(lost.every((r) => !r.scored)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(100);

    // While it restarts: answered at once, neutrally, without waiting for the new worker.
    expect(host.status().workers?.ready).toBe(0);
    expect(host.status().models.find((m) => m.name === 'behavior')?.state).toBe('UNAVAILABLE');
    const t1 = performance.now();
    const meanwhile = await Promise.all(windows.slice(0, 5).map((w) => host!.classifyBehavior(w)));
    expect(performance.now() - t1).toBeLessThan(50);
    expect(meanwhile.every((r) => !r.scored)).toBe(true);

    await vi.waitFor(() => expect(host!.status().workers?.ready).toBe(1), { timeout: 30_000, interval: 50 });
    const back = await Promise.all(windows.map((w) => host!.classifyBehavior(w)));
    expect(back.every((r) => r.scored)).toBe(true);
    expect(host.status().restarts).toBe(1);
    expect(host.stats().crashes).toBe(1);
    expect(logs.some((l) => /worker 0 exited .*restarting in 200 ms/.test(l))).toBe(true);
    expect(logs.some((l) => /worker 0 is back/.test(l))).toBe(true);
  });

  it('gives up on a hung worker after the batch timeout and replaces it', async () => {
    host = new InferenceHost({ chatDir: null, batchTimeoutMs: 300, restartInitialMs: 50, faultInjection: true, log: () => undefined, env: {} });
    expect(await host.ready(30_000)).toBe(true);
    host.hangWorker(0, 60_000);
    const t0 = performance.now();
    const stuck = await Promise.all(windows.slice(0, 3).map((w) => host!.classifyBehavior(w)));
    const waited = performance.now() - t0;
    expect(stuck.every((r) => !r.scored)).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(1500);
    expect(host.stats().timeouts).toBe(1);
    await vi.waitFor(() => expect(host!.status().workers?.ready).toBe(1), { timeout: 30_000, interval: 50 });
    expect((await host.classifyBehavior(windows[0]!)).scored).toBe(true);
  });

  it('backs off exponentially while a worker keeps failing, and starts over after a success', async () => {
    const logs: string[] = [];
    // The worker is killed as soon as it is up, twice in a row.
    host = new InferenceHost({ chatDir: null, restartInitialMs: 100, faultInjection: true, log: (l) => logs.push(l), env: {} });
    expect(await host.ready(30_000)).toBe(true);
    await host.terminateWorker(0);
    await vi.waitFor(() => expect(host!.status().workers?.ready).toBe(1), { timeout: 30_000, interval: 20 });
    await host.terminateWorker(0); // no successful batch in between: the delay doubles
    await vi.waitFor(() => expect(host!.status().workers?.ready).toBe(1), { timeout: 30_000, interval: 20 });
    const delays = logs.map((l) => /restarting in (\d+) ms/.exec(l)?.[1]).filter(Boolean).map(Number);
    expect(delays).toEqual([100, 200]);
    expect((await host.classifyBehavior(windows[0]!)).scored).toBe(true);
    await host.terminateWorker(0); // after a success the backoff starts over
    await vi.waitFor(() => expect(logs.filter((l) => /restarting in/.test(l))).toHaveLength(3));
    expect(logs.at(-1)).toMatch(/restarting in 100 ms/);
  });

  it('starts its worker under plain node --import tsx as npm start does', async () => {
    const script = [
      "import { InferenceHost } from './server/src/inference/host.ts';",
      "const host = new InferenceHost({ chatDir: null, log: () => undefined, env: {} });",
      'const ok = await host.ready(30000);',
      'const r = await host.classifyBehavior(new Float32Array(64 * 19));',
      'console.log(JSON.stringify({ ok, backend: host.status().backend, scored: r.scored }));',
      'await host.close();',
    ].join('\n');
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { ...process.env, PULSE_TF_BACKEND: '' } });
      let text = '';
      child.stdout.on('data', (d: Buffer) => { text += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { text += d.toString(); });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ ok: true, backend: 'wasm', scored: true });
  });
});
