/**
 * Moderation benchmark: players chat in several rooms of the real server (a separate
 * process on 127.0.0.1) while a moderator console in Chromium keeps its open queue on
 * screen. Measures (a) chat line sent → the `chat` broadcast received by the other player in
 * the room, and (b) a line the pipeline flags: sent → its row visible in the console's queue.
 * Senders keep to the room's chat rate limit (one line every 2 s per player after a burst of
 * 5), so the load is many players at a realistic pace rather than one player spamming.
 *
 *   npm run bench:moderation -- --messages 200 --rooms 5 --players 2 --toxic 0.4
 *
 * Every line carries a marker ("[q17]") and a clientId: the sender's `chatAck` maps the
 * clientId to the stored id, which is what the broadcast carries (a masked line is broadcast
 * as asterisks, so its text cannot be matched); the console row is found by the marker.
 * Node and Chromium stamp times as performance.timeOrigin + performance.now(): one clock.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client, type Room } from '@colyseus/sdk';
import {
  ARENA_ROOM, ClientMessage, ServerMessage,
  type ChatAck, type ChatBroadcast, type ErrorMessage, type LoginResponse,
} from '@pulse-arena/shared';
import { launchChromium, type ChromiumSession } from '../e2e/chromium.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { percentile } from '../helpers/percentile.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '5' },
    players: { type: 'string', default: '2' },
    toxic: { type: 'string', default: '0.4' },
  },
});
const MESSAGES = Number(args.messages), ROOMS = Number(args.rooms), PLAYERS = Number(args.players), TOXIC_SHARE = Number(args.toxic);
for (const [k, v] of Object.entries({ messages: MESSAGES, rooms: ROOMS })) {
  if (!Number.isInteger(v) || v <= 0 || v > 5000) throw new Error(`--${k} must be a whole number from 1 to 5000`);
}
if (!Number.isInteger(PLAYERS) || PLAYERS < 2 || PLAYERS > 4) throw new Error('--players: 2 to 4 per room (someone must receive)');
if (!(TOXIC_SHARE >= 0 && TOXIC_SHARE <= 1)) throw new Error('--toxic must be a share from 0 to 1');

/** One line per player every 2.2 s: just under the room's limit of one per 2 s, with slack for timer jitter. */
const PACE_MS = 2200;
/** After the last line: how long acks, broadcasts and console rows may still arrive. */
const GRACE_MS = 15_000;
const ADMIN_PASSWORD = 'bench-admin-password';
const MODERATOR = { username: 'bench-moderator', password: 'bench-moderator-password', role: 'moderator' };

const CLEAN = [
  'gg everyone, that wave was close', 'anyone want to team up on the left side?', 'nice shot, how did you hit that',
  'brb grabbing a drink', 'the new map looks great', 'careful, healer spawning behind you', 'lol that dash was clean',
  'good luck have fun', 'who has the shotgun loadout?', 'one more round and I am off to bed',
];
const TOXIC = [
  'you are a worthless idiot, uninstall the game', 'shut up you stupid loser nobody likes you', 'kys you pathetic trash',
  'you absolute moron, go back to the tutorial', 'worst player ever, you are garbage and you know it', 'nobody wants you here, idiot',
  // Milder: what the policy may mask or hold rather than block.
  'ugh you are so bad at this game', 'what a dumb play, learn to dodge', 'stop feeding, you noob',
];

interface Sender {
  room: Room;
}

interface Line {
  marker: string;
  sender: Sender;
  text: string;
  toxic: boolean;
  sentAt: number;
  ack?: ChatAck;
  error?: ErrorMessage;
}

const now = () => performance.timeOrigin + performance.now();

const ms = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(1));

async function login(server: ServerProcess, username: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as LoginResponse).token;
}

