/**
 * Fuzzer: a real server process (127.0.0.1 only) takes a storm of hostile input and must
 * come out alive, with no room corrupted and every refusal counted in /metrics.
 *  - game messages: `--messages` random and mutated messages of every type (wrong types,
 *    NaN/Infinity, deep nesting, long strings, `__proto__`, unknown types) from `--clients`
 *    @colyseus/sdk clients, each kept under Colyseus's own per-client message cap; every
 *    one of them is invalid, so the server's invalid + unknown-type counters must equal
 *    what was sent, exactly;
 *  - floods: `--flooders` clients send valid chat far above the chat rate limit;
 *  - honest players (one per room) keep playing and must keep receiving state;
 *  - HTTP: `--http` requests with random methods, paths, bodies, content types and tokens
 *    against every API route; none may get a 5xx.
 *
 *   npm run fuzz -- --messages 100000 --clients 50 --flooders 10 --http 5000
 */
import { parseArgs } from 'node:util';
import { Client, type Room } from '@colyseus/sdk';
import { ARENA_ROOM, ClientMessage, type ArenaStateView } from '@pulse-arena/shared';
import { startServerProcess } from '../helpers/serverProcess.js';
import { scrapeMetrics } from '../helpers/metrics.js';
import { mutatedChat, mutatedInput, mutatedRecommendation, mutatedReport, prng, randomType, randomValue } from '../helpers/junk.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '50' },
    flooders: { type: 'string', default: '10' },
    http: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '20261201' },
  },
});
const MESSAGES = Number(args.messages), CLIENTS = Number(args.clients), FLOODERS = Number(args.flooders), HTTP = Number(args.http);
for (const [k, v, max] of [['messages', MESSAGES, 1e6], ['clients', CLIENTS, 500], ['flooders', FLOODERS, 100], ['http', HTTP, 1e5]] as const) {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new Error(`--${k} must be an integer in [0, ${max}]`);
}
const rand = prng(Number(args.seed));

/** 10 messages every 250 ms: 40/s, under the 60/s at which Colyseus drops a client. */
const BURST = 10, BURST_MS = 250;

const UUID = () => ['00000000-0000-4000-8000-000000000000', crypto.randomUUID(), 'not-a-uuid', '../../etc/passwd', '%00', 'x'.repeat(300)][Math.floor(rand() * 6)]!;
const PATHS = [
  '/health', '/metrics', '/api/rooms', '/api/capacity', '/api/recommendations?playerId=' , '/api/auth/login', '/api/auth/logout', '/api/auth/register', '/api/auth/me',
  '/api/admin/accounts', '/api/designer/rulesets', '/api/designer/rulesets/live', '/api/designer/rulesets/', '/api/designer/rulesets/validate',
  '/api/designer/dry-run', '/api/designer/decisions?limit=', '/api/designer/live', '/api/designer/models', '/api/moderation/flags?status=',
  '/api/moderation/flags/', '/api/moderation/stream', '/api/moderation/players/', '/api/moderation/audit?limit=', '/api/admin/players/',
  '/v1/models', '/v1/models/chat', '/v1/models/behavior:predict', '/v1/models/chat:predict', '/v1/models/', '/admin/stats/reset',
];

