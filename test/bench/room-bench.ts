/**
 * Room benchmark: N rooms of scripted @colyseus/sdk players against the real server (a
 * separate process, embedded database on), for a fixed time. Prints room tick duration
 * p50/p99, event-loop lag, patch intervals seen by clients, server CPU and RSS.
 *
 *   npm run bench:room -- --rooms 25 --players 4 --seconds 30 --warmup 5 [--inference on|off] [--classify-hz 1] [--director on|off]
 *
 * `--director off` runs rooms on fixed default knobs (DIRECTOR=off); with it on, the director
 * step's own duration (inside the tick) is printed beside the tick's.
 * `--inference off` runs the server without models (INFERENCE=off); `--classify-hz` sets how
 * often each player's window goes to the behavior model (BEHAVIOR_CLASSIFY_HZ: 20 at 100
 * CCU offers ~2,000 windows/s through the rooms' real path), to see what inference costs the tick.
 */
import { parseArgs } from 'node:util';
import { Client, type Room } from '@colyseus/sdk';
import { ARENA_ROOM, ClientMessage, TICK_MS, type ArenaStateView, type InputMessage } from '@pulse-arena/shared';
import { startServerProcess } from '../helpers/serverProcess.js';
import { percentile } from '../helpers/percentile.js';

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '25' },
    players: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    inference: { type: 'string', default: 'on' },
    'classify-hz': { type: 'string', default: '1' },
    director: { type: 'string', default: 'on' },
  },
});
if (args.director !== 'on' && args.director !== 'off') throw new Error('--director must be on or off');
const DIRECTOR = args.director;
if (args.inference !== 'on' && args.inference !== 'off') throw new Error('--inference must be on or off');
const INFERENCE = args.inference;
const CLASSIFY_HZ = args['classify-hz'];
const ROOMS = Number(args.rooms), PLAYERS = Number(args.players);
const SECONDS = Number(args.seconds), WARMUP = Number(args.warmup);
for (const [k, v] of Object.entries({ rooms: ROOMS, players: PLAYERS, seconds: SECONDS, warmup: WARMUP })) {
  if (!Number.isFinite(v) || v <= 0 || v > 10_000) throw new Error(`--${k} must be a positive number`);
}
if (PLAYERS > 4) throw new Error('--players: a room holds at most 4');

/** The parts of /health's `inference` block this benchmark reads. */
interface InferenceHealth {
  backend: string | null;
  counters: Record<'behavior' | 'chat', { requests: number; batches: number; scored: number; neutral: number; maxBatch: number }> | null;
}
interface Health {
  clients: number; rooms: number; rssMB: number;
  tickMs: { p50: number; p99: number; max: number; samples: number };
  directorMs: { p50: number | null; p99: number | null; max: number | null; samples: number };
  eventLoopLagMs: { p50: number; p99: number; max: number };
  db: { writeBacklog: number };
  inference: InferenceHealth | null;
}

interface Bot { room: Room<unknown, ArenaStateView>; seq: number; phase: number; lastPatch: number }

const f = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