/** Signs the moderator in and starts recording, per marker, when its row first shows in the queue. */
async function openConsole(browser: ChromiumSession, server: ServerProcess): Promise<void> {
  const { page } = browser;
  await page.goto(`${server.url}/moderator/`);
  await page.locator('#login-username').fill(MODERATOR.username);
  await page.locator('#login-password').fill(MODERATOR.password);
  await page.locator('#login-submit').click();
  await page.locator('#stream-status[data-state="live"]').waitFor({ timeout: 30_000 });
  // A string, not a function: tsx would wrap the function's inner names in a helper the page does not have.
  await page.evaluate(`(() => {
    const seen = (window.__seen = {});
    const scan = (node) => {
      if (!(node instanceof Element)) return;
      const cells = node.matches('.queue-row__text') ? [node] : [...node.querySelectorAll('.queue-row__text')];
      for (const cell of cells) {
        for (const m of (cell.textContent ?? '').matchAll(/\\[(q\\d+)\\]/g)) seen[m[1]] ??= performance.timeOrigin + performance.now();
      }
    };
    new MutationObserver((records) => {
      for (const r of records) r.addedNodes.forEach(scan);
    }).observe(document.querySelector('#queue-body'), { childList: true, subtree: true });
  })()`);
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build-client.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const server = await startServerProcess({ env: { ADMIN_PASSWORD } });
  let browser: ChromiumSession | undefined;
  const senders: Sender[] = [];
  const started = Date.now();
  try {
    const admin = await login(server, 'admin', ADMIN_PASSWORD);
    const created = await fetch(`${server.url}/api/admin/accounts`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify(MODERATOR),
    });
    if (created.status !== 201) throw new Error(`creating the moderator: ${created.status} ${await created.text()}`);

    const lines = new Map<string, Line>();
    /** Stored id → when the first peer got its broadcast. */
    const received = new Map<string, number>();
    const errors = new Map<string, number>();
    const ws = server.url.replace('http', 'ws');
    for (let r = 0; r < ROOMS; r++) {
      const inRoom: Sender[] = [];
      for (let p = 0; p < PLAYERS; p++) {
        const client = new Client(ws);
        const name = `bench${r}-${p}`;
        const room = inRoom[0] ? await client.joinById(inRoom[0].room.roomId, { name }) : await client.create(ARENA_ROOM, { name, roomName: `bench ${r}` });
        const sender: Sender = { room };
        room.onMessage(ServerMessage.Chat, (m: ChatBroadcast) => {
          if (m.sessionId !== room.sessionId && !received.has(m.id)) received.set(m.id, now());
        });
        room.onMessage(ServerMessage.ChatAck, (ack: ChatAck) => {
          const line = ack.clientId ? lines.get(ack.clientId) : undefined;
          if (line) line.ack = ack;
        });
        room.onMessage(ServerMessage.Error, (e: ErrorMessage) => {
          errors.set(e.code, (errors.get(e.code) ?? 0) + 1);
        });
        room.onMessage('*', () => undefined);
        inRoom.push(sender);
        senders.push(sender);
      }
    }

    browser = await launchChromium();
    browser.page.on('pageerror', (err) => console.error(`console page error: ${err.message}`));
    await openConsole(browser, server);

    // Line i goes to sender i mod S; each sender speaks every PACE_MS, senders spread across the interval.
    const S = senders.length;
    const sendAll = Array.from({ length: S }, (_, s) => (async () => {
      await new Promise((r) => setTimeout(r, (s * PACE_MS) / S));
      for (let i = s, round = 0; i < MESSAGES; i += S, round++) {
        const marker = `q${i}`;
        const toxic = (i * 0.618_033_99) % 1 < TOXIC_SHARE;
        const pool = toxic ? TOXIC : CLEAN;
        const text = `${pool[(i * 7 + round) % pool.length]} [${marker}]`;
        const line: Line = { marker, sender: senders[s]!, text, toxic, sentAt: now() };
        lines.set(marker, line);
        senders[s]!.room.send(ClientMessage.Chat, { text, clientId: marker });
        if (i + S < MESSAGES) await new Promise((r) => setTimeout(r, PACE_MS));
      }
    })());
    const deadline = Date.now() + Math.ceil(MESSAGES / S) * PACE_MS + 60_000;
    await Promise.race([Promise.all(sendAll), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);

    // Wait for the stragglers: every ack, the broadcasts of delivered lines, the rows of held and blocked ones.
    const page = browser.page;
    const seenInPage = () => page.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen);
    const settleBy = Date.now() + GRACE_MS;
    let seen: Record<string, number> = {};
    for (;;) {
      seen = await seenInPage();
      const pending = [...lines.values()].filter((l) => !l.ack
        || (l.ack.status === 'delivered' && !received.has(l.ack.id))
        || (l.ack.status !== 'delivered' && seen[l.marker] === undefined));
      if (pending.length === 0 || Date.now() > settleBy) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    const all = [...lines.values()];
    const delivered = all.filter((l) => l.ack?.status === 'delivered');
    const broadcast = delivered.flatMap((l) => (received.has(l.ack!.id) ? [received.get(l.ack!.id)! - l.sentAt] : [])).sort((a, b) => a - b);
    const flagged = all.flatMap((l) => (seen[l.marker] !== undefined ? [seen[l.marker]! - l.sentAt] : [])).sort((a, b) => a - b);
    const withheld = all.filter((l) => l.ack && l.ack.status !== 'delivered');
    const missing = withheld.filter((l) => seen[l.marker] === undefined).length;
    const count = (status: ChatAck['status']) => all.filter((l) => l.ack?.status === status).length;
    const masked = delivered.filter((l) => seen[l.marker] !== undefined).length;

    const row = (label: string, xs: number[], p99 = true) =>
      `${label.padEnd(30)}${String(xs.length).padStart(7)}${ms(percentile(xs, 50)).padStart(9)}${ms(percentile(xs, 95)).padStart(9)}`
      + `${(p99 ? ms(percentile(xs, 99)) : '—').padStart(9)}${ms(xs.at(-1) ?? NaN).padStart(9)}`;
    console.log('');
    console.log(`moderation bench: ${all.length} of ${MESSAGES} lines sent by ${S} players in ${ROOMS} rooms `
      + `(one line per player every ${PACE_MS / 1000} s, ${Math.round(TOXIC_SHARE * 100)}% toxic), ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
    console.log(`${'latency, ms'.padEnd(30)}${'count'.padStart(7)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'p99'.padStart(9)}${'max'.padStart(9)}`);
    console.log(row('chat → broadcast to peer', broadcast));
    console.log(row('chat → flag row in console', flagged, false));
    console.log('');
    console.log(`lines: ${all.filter((l) => l.toxic).length} toxic, ${all.filter((l) => !l.toxic).length} clean`);
    console.log(`acks: ${count('delivered')} delivered (${masked} of them flagged, e.g. masked), ${count('held')} held, ${count('blocked')} blocked, `
      + `${all.length - all.filter((l) => l.ack).length} without an ack`);
    console.log(`broadcasts missing for delivered lines: ${delivered.length - broadcast.length}; held/blocked lines never shown in the console: ${missing}`);
    console.log(`lines refused: ${errors.size ? [...errors].map(([code, n]) => `${code} ${n}`).join(', ') : 'none'}`);
  } finally {
    await Promise.all(senders.map((s) => s.room.leave().catch(() => undefined)));
    await browser?.close();
    await server.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
