/**
 * Personalization benchmark: how long the director takes to ease off for a player who
 * switches from aggressive to novice play — the "within 5 s" the default rules promise. Each
 * trial is a fresh room on a real server process (models, director and database on) with
 * one @colyseus/sdk player driven by the scripted bots: aggressive until the model reads it
 * so, then novice. Prints p50/p99/max of switch → "easier" director message and switch →
 * easier knobs in the client's state, and how many trials eased within 5 s.
 *
 *   npm run bench:personalization -- [--trials 12] [--parallel 4]
 *
 * A figure, not a pass/fail: the end-to-end test (personalization.test.ts) checks that one
 * switch eases off at all, within 8 s.
 */
import { parseArgs } from 'node:util';
import { Client } from '@colyseus/sdk';
import {
  ARENA_ROOM, ServerMessage, type ArenaStateView, type DirectorMessage, type ProfileMessage,
} from '@pulse-arena/shared';
import { playerBaseline } from '../../server/src/director/director.js';
import { startServerProcess, waitForModels } from '../helpers/serverProcess.js';
import { SdkBot, sharpAggressive } from '../helpers/sdkBot.js';
import { percentile } from '../helpers/percentile.js';

const { values: args } = parseArgs({
  options: { trials: { type: 'string', default: '12' }, parallel: { type: 'string', default: '4' } },
});
const TRIALS = Number(args.trials), PARALLEL = Number(args.parallel);
for (const [k, v, max] of [['trials', TRIALS, 200], ['parallel', PARALLEL, 16]] as const) {
  if (!Number.isInteger(v) || v <= 0 || v > max) throw new Error(`--${k} must be an integer in [1, ${max}]`);
}
/** Longest a trial waits for the aggressive read, then for the ease-off, before it counts as a miss. */
const READ_TIMEOUT_MS = 60_000;
const EASE_TIMEOUT_MS = 20_000;
const BASE = playerBaseline('standard');

interface Trial {
  /** Switch → first 'easier' director message from ease-struggling (ms), or null if none in time. */
  message: number | null;
  /** Switch → the player's enemy damage knob eased by more than 0.5 in the client's state (ms). */
  knobs: number | null;
  /** Switch → a new recommendation (ms). */
  recommendation: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

async function trial(sdk: Client, n: number): Promise<Trial> {
  const room = await sdk.create<ArenaStateView>(ARENA_ROOM, { name: `bench${n}` });
  const profiles: ProfileMessage[] = [];
  const director: Array<DirectorMessage & { at: number }> = [];
  const recommendations: number[] = [];
  room.onMessage(ServerMessage.Profile, (m: ProfileMessage) => profiles.push(m));
  room.onMessage(ServerMessage.Director, (m: DirectorMessage) => director.push({ ...m, at: performance.now() }));
  room.onMessage(ServerMessage.Recommendation, () => recommendations.push(performance.now()));
  room.onMessage('*', () => undefined);
  const bot = new SdkBot(room, 'aggressive', 100 + n, { skill: sharpAggressive(100 + n) });
  const damage = () => room.state.players?.get(room.sessionId)?.knobs.enemyDamage ?? BASE.enemyDamage;
  try {
    await until(() => room.state.players?.get(room.sessionId) !== undefined, 10_000);
    bot.start();
    // As the test: switch once the model reads aggressive and ease-struggling is not active.
    const read = await until(() => profiles.at(-1)?.style === 'aggressive'
      && !(director.at(-1)?.activeRules.includes('ease-struggling') ?? false), READ_TIMEOUT_MS);
    if (!read) return { message: null, knobs: null, recommendation: null };
    const atSwitch = damage();
    const recsBefore = recommendations.length;
    const switchedAt = performance.now();
    bot.switchStyle('novice');
    const result: Trial = { message: null, knobs: null, recommendation: null };
    await until(() => {
      const now = performance.now() - switchedAt;
      if (result.message === null && director.some((m) => m.at >= switchedAt && m.ruleId === 'ease-struggling' && m.direction === 'easier')) result.message = now;
      if (result.knobs === null && damage() < Math.min(atSwitch, BASE.enemyDamage) - 0.5) result.knobs = now;
      if (result.recommendation === null && recommendations.length > recsBefore) result.recommendation = now;
      return result.message !== null && result.knobs !== null && result.recommendation !== null;
    }, EASE_TIMEOUT_MS);
    return result;
  } finally {
    bot.stop();
    await room.leave().catch(() => undefined);
  }
}


function line(label: string, values: ReadonlyArray<number | null>): string {
  const got = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const within = got.filter((v) => v <= 5000).length;
  const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${Math.round(v)} ms`);
  return `${label.padEnd(28)}p50 ${ms(percentile(got, 50))}   p99 ${ms(percentile(got, 99))}   max ${ms(got.at(-1) ?? NaN)}   `
    + `within 5 s: ${within}/${values.length}${got.length < values.length ? `, ${values.length - got.length} not within ${EASE_TIMEOUT_MS / 1000} s` : ''}`;
}

async function main(): Promise<void> {
  const server = await startServerProcess({ env: { INFERENCE: 'on' } });
  try {
    await waitForModels(server.url);
    const sdk = new Client(`ws://127.0.0.1:${server.port}`);
    const results: Trial[] = [];
    let next = 0;
    let unread = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: Math.min(PARALLEL, TRIALS) }, async () => {
      while (next < TRIALS) {
        const r = await trial(sdk, next++);
        if (r.message === null && r.knobs === null && r.recommendation === null) unread++;
        results.push(r);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    console.log(`Pulse Arena personalization benchmark — ${TRIALS} switches aggressive → novice, ${PARALLEL} rooms at a time, ${seconds.toFixed(1)} s`);
    console.log(line('switch → "easier" message', results.map((r) => r.message)));
    console.log(line('switch → easier knobs', results.map((r) => r.knobs)));
    console.log(line('switch → recommendation', results.map((r) => r.recommendation)));
    if (unread > 0) console.log(`(${unread} trial(s) never read aggressive within ${READ_TIMEOUT_MS / 1000} s: counted as not eased)`);
  } finally {
    await server.stop();
  }
}

await main();