async function main(): Promise<void> {
  const server = await startServerProcess({ env: { INFERENCE, BEHAVIOR_CLASSIFY_HZ: CLASSIFY_HZ, DIRECTOR } });
  const health = async (): Promise<Health> => (await fetch(`${server.url}/health`)).json() as Promise<Health>;
  const auth = { Authorization: `Basic ${Buffer.from('admin:bench').toString('base64')}` };
  const bots: Bot[] = [];
  let patchIntervals: number[] = [];
  try {
    const sdk = new Client(`ws://127.0.0.1:${server.port}`);
    for (let r = 0; r < ROOMS; r++) {
      let roomId = '';
      for (let p = 0; p < PLAYERS; p++) {
        const name = `bot${r}-${p}`;
        const room = roomId
          ? await sdk.joinById<ArenaStateView>(roomId, { name })
          : await sdk.create<ArenaStateView>(ARENA_ROOM, { name, roomName: `bench ${r}` });
        roomId = room.roomId;
        const bot: Bot = { room, seq: 0, phase: Math.random() * 100, lastPatch: 0 };
        room.onStateChange(() => {
          const now = performance.now();
          if (bot.lastPatch) patchIntervals.push(now - bot.lastPatch);
          bot.lastPatch = now;
        });
        room.onMessage('*', () => undefined);
        bots.push(bot);
      }
    }
    // One timer drives every bot at the tick rate: circle-strafe, aim around, fire, chat.
    const driver = setInterval(() => {
      for (const bot of bots) {
        const t = (bot.seq + bot.phase) / 20;
        const input: InputMessage = {
          seq: ++bot.seq, moveX: Math.cos(t), moveY: Math.sin(t * 1.3), aim: (t * 2) % Math.PI,
          fire: bot.seq % 4 < 2, dash: bot.seq % 60 === 0,
        };
        bot.room.send(ClientMessage.Input, input);
        if (bot.seq % 200 === 0) bot.room.send(ClientMessage.Chat, { text: `gl hf, wave ${bot.room.state.wave}` });
      }
    }, TICK_MS);

    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    await fetch(`${server.url}/admin/stats/reset`, { method: 'POST', headers: auth });
    patchIntervals = [];
    const before = (await health()).inference;
    const cpu0 = await server.cpuMs();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const cpu1 = await server.cpuMs();
    const elapsed = (performance.now() - t0) / 1000;
    clearInterval(driver);
    const end = await health();
    const sortedPatches = patchIntervals.sort((a, b) => a - b);
    const ccu = end.clients;
    const cpuPerClientSecond = (cpu1 - cpu0) / (ccu * elapsed);
    console.log(`Pulse Arena room benchmark — ${ROOMS} rooms × ${PLAYERS} players, ${f(elapsed, 1)} s measured after ${WARMUP} s warm-up`);
    console.log(`CCU                 ${ccu} connected in ${end.rooms} rooms`);
    console.log(`room tick           p50 ${f(end.tickMs.p50, 3)} ms   p99 ${f(end.tickMs.p99, 3)} ms   max ${f(end.tickMs.max, 3)} ms   (${end.tickMs.samples} ticks)`);
    console.log(DIRECTOR === 'off' ? 'director            off'
      : `director step       p50 ${f(end.directorMs.p50, 3)} ms   p99 ${f(end.directorMs.p99, 3)} ms   max ${f(end.directorMs.max, 3)} ms   (${end.directorMs.samples} room-seconds, inside the tick)`);
    console.log(`event-loop lag      p50 ${f(end.eventLoopLagMs.p50)} ms   p99 ${f(end.eventLoopLagMs.p99)} ms   max ${f(end.eventLoopLagMs.max)} ms`);
    console.log(`patch interval      p50 ${f(percentile(sortedPatches, 50), 1)} ms   p99 ${f(percentile(sortedPatches, 99), 1)} ms   (seen by clients, ${sortedPatches.length} patches)`);
    console.log(`server CPU          ${f(cpuPerClientSecond, 3)} ms per client-second   (${f(((cpu1 - cpu0) / (elapsed * 1000)) * 100, 1)} % of one core)`);
    console.log(`server RSS          ${end.rssMB} MB   write-behind backlog ${end.db.writeBacklog}`);
    const b0 = before?.counters?.behavior, b1 = end.inference?.counters?.behavior;
    const c0 = before?.counters?.chat, c1 = end.inference?.counters?.chat;
    if (!b0 || !b1 || !c0 || !c1) {
      console.log(`inference           off`);
    } else {
      const perSecond = (n: number) => f(n / elapsed, 0);
      console.log(`inference           ${end.inference!.backend}; behavior ${perSecond(b1.requests - b0.requests)} windows/s offered at ${CLASSIFY_HZ} Hz a player, `
        + `${perSecond(b1.scored - b0.scored)}/s scored in ${perSecond(b1.batches - b0.batches)} batches/s (largest ${b1.maxBatch}); chat ${perSecond(c1.scored - c0.scored)} msgs/s scored`);
    }
  } finally {
    await Promise.allSettled(bots.map((b) => b.room.leave()));
    const code = await server.stop();
    if (code !== 0) console.error(`server exited with ${code}:\n${server.output().slice(-2000)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
