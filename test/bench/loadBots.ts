/**
 * One load-generator process of `npm run loadtest` (started by test/bench/loadtest.ts, never
 * by hand): joins its share of @colyseus/sdk players to the server, four to a room, plays
 * the scripted styles (aggressive, evasive, collector, novice, idle) and chats, then prints
 * one JSON line with what its players saw: joins and failures, patch intervals and chat
 * acknowledgement times (1 ms histograms, so the parent can merge processes exactly).
 *
 * argv[2]: JSON {@link BotJob}. Prints "ready" once every player joined (or failed), starts
 * playing, and on a "go" line on stdin warms up, measures and prints the result line; on
 * "stop" it leaves and exits. It stops by itself if either line is late (60 s, 30 s).
 */
import { pathToFileURL } from 'node:url';
import { Client, type Room } from '@colyseus/sdk';
import {
  ARENA_ROOM, ClientMessage, ServerMessage, TICK_MS,
  type ArenaStateView, type ChatAck, type ErrorMessage, type InputMessage, type PlayerView, type WelcomeMessage,
} from '@pulse-arena/shared';

export interface BotJob {
  url: string;
  clients: number;
  /** Index of this process's first player (names and styles continue across processes). */
  first: number;
  /** Joins per second this process makes (a ramp, not a storm). */
  joinRate: number;
  /** Measurement starts this long after "ready" … */
  warmupMs: number;
  /** … and lasts this long. */
  measureMs: number;
  /** Seconds between two chat lines of one player (about; jittered). */
  chatEverySeconds: number;
}

export interface BotResult {
  joined: number;
  joinFailures: number;
  joinErrors: string[];
  /** patchHist[i] = patch intervals in [i, i+1) ms; the last bucket holds everything longer. */
  patchHist: number[];
  ackHist: number[];
  chatSent: number;
  chatAcked: number;
  chatRefused: Record<string, number>;
  disconnected: number;
}

export const HIST_MS = 2000;

const STYLES = ['aggressive', 'evasive', 'collector', 'novice', 'idle'] as const;
type Style = (typeof STYLES)[number];
const LINES = [
  'gg', 'nice shot!', 'anyone need ammo?', 'left side, watch out', 'gl hf', 'that wave was rough',
  'wp team', 'brb', 'lol', 'you are all trash, uninstall', 'ez noobs', 'thanks for the heal',
];

interface Bot {
  room: Room<unknown, ArenaStateView>;
  style: Style;
  sessionId: string;
  seq: number;
  phase: number;
  lastPatch: number;
  nextChatAt: number;
  /** Chat lines awaiting their ack: send time, and whether it was sent while measuring. */
  pending: Map<string, { at: number; measured: boolean }>;
}

function nearest<T extends { x: number; y: number }>(me: PlayerView, things: { forEach(cb: (v: T) => void): void }): T | null {
  let best: T | null = null;
  let bestD = Infinity;
  things.forEach((t) => {
    const d = (t.x - me.x) ** 2 + (t.y - me.y) ** 2;
    if (d < bestD) { bestD = d; best = t; }
  });
  return best;
}

/** This tick's input for a style, from what the player sees. */
function play(bot: Bot): InputMessage | null {
  const s = bot.room.state;
  const me = s.players?.get(bot.sessionId);
  if (!me || bot.style === 'idle') return null;
  const t = (bot.seq + bot.phase) / 20;
  const input: InputMessage = { seq: ++bot.seq, moveX: 0, moveY: 0, aim: 0, fire: false, dash: false };
  const enemy = nearest(me, s.enemies);
  const toward = (x: number, y: number) => {
    const dx = x - me.x, dy = y - me.y, d = Math.hypot(dx, dy) || 1;
    return [dx / d, dy / d] as const;
  };
  if (enemy) input.aim = Math.atan2(enemy.y - me.y, enemy.x - me.x);
  switch (bot.style) {
    case 'aggressive': {
      if (enemy) [input.moveX, input.moveY] = toward(enemy.x, enemy.y);
      input.fire = enemy !== null;
      input.dash = bot.seq % 50 === 0;
      break;
    }
    case 'evasive': {
      if (enemy) {
        const [x, y] = toward(enemy.x, enemy.y);
        [input.moveX, input.moveY] = [-y * 0.8 - x * 0.6, x * 0.8 - y * 0.6];
      }
      input.fire = enemy !== null && bot.seq % 3 === 0;
      break;
    }
    case 'collector': {
      const pickup = nearest(me, s.pickups);
      if (pickup) [input.moveX, input.moveY] = toward(pickup.x, pickup.y);
      else [input.moveX, input.moveY] = [Math.cos(t / 3), Math.sin(t / 2)];
      input.fire = enemy !== null && bot.seq % 5 === 0;
      break;
    }
    case 'novice': {
      [input.moveX, input.moveY] = [Math.cos(t * 7 + Math.sin(t * 3)), Math.sin(t * 5)];
      input.aim = (input.aim + Math.sin(t * 11)) % Math.PI;
      input.fire = bot.seq % 7 < 3;
      break;
    }
  }
  return input;
}