function randomRequest(): { method: string; url: string; init: RequestInit } {
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  const method = methods[Math.floor(rand() * methods.length)]!;
  let path = PATHS[Math.floor(rand() * PATHS.length)]!;
  if (path.endsWith('/') || path.endsWith('=')) path += rand() < 0.5 ? UUID() : String(randomValue(rand)).slice(0, 50);
  const TAILS = ['/claim', '/release', '/actions', '/publish', '/export', '/metadata'];
  if (rand() < 0.2) path += TAILS[Math.floor(rand() * TAILS.length)];
  const headers: Record<string, string> = {};
  const r = rand();
  if (r < 0.3) headers['content-type'] = 'application/json';
  else if (r < 0.4) headers['content-type'] = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16'][Math.floor(rand() * 4)]!;
  if (rand() < 0.4) headers.authorization = ['Bearer ', 'Bearer x.y.z', 'Basic YWRtaW46YWRtaW4=', `Bearer ${'a'.repeat(5000)}`, 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.'][Math.floor(rand() * 5)]!;
  if (rand() < 0.1) headers.cookie = `pulse_session=${'z'.repeat(Math.floor(rand() * 4000))}`;
  let body: string | undefined;
  if (method !== 'GET' && method !== 'OPTIONS') {
    const b = rand();
    if (b < 0.5) body = JSON.stringify(randomValue(rand)) ?? 'null';
    else if (b < 0.6) body = '{"instances": [' + '[1,'.repeat(2000) + ']';
    else if (b < 0.7) body = 'x'.repeat(Math.floor(rand() * 2_000_000));
    else if (b < 0.8) body = JSON.stringify({ instances: Array.from({ length: 300 }, () => 'hi') });
    else if (b < 0.9) body = JSON.stringify({ ruleSet: randomValue(rand), username: randomValue(rand), password: randomValue(rand), action: 'mute' });
    else body = '\u0000\uffff{"__proto__":{"admin":true}}';
  }
  return { method, url: path, init: { method, headers, ...(body !== undefined && { body }) } };
}

async function main(): Promise<void> {
  const server = await startServerProcess({ env: { INFERENCE: 'on' } });
  const sdk = new Client(server.url.replace('http', 'ws'));
  const started = performance.now();
  try {
    // Rooms of four: one honest player and three attackers each.
    const attackers: Array<Room<unknown, ArenaStateView>> = [];
    const honest: Array<{ room: Room<unknown, ArenaStateView>; patches: number; seq: number }> = [];
    while (attackers.length < CLIENTS) {
      const room = await sdk.create<ArenaStateView>(ARENA_ROOM, { name: `honest${honest.length}` });
      const h = { room, patches: 0, seq: 0 };
      room.onStateChange(() => { h.patches++; });
      room.onMessage('*', () => undefined);
      honest.push(h);
      for (let i = 0; i < 3 && attackers.length < CLIENTS; i++) {
        const a = await sdk.joinById<ArenaStateView>(room.roomId, { name: `fuzz${attackers.length}` });
        a.onMessage('*', () => undefined);
        attackers.push(a);
      }
    }
    const flooders: Array<Room<unknown, ArenaStateView>> = [];
    for (let i = 0; i < FLOODERS; i++) {
      const f = await sdk.create<ArenaStateView>(ARENA_ROOM, { name: `flood${i}` });
      f.onMessage('*', () => undefined);
      flooders.push(f);
    }
    const m0 = await scrapeMetrics(server.url);

    // HTTP fuzz runs beside the message storm, a few requests at a time.
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    const httpDone = (async () => {
      for (let i = 0; i < HTTP; i += 8) {
        await Promise.all(Array.from({ length: Math.min(8, HTTP - i) }, async () => {
          const { method, url, init } = randomRequest();
          const res = await fetch(`${server.url}${url}`, init).catch(() => null);
          const status = res?.status ?? 0;
          await res?.body?.cancel().catch(() => undefined);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 500 || status === 0) fiveHundreds.push(`${method} ${url.slice(0, 80)} → ${status || 'no answer'}`);
        }));
      }
    })();

    let sent = 0, unknownSent = 0, floodSent = 0;
    const bursts = Math.ceil(MESSAGES / (CLIENTS * BURST));
    for (let burst = 0; burst < bursts && sent < MESSAGES; burst++) {
      for (const a of attackers) {
        for (let i = 0; i < BURST && sent < MESSAGES; i++, sent++) {
          const r = rand();
          if (r < 0.35) a.send(ClientMessage.Input, mutatedInput(rand));
          else if (r < 0.55) a.send(ClientMessage.Input, randomValue(rand));
          else if (r < 0.7) a.send(ClientMessage.Chat, mutatedChat(rand));
          else if (r < 0.75) a.send(ClientMessage.Recommendation, mutatedRecommendation(rand));
          else if (r < 0.8) a.send(ClientMessage.Report, mutatedReport(rand));
          else if (r < 0.9) a.send(ClientMessage.Chat, randomValue(rand));
          else { a.send(randomType(rand) as string, randomValue(rand)); unknownSent++; }
        }
      }
      // Flooders: valid chat at 20 a second each, far over the chat limit.
      for (const f of flooders) for (let i = 0; i < 5; i++) f.send(ClientMessage.Chat, { text: `flood ${floodSent++}` });
      for (const h of honest) h.room.send(ClientMessage.Input, { seq: ++h.seq, moveX: burst % 40 < 20 ? 1 : -1, moveY: 0, aim: 0, fire: burst % 2 === 0, dash: false });
      await new Promise((r) => setTimeout(r, BURST_MS));
    }
    await httpDone;
    await new Promise((r) => setTimeout(r, 2_000));
    const seconds = (performance.now() - started) / 1000;

    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string; clients: number };
    const m1 = await scrapeMetrics(server.url);
    const d = (reason: string) => { const k = `pulse_client_messages_rejected_total{reason="${reason}"}`; return (m1.get(k) ?? 0) - (m0.get(k) ?? 0); };
    const invalid = d('invalid_message'), unknown = d('unknown_type'), limited = d('rate_limited'), spam = d('spam');
    // Every room still sane: finite positions inside the arena, the honest players' inputs applied, state still streaming.
    let corrupted = 0;
    for (const h of honest) {
      h.room.state.players.forEach((p) => { if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || !Number.isFinite(p.hp)) corrupted++; });
    }
    const starved = honest.filter((h) => h.patches < seconds * 5).length;

    console.log(`Pulse Arena fuzzer — ${CLIENTS} attackers, ${FLOODERS} flooders, ${honest.length} honest players, ${seconds.toFixed(1)} s`);
    console.log(`game messages       ${sent} hostile sent (${unknownSent} of unknown types); server refused ${invalid} invalid + ${unknown} unknown type = ${invalid + unknown} ${invalid + unknown === sent ? '(all counted)' : `(MISMATCH: ${sent - invalid - unknown} not counted)`}`);
    console.log(`chat floods         ${floodSent} valid lines sent above the limit; ${limited} refused as rate-limited, ${spam} as spam`);
    console.log(`HTTP                ${HTTP} requests: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s || 'none'}×${n}`).join(' ')}; 5xx or no answer: ${fiveHundreds.length}${fiveHundreds.length ? `\n  ${fiveHundreds.slice(0, 5).join('\n  ')}` : ''}`);
    console.log(`server              /health ${health.status}, ${health.clients} clients connected; rooms with non-finite state: ${corrupted}; honest players starved of state: ${starved}; RSS ${Math.round((m1.get('pulse_process_resident_memory_bytes') ?? 0) / 2 ** 20)} MB`);
    const ok = invalid + unknown === sent && fiveHundreds.length === 0 && corrupted === 0 && starved === 0 && health.status === 'ok' && health.clients === honest.length + CLIENTS + FLOODERS;
    console.log(ok ? 'result              PASS' : 'result              FAIL');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