/**
 * The SDK warns once per refused join ("Room connection was closed unexpectedly"); this
 * process already counts those and keeps the first reasons, so with a server at its
 * MAX_PLAYERS the warning would only bury the summary.
 */
function quietRefusedJoins(): void {
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Room connection was closed unexpectedly')) return;
    warn(...args);
  };
}

async function main(): Promise<void> {
  quietRefusedJoins();
  const job = JSON.parse(process.argv[2] ?? '{}') as BotJob;
  const result: BotResult = {
    joined: 0, joinFailures: 0, joinErrors: [], patchHist: new Array<number>(HIST_MS + 1).fill(0), ackHist: new Array<number>(HIST_MS + 1).fill(0),
    chatSent: 0, chatAcked: 0, chatRefused: {}, disconnected: 0,
  };
  let measuring = false;
  const record = (hist: number[], ms: number) => { hist[Math.min(HIST_MS, Math.max(0, Math.floor(ms)))]!++; };
  const sdk = new Client(job.url.replace(/^http/, 'ws'));
  const bots: Bot[] = [];
  const joinGap = 1000 / job.joinRate;
  for (let i = 0; i < job.clients; i++) {
    const started = performance.now();
    const n = job.first + i;
    try {
      const room = await sdk.joinOrCreate<ArenaStateView>(ARENA_ROOM, { name: `load${n}` });
      const bot: Bot = {
        room, style: STYLES[n % STYLES.length]!, sessionId: room.sessionId, seq: 0, phase: Math.random() * 100,
        lastPatch: 0, nextChatAt: Date.now() + Math.random() * job.chatEverySeconds * 1000, pending: new Map(),
      };
      room.onMessage(ServerMessage.Welcome, (w: WelcomeMessage) => { bot.sessionId = w.sessionId; });
      room.onMessage(ServerMessage.ChatAck, (a: ChatAck) => {
        const sent = a.clientId ? bot.pending.get(a.clientId) : undefined;
        if (sent === undefined) return;
        bot.pending.delete(a.clientId!);
        if (sent.measured) { result.chatAcked++; record(result.ackHist, performance.now() - sent.at); }
      });
      room.onMessage(ServerMessage.Error, (e: ErrorMessage) => {
        if (e.type === 'chat' && measuring) result.chatRefused[e.code] = (result.chatRefused[e.code] ?? 0) + 1;
      });
      room.onMessage('*', () => undefined);
      room.onStateChange(() => {
        const now = performance.now();
        if (measuring && bot.lastPatch) record(result.patchHist, now - bot.lastPatch);
        bot.lastPatch = now;
      });
      room.onLeave(() => { if (measuring) result.disconnected++; });
      bots.push(bot);
      result.joined++;
    } catch (err) {
      result.joinFailures++;
      if (result.joinErrors.length < 5) result.joinErrors.push(err instanceof Error ? err.message : String(err));
    }
    const wait = joinGap - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  console.log('ready');

  // One timer drives every player of this process at the tick rate.
  let chatId = 0;
  const driver = setInterval(() => {
    const now = Date.now();
    for (const bot of bots) {
      const input = play(bot);
      if (input) bot.room.send(ClientMessage.Input, input);
      if (bot.style !== 'idle' && now >= bot.nextChatAt) {
        bot.nextChatAt = now + job.chatEverySeconds * 1000 * (0.75 + Math.random() / 2);
        const clientId = `c${chatId++}`;
        bot.pending.set(clientId, { at: performance.now(), measured: measuring });
        if (measuring) result.chatSent++;
        bot.room.send(ClientMessage.Chat, { text: `${LINES[chatId % LINES.length]} ${chatId}`, clientId });
      }
    }
  }, TICK_MS);
  await new Promise<void>((resolve) => {
    const giveUp = setTimeout(resolve, 60_000);
    process.stdin.on('data', (d) => { if (d.toString().includes('go')) { clearTimeout(giveUp); resolve(); } });
  });
  await new Promise((r) => setTimeout(r, job.warmupMs));
  measuring = true;
  await new Promise((r) => setTimeout(r, job.measureMs));
  measuring = false;
  clearInterval(driver);
  console.log(JSON.stringify(result));
  // Stay connected until the parent has read the server's figures.
  await new Promise<void>((resolve) => {
    const giveUp = setTimeout(resolve, 30_000);
    process.stdin.on('data', (d) => { if (d.toString().includes('stop')) { clearTimeout(giveUp); resolve(); } });
  });
  await Promise.allSettled(bots.map((b) => b.room.leave()));
  process.exit(0);
}

// Run only as the load process itself; loadtest.ts imports this file for its types.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
