/**
 * The moderation loop with real pieces: rooms with @colyseus/sdk clients, the real chat
 * model in the inference host, a real database, and the moderator API over HTTP. A toxic
 * line is blocked or held and flagged (the flag reaches the live stream); personal data
 * never reaches the database or other players; a moderator's mute, warning, ban and
 * approval take effect on live players, and a lifted mute or ban ends early; every action
 * lands in the audit log; a player's
 * data can be exported and erased.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ArenaCloseCode, CLAIM_LAPSE_MINUTES, ClientMessage, ServerMessage,
  type AuditEntry, type ChatAck, type ChatBroadcast, type ErrorMessage, type FlagDetail, type FlagSummary,
  type LiftSanctionResult, type ModerationActionResult, type ModerationNotice, type PlayerExport, type PlayerHistory, type ReportAck,
} from '@pulse-arena/shared';
// Before the database modules (see test/rooms/liveModels.test.ts).
import { bootArena, type ArenaClientRoom, type BootedArena } from '../helpers/arenaServer.js';
import { SdkBot } from '../helpers/sdkBot.js';
import { Accounts } from '../../server/src/auth/accounts.js';
import type { Database } from '../../server/src/db/database.js';
import { WriteBehindQueue } from '../../server/src/db/writeBehind.js';
import { InferenceHost } from '../../server/src/inference/host.js';
import { ChatPipeline, DEFAULT_CHAT_POLICY, SENDER_REASON } from '../../server/src/moderation/chatPipeline.js';
import type { Moderation } from '../../server/src/moderation/moderation.js';
import { Sanctions } from '../../server/src/moderation/sanctions.js';
import { implementations } from '../db/helpers.js';
import { localModeration } from '../helpers/moderation.js';

let arena: BootedArena;
let host: InferenceHost;
let db: Database;
let writes: WriteBehindQueue;
let disposeDb: () => Promise<void>;
let moderation: Moderation;
let accounts: Accounts;
let token: string;
let adminToken: string;
const flagEvents: FlagSummary[] = [];
let stream: AbortController;

beforeAll(async () => {
  const made = await implementations[0]!.create();
  disposeDb = made.dispose;
  db = await made.open();
  writes = new WriteBehindQueue(db.sql, { flushIntervalMs: 100 });
  host = new InferenceHost({ log: () => undefined });
  expect(await host.ready(60_000)).toBe(true);
  accounts = await Accounts.open(db.prisma);
  moderation = await localModeration(db.prisma);
  // A wide "hold" band, so abusive lines are held (and can be approved) rather than mostly blocked.
  arena = await bootArena(writes, {
    inference: host, accounts, prisma: db.prisma, moderation,
    chatPolicy: { ...DEFAULT_CHAT_POLICY, holdAt: 0.75, blockAt: 0.999 },
  });
  await accounts.create('mia', 'moderator-password', 'moderator');
  await accounts.create('root', 'admin-password-1', 'admin');
  token = (await accounts.login('mia', 'moderator-password')).token;
  adminToken = (await accounts.login('root', 'admin-password-1')).token;
  // The console's live stream, read as a browser would.
  stream = new AbortController();
  const res = await fetch(`${arena.http}/api/moderation/stream`, { headers: { authorization: `Bearer ${token}` }, signal: stream.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: flag\ndata: (.*)$/m.exec(event);
        if (data) flagEvents.push(JSON.parse(data[1]!) as FlagSummary);
      }
    }
  })().catch(() => undefined);
}, 120_000);

afterAll(async () => {
  stream?.abort();
  await arena?.shutdown();
  await host?.close();
  await writes?.close();
  await db?.close();
  await disposeDb?.();
});

interface Listener {
  chat: ChatBroadcast[];
  acks: ChatAck[];
  errors: ErrorMessage[];
  notices: ModerationNotice[];
}

function listen(room: ArenaClientRoom): Listener {
  const l: Listener = { chat: [], acks: [], errors: [], notices: [] };
  room.onMessage(ServerMessage.Chat, (m: ChatBroadcast) => l.chat.push(m));
  room.onMessage(ServerMessage.ChatAck, (m: ChatAck) => l.acks.push(m));
  room.onMessage(ServerMessage.Error, (m: ErrorMessage) => l.errors.push(m));
  room.onMessage(ServerMessage.Moderation, (m: ModerationNotice) => l.notices.push(m));
  room.onMessage(ServerMessage.Profile, () => undefined);
  return l;
}

const api = async <T>(path: string, body?: unknown, as = token): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${arena.http}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${as}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
};

/** A second moderator's session token (a new account each time). */
const anotherModerator = async (username: string): Promise<string> => {
  await accounts.create(username, 'moderator-password', 'moderator');
  return (await accounts.login(username, 'moderator-password')).token;
};

async function chatAndAck(room: ArenaClientRoom, l: Listener, text: string, clientId: string): Promise<ChatAck> {
  room.send(ClientMessage.Chat, { text, clientId });
  await vi.waitFor(() => expect(l.acks.find((a) => a.clientId === clientId)).toBeDefined(), { timeout: 10_000, interval: 20 });
  return l.acks.find((a) => a.clientId === clientId)!;
}

describe('chat pipeline in live rooms', () => {
  it('delivers clean chat, masks profanity, and acknowledges only what it stored', async () => {
    const alice = await arena.join('Alice');
    const bob = await arena.join('Bob', alice.roomId);
    const [la, lb] = [listen(alice), listen(bob)];
    const ack = await chatAndAck(alice, la, 'gg wp everyone', 'c1');
    expect(ack).toMatchObject({ status: 'delivered', text: 'gg wp everyone' });
    await vi.waitFor(() => expect(lb.chat.map((c) => c.text)).toContain('gg wp everyone'));
    const row = await db.prisma.chatMessage.findUnique({ where: { id: ack.id } });
    expect(row).toMatchObject({ text: 'gg wp everyone', decision: 'allow', held: false, scoredBy: 'chat/v4' });

    const swear = await chatAndAck(alice, la, 'fuck this lag', 'c2');
    expect(swear.status).toBe('delivered');
    expect(swear.text).not.toContain('fuck');
    await vi.waitFor(() => expect(lb.chat.some((c) => c.id === swear.id && !c.text.includes('fuck'))).toBe(true));
    await alice.leave();
    await bob.leave();
  });

  it('stores a line allowed for review with a low flag that reaches the consoles, and the line as delivered', async () => {
    // The pipeline's review band (a line naming a group, between the two mask thresholds);
    // the band itself is tested in chatPolicy.test.ts.
    const text = 'proud to be gay, love this community';
    const result = await new ChatPipeline({
      classifyBehavior: () => Promise.reject(new Error('not used')), status: () => host.status(), behaviorWaitMs: 0, close: async () => undefined,
      scoreChat: async () => ({ sentiment: [0.2, 0.6, 0.2], toxicity: 0.5, scored: true }),
    }, DEFAULT_CHAT_POLICY).process(text);
    expect(DEFAULT_CHAT_POLICY.maskAt).toBeLessThanOrEqual(0.5); // 0.5 is in the band of the served model's thresholds
    expect(DEFAULT_CHAT_POLICY.maskIdentityAt).toBeGreaterThan(0.5);
    expect(result).toMatchObject({ decision: 'allow', review: true });
    const m = {
      id: randomUUID(), roomId: 'review-room', matchId: randomUUID(), matchStartedAt: new Date(), playerId: randomUUID(), name: 'Robin',
      text: result.stored, createdAt: new Date(), decision: result.decision, held: false, filterHits: [],
      scores: { sentiment: result.scores.sentiment, toxicity: result.scores.toxicity, model: 'chat/v4' },
    };
    const flag = await moderation.storeChat(m, result);
    expect(flag).toMatchObject({ kind: 'chat', severity: 1, status: 'open', playerName: 'Robin', text });
    expect(flag!.reason).toMatch(/^for review: names a group, toxicity 0\.50/);
    await vi.waitFor(() => expect(flagEvents.some((f) => f.id === flag!.id)).toBe(true));
    expect(await db.prisma.chatMessage.findUnique({ where: { id: m.id } })).toMatchObject({ text, decision: 'allow', held: false });
    expect((await api<FlagDetail>(`/api/moderation/flags/${flag!.id}`)).body.decision).toBe('allow');
  });

  it('report: a player reports another player\'s line; the moderators get one flag with the line in context', async () => {
    const alice = await arena.join('Alice');
    const bob = await arena.join('Bob', alice.roomId);
    const cara = await arena.join('Cara', alice.roomId);
    const [la, lb, lc] = [listen(alice), listen(bob), listen(cara)];
    const acks = { bob: [] as ReportAck[], cara: [] as ReportAck[] };
    bob.onMessage(ServerMessage.ReportAck, (m: ReportAck) => acks.bob.push(m));
    cara.onMessage(ServerMessage.ReportAck, (m: ReportAck) => acks.cara.push(m));
    // What a player reports is theirs to judge (the moderator decides): any delivered line can be reported.
    const line = await chatAndAck(alice, la, 'buy cheap coins at my shop, dm me', 'r1');
    expect(line.status).toBe('delivered');
    await vi.waitFor(() => expect(lb.chat.some((c) => c.id === line.id)).toBe(true));

    // Bad reports change nothing: wrong shape, unknown reason, no such line, one's own line.
    const refusedBefore = lb.errors.length;
    bob.send(ClientMessage.Report, { messageId: line.id, reason: 'annoying' });
    bob.send(ClientMessage.Report, { messageId: 'nope', reason: 'hate' });
    bob.send(ClientMessage.Report, { messageId: randomUUID(), reason: 'hate' });
    bob.send(ClientMessage.Report, { messageId: line.id, reason: 'hate', extra: 1 });
    alice.send(ClientMessage.Report, { messageId: line.id, reason: 'hate' });
    await vi.waitFor(() => expect(lb.errors.length - refusedBefore).toBe(4));
    expect(lb.errors.slice(refusedBefore).map((e) => e.message)).toEqual([
      'reason: must be one of harassment, hate, threat, sexual, spam, other',
      'messageId: must be a UUID',
      'messageId: no recent chat line in this room has that id',
      'extra: unknown field',
    ]);
    await vi.waitFor(() => expect(la.errors.map((e) => e.message)).toContain('you cannot report your own line'));
    expect(await db.prisma.flag.count({ where: { messageId: line.id } })).toBe(0);

    bob.send(ClientMessage.Report, { messageId: line.id, reason: 'spam' });
    await vi.waitFor(() => expect(acks.bob).toEqual([{ messageId: line.id }]));
    // Acknowledged means stored: the flag is in the database, and on the moderators' live stream.
    const flags = await db.prisma.flag.findMany({ where: { messageId: line.id } });
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ kind: 'report', severity: 2, status: 'open', reason: 'reported by Bob: spam', playerName: 'Alice' });
    await vi.waitFor(() => expect(flagEvents.some((f) => f.id === flags[0]!.id && f.kind === 'report')).toBe(true));
    // A second reporter, and the same reporter again, are thanked without a second flag.
    cara.send(ClientMessage.Report, { messageId: line.id, reason: 'harassment' });
    bob.send(ClientMessage.Report, { messageId: line.id, reason: 'hate' });
    await vi.waitFor(() => expect(acks.cara).toHaveLength(1));
    await vi.waitFor(() => expect(acks.bob).toHaveLength(2));
    expect(await db.prisma.flag.count({ where: { messageId: line.id } })).toBe(1);
    expect(lc.errors).toEqual([]);

    // The moderator sees the reported line itself, in its room's context.
    const detail = await api<FlagDetail>(`/api/moderation/flags/${flags[0]!.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.kind).toBe('report');
    expect(detail.body.text).toBe('buy cheap coins at my shop, dm me');
    expect(detail.body.message?.id).toBe(line.id);
    expect(detail.body.context.map((c) => c.id)).toContain(line.id);
    // Beside the report, what the chat model said of the line when it was sent.
    const row = await db.prisma.chatMessage.findUniqueOrThrow({ where: { id: line.id } });
    expect(detail.body.scores).toEqual({
      toxicity: row.toxicity, sentiment: [row.sentimentNegative, row.sentimentNeutral, row.sentimentPositive],
    });
    expect(detail.body.scores.toxicity).toBeLessThan(DEFAULT_CHAT_POLICY.maskAt);
    for (const r of [alice, bob, cara]) await r.leave();
  });

  it('report: a player may report a few lines at once, then one every 20 s', async () => {
    const alice = await arena.join('Alice');
    const bob = await arena.join('Bob', alice.roomId);
    const [la, lb] = [listen(alice), listen(bob)];
    const acks: ReportAck[] = [];
    bob.onMessage(ServerMessage.ReportAck, (m: ReportAck) => acks.push(m));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await chatAndAck(alice, la, `line number ${i} for the limit`, `lim${i}`)).id);
    await vi.waitFor(() => expect(lb.chat.filter((c) => ids.includes(c.id))).toHaveLength(4));
    const reasons = ['hate', 'threat', 'harassment', 'other'] as const;
    ids.forEach((id, i) => bob.send(ClientMessage.Report, { messageId: id, reason: reasons[i]! }));
    await vi.waitFor(() => expect(acks).toHaveLength(3));
    await vi.waitFor(() => expect(lb.errors.some((e) => e.code === 'rate_limited' && e.type === 'report')).toBe(true));
    const flags = await db.prisma.flag.findMany({ where: { messageId: { in: ids } } });
    // Hate and threats rank high, the rest medium; the fourth report was refused and raised nothing.
    expect(new Map(flags.map((f) => [f.messageId, f.severity]))).toEqual(new Map([[ids[0], 3], [ids[1], 3], [ids[2], 2]]));
    await alice.leave();
    await bob.leave();
  });

  it('never lets an email or phone number reach the database or other players', async () => {
    const alice = await arena.join('Alice');
    const bob = await arena.join('Bob', alice.roomId);
    const [la, lb] = [listen(alice), listen(bob)];
    const lines = ['mail me at jane.doe+gg@example.com for the guide', 'call me on +44 20 7946 0958 after the match', 'text 555-867-5309 lol'];
    const acks: ChatAck[] = [];
    for (const [i, text] of lines.entries()) acks.push(await chatAndAck(alice, la, text, `pii${i}`));
    await vi.waitFor(() => expect(lb.chat.length).toBeGreaterThanOrEqual(lines.length));
    const seen = lb.chat.map((c) => c.text).join('\n');
    const stored = (await db.prisma.chatMessage.findMany({ where: { id: { in: acks.map((a) => a.id) } } })).map((r) => r.text).join('\n');
    for (const secret of ['jane.doe', 'example.com', '7946', '0958', '867-5309', '5309']) {
      expect(seen).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(stored).toContain('[email]');
    expect(stored).toContain('[phone]');
    // Numbers that are not phone numbers stay.
    const wave = await chatAndAck(alice, la, 'wave 12 at 3:45, 250 points', 'num');
    expect(wave.text).toBe('wave 12 at 3:45, 250 points');
    await alice.leave();
    await bob.leave();
  });

  it('holds (or blocks) an abusive line, flags it with its context, and refuses spam', async () => {
    const alice = await arena.join('Alice');
    const troll = await arena.join('Troll', alice.roomId);
    const [la, lt] = [listen(alice), listen(troll)];
    await chatAndAck(alice, la, 'anyone got ammo?', 'a1');
    const abuse = await chatAndAck(troll, lt, 'you are a worthless idiot, uninstall the game and kys', 't1');
    expect(['held', 'blocked']).toContain(abuse.status);
    // The sender gets plain words, not the score a moderator sees.
    expect(abuse.reason).toBe(SENDER_REASON[abuse.status === 'held' ? 'hold' : 'block']);
    expect(la.chat.some((c) => c.id === abuse.id)).toBe(false);
    // The flag is in the database and on the live stream.
    await vi.waitFor(() => expect(flagEvents.some((f) => f.text?.includes('worthless idiot'))).toBe(true), { timeout: 2_000 });
    const flag = flagEvents.find((f) => f.text?.includes('worthless idiot'))!;
    expect(flag).toMatchObject({ kind: 'chat', status: 'open', playerName: 'Troll', roomId: alice.roomId });
    expect(flag.severity).toBeGreaterThanOrEqual(3);
    const detail = await api<FlagDetail>(`/api/moderation/flags/${flag.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.message?.id).toBe(abuse.id);
    expect(detail.body.context.map((c) => c.text)).toContain('anyone got ammo?');
    expect(detail.body.scores.toxicity).toBeGreaterThan(0.75);
    // The same line again within 30 s is spam.
    troll.send(ClientMessage.Chat, { text: 'you are a worthless idiot, uninstall the game and kys' });
    await vi.waitFor(() => expect(lt.errors.some((e) => e.code === 'spam')).toBe(true));
    await alice.leave();
    await troll.leave();
  });
});

describe('moderator actions take effect live', () => {
  async function flaggedPlayer(): Promise<{ room: ArenaClientRoom; other: ArenaClientRoom; l: Listener; lo: Listener; flag: FlagSummary; playerId: string }> {
    const other = await arena.join('Witness');
    const room = await arena.join('Offender', other.roomId);
    const [l, lo] = [listen(room), listen(other)];
    let playerId = '';
    room.onMessage(ServerMessage.Welcome, (w: { playerId: string }) => { playerId = w.playerId; });
    const n = flagEvents.length;
    await chatAndAck(room, l, `shut up you braindead moron ${Math.random().toString(36).slice(2, 6)}`, `f${n}`);
    await vi.waitFor(() => expect(flagEvents.slice(n).some((f) => f.playerName === 'Offender')).toBe(true), { timeout: 2_000 });
    const flag = flagEvents.slice(n).find((f) => f.playerName === 'Offender')!;
    return { room, other, l, lo, flag, playerId: playerId || flag.playerId };
  }

  it('claim, then mute: the player is told, and their next line is refused with the time left', async () => {
    const { room, other, l, flag } = await flaggedPlayer();
    const claim = await api<FlagSummary>(`/api/moderation/flags/${flag.id}/claim`, {});
    expect(claim.body).toMatchObject({ status: 'claimed', assignee: 'mia' });
    const noNote = await api<{ error: string }>(`/api/moderation/flags/${flag.id}/actions`, { action: 'mute', durationSeconds: 3600 });
    expect(noNote.status).toBe(400);
    const muted = await api<ModerationActionResult>(`/api/moderation/flags/${flag.id}/actions`, { action: 'mute', durationSeconds: 3600, note: 'abuse in chat' });
    expect(muted.status).toBe(200);
    expect(muted.body.flag.status).toBe('resolved');
    expect(muted.body.effect).toBe('muted for 1 h; told in 1 live session');
    await vi.waitFor(() => expect(l.notices).toEqual([expect.objectContaining({ kind: 'muted', message: 'abuse in chat' })]));
    room.send(ClientMessage.Chat, { text: 'sorry' });
    await vi.waitFor(() => expect(l.errors.some((e) => e.code === 'muted')).toBe(true));
    expect(l.errors.find((e) => e.code === 'muted')!.message).toMatch(/^you are muted for (59 min|1 h)/);
    const history = await api<PlayerHistory>(`/api/moderation/players/${flag.playerId}`);
    expect(history.body.mutedUntil).not.toBeNull();
    expect(history.body.sanctions[0]).toMatchObject({ kind: 'mute', reason: 'abuse in chat', by: 'mia' });
    const audit = await api<AuditEntry[]>(`/api/moderation/audit?flagId=${flag.id}`);
    expect(audit.body.map((a) => a.action)).toEqual(['mute', 'claim']);
    // A resolved flag cannot be acted on again.
    expect((await api(`/api/moderation/flags/${flag.id}/actions`, { action: 'dismiss' })).status).toBe(409);
    await room.leave();
    await other.leave();
  });

  it('mute resolves the player\'s other open chat flags with it; a cheating flag, and a flag another moderator holds, stay', async () => {
    const { room, other, l, flag } = await flaggedPlayer();
    const n = flagEvents.length;
    await chatAndAck(room, l, 'you are pathetic trash, uninstall', 'c2');
    await chatAndAck(room, l, 'nobody wants you here idiot', 'c3');
    await chatAndAck(room, l, 'shut up loser, you suck so bad', 'c4');
    await vi.waitFor(() => expect(flagEvents.slice(n).filter((f) => f.playerId === flag.playerId && f.kind === 'chat')).toHaveLength(3), { timeout: 2_000 });
    const [second, third, fourth] = flagEvents.slice(n).filter((f) => f.playerId === flag.playerId);
    const cheat = await moderation.flagBehavior({
      playerId: flag.playerId, name: 'Offender', roomId: flag.roomId, matchId: randomUUID(),
      probabilities: { inhuman: 0.97 }, window: new Float32Array(64 * 19), features: 19,
    });
    expect(cheat).not.toBeNull();
    // Another moderator is working the third line.
    const annToken = await anotherModerator(`ann${n}`);
    expect((await api(`/api/moderation/flags/${third!.id}/claim`, {}, annToken)).status).toBe(200);

    expect((await api(`/api/moderation/flags/${flag.id}/actions`, { action: 'mute', durationSeconds: 600, note: 'x', resolveOthers: 'yes' })).status).toBe(400);
    // resolveOthers: false leaves the others for review one by one.
    const warned = await api<ModerationActionResult>(`/api/moderation/flags/${second!.id}/actions`, { action: 'warn', note: 'keep it civil', resolveOthers: false });
    expect(warned.status).toBe(200);
    expect(warned.body.alsoResolved).toEqual([]);
    const muted = await api<ModerationActionResult>(`/api/moderation/flags/${flag.id}/actions`, { action: 'mute', durationSeconds: 600, note: 'abuse, three lines' });
    expect(muted.status).toBe(200);
    expect(muted.body.alsoResolved.map((f) => [f.id, f.status, f.assignee])).toEqual([[fourth!.id, 'resolved', 'mia']]);
    expect(muted.body.effect).toBe('muted for 10 min; told in 1 live session; 1 other open flag of this player resolved with it');
    const byId = async (id: string) => (await api<FlagDetail>(`/api/moderation/flags/${id}`)).body;
    expect((await byId(third!.id))).toMatchObject({ status: 'claimed', assignee: `ann${n}` });
    expect((await byId(cheat!.id)).status).toBe('open');
    // The covered flag's audit names the flag the mute was taken on; the player was muted once.
    const audit = await api<AuditEntry[]>(`/api/moderation/audit?flagId=${fourth!.id}`);
    expect(audit.body).toEqual([expect.objectContaining({ action: 'mute', moderator: 'mia', note: 'abuse, three lines', details: expect.objectContaining({ coveredBy: flag.id }) })]);
    const history = (await api<PlayerHistory>(`/api/moderation/players/${flag.playerId}`)).body;
    expect(history.sanctions.filter((s) => s.kind === 'mute')).toHaveLength(1);
    // The consoles' live stream saw it resolved.
    await vi.waitFor(() => expect(flagEvents.some((f) => f.id === fourth!.id && f.status === 'resolved')).toBe(true), { timeout: 2_000 });
    await room.leave();
    await other.leave();
  });

  it("another moderator's claim refuses every action until it lapses (claiming again renews it); then it is taken over, and the audit says whose it was", async () => {
    const { room, other, flag } = await flaggedPlayer();
    const n = flagEvents.length;
    const boToken = await anotherModerator(`bo${n}`);
    expect((await api(`/api/moderation/flags/${flag.id}/claim`, {}, boToken)).status).toBe(200);
    const held = `flag is claimed by bo${n} (the claim lapses ${CLAIM_LAPSE_MINUTES} min after it was taken)`;
    expect(await api(`/api/moderation/flags/${flag.id}/claim`, {})).toEqual({ status: 409, body: { error: held } });
    for (const body of [{ action: 'dismiss' }, { action: 'escalate' }, { action: 'warn', note: 'x' }]) {
      expect(await api(`/api/moderation/flags/${flag.id}/actions`, body)).toEqual({ status: 409, body: { error: held } });
    }
    // Bo went home: a minute short of the lapse it still holds, at the lapse it is free to take over.
    const claimedAgo = async (minutes: number) => db.prisma.flag.update({ where: { id: flag.id }, data: { updatedAt: new Date(Date.now() - minutes * 60_000) } });
    // The queue API lists a live claim as claimed, and a lapsed one as open work too; it says when it lapses.
    const listed = async () => {
      const [open, claimed] = await Promise.all(['open', 'claimed'].map(async (status) =>
        (await api<FlagSummary[]>(`/api/moderation/flags?status=${status}&limit=500`)).body.find((f) => f.id === flag.id)));
      return { open: open !== undefined, claimed: claimed !== undefined, lapsesAt: (open ?? claimed)?.claimLapsesAt };
    };
    await claimedAgo(CLAIM_LAPSE_MINUTES - 1);
    const stored = await db.prisma.flag.findUniqueOrThrow({ where: { id: flag.id } });
    expect(await listed()).toEqual({ open: false, claimed: true, lapsesAt: new Date(stored.updatedAt.getTime() + CLAIM_LAPSE_MINUTES * 60_000).toISOString() });
    expect((await api(`/api/moderation/flags/${flag.id}/actions`, { action: 'dismiss' })).status).toBe(409);
    // Claiming it again renews bo's claim: the lapse counts from now.
    const renewed = await api<FlagSummary>(`/api/moderation/flags/${flag.id}/claim`, {}, boToken);
    expect(renewed.body).toMatchObject({ status: 'claimed', assignee: `bo${n}` });
    expect(Date.now() - Date.parse(renewed.body.updatedAt)).toBeLessThan(60_000);
    expect((await api(`/api/moderation/flags/${flag.id}/claim`, {})).status).toBe(409);
    await claimedAgo(CLAIM_LAPSE_MINUTES);
    expect(await listed()).toMatchObject({ open: true, claimed: true });
    const taken = await api<FlagSummary>(`/api/moderation/flags/${flag.id}/claim`, {});
    expect(taken.body).toMatchObject({ status: 'claimed', assignee: 'mia' });
    // Now mia's: bo, back, is the one refused.
    expect((await api(`/api/moderation/flags/${flag.id}/actions`, { action: 'dismiss' }, boToken)).status).toBe(409);
    const audit = (await api<AuditEntry[]>(`/api/moderation/audit?flagId=${flag.id}`)).body;
    expect(audit.map((a) => [a.moderator, a.action, a.details]).reverse()).toEqual([
      [`bo${n}`, 'claim', {}], [`bo${n}`, 'claim', {}], ['mia', 'claim', { takenOverFrom: `bo${n}` }],
    ]);
    await room.leave();
    await other.leave();
  });

  it('release: the holder gives a claim back and the flag is open to everyone again; nobody else can release it', async () => {
    const { room, other, flag } = await flaggedPlayer();
    const n = flagEvents.length;
    const cyToken = await anotherModerator(`cy${n}`);
    const notHeld = { status: 409, body: { error: 'only the moderator holding the claim can release it' } };
    expect(await api(`/api/moderation/flags/${flag.id}/release`, {})).toEqual(notHeld);
    expect((await api(`/api/moderation/flags/${flag.id}/claim`, {})).status).toBe(200);
    expect(await api(`/api/moderation/flags/${flag.id}/release`, {}, cyToken)).toEqual(notHeld);
    const released = await api<FlagSummary>(`/api/moderation/flags/${flag.id}/release`, {});
    expect(released.body).toMatchObject({ id: flag.id, status: 'open', assignee: null, claimLapsesAt: null });
    await vi.waitFor(() => expect(flagEvents.slice(n).some((f) => f.id === flag.id && f.status === 'open')).toBe(true), { timeout: 2_000 });
    expect((await api<FlagSummary>(`/api/moderation/flags/${flag.id}/claim`, {}, cyToken)).body).toMatchObject({ status: 'claimed', assignee: `cy${n}` });
    const audit = (await api<AuditEntry[]>(`/api/moderation/audit?flagId=${flag.id}`)).body;
    expect(audit.map((a) => [a.moderator, a.action]).reverse()).toEqual([['mia', 'claim'], ['mia', 'release'], [`cy${n}`, 'claim']]);
    await room.leave();
    await other.leave();
  });

  it('lift: a mute ends early, the player is told and chats again; every lift is logged', async () => {
    const { room, other, l, lo, flag } = await flaggedPlayer();
    await api(`/api/moderation/flags/${flag.id}/actions`, { action: 'mute', durationSeconds: 3600, note: 'cool off' });
    await vi.waitFor(() => expect(l.notices.map((n) => n.kind)).toEqual(['muted']));
    const mute = (await api<PlayerHistory>(`/api/moderation/players/${flag.playerId}`)).body.sanctions.find((x) => x.kind === 'mute')!;
    const path = `/api/moderation/players/${flag.playerId}/sanctions/${mute.id}/lift`;

    // Refused, changing nothing: no reason, a wrong type, someone else's sanction, no such sanction.
    for (const [body, status, error] of [
      [{}, 400, 'note: required to lift a sanction (kept in the audit log)'],
      [{ note: 42 }, 400, 'note: must be a string'],
      [{ note: 'x'.repeat(1001) }, 400, 'note: at most 1000 characters'],
    ] as const) {
      const res = await api<{ error: string }>(path, body);
      expect([res.status, res.body.error], JSON.stringify(body)).toEqual([status, error]);
    }
    const someoneElse = randomUUID();
    expect((await api(`/api/moderation/players/${someoneElse}/sanctions/${mute.id}/lift`, { note: 'x' })).status).toBe(404);
    expect((await api(`/api/moderation/players/${flag.playerId}/sanctions/${randomUUID()}/lift`, { note: 'x' })).status).toBe(404);
    expect((await api(`/api/moderation/players/${flag.playerId}/sanctions/nope/lift`, { note: 'x' })).status).toBe(400);
    expect((await api<PlayerHistory>(`/api/moderation/players/${flag.playerId}`)).body.mutedUntil).not.toBeNull();

    const lifted = await api<LiftSanctionResult>(path, { note: 'muted the wrong player' });
    expect(lifted.status).toBe(200);
    expect(lifted.body.effect).toBe('mute lifted; told in 1 live session');
    expect(lifted.body.audit).toMatchObject({ action: 'lift', moderator: 'mia', playerId: flag.playerId, note: 'muted the wrong player', details: { sanctionId: mute.id, kind: 'mute' } });
    await vi.waitFor(() => expect(l.notices.map((n) => n.kind)).toEqual(['muted', 'unmuted']));
    // A fixed, plainly friendly line: a random suffix once made the model hold it.
    const text = 'thanks, back to helping the team now';
    expect((await chatAndAck(room, l, text, 'after-lift')).status).toBe('delivered');
    await vi.waitFor(() => expect(lo.chat.some((c) => c.text === text)).toBe(true));
    const history = (await api<PlayerHistory>(`/api/moderation/players/${flag.playerId}`)).body;
    expect(history.mutedUntil).toBeNull();
    expect(history.sanctions.some((x) => x.id === mute.id)).toBe(false);
    expect((await db.prisma.sanction.findUniqueOrThrow({ where: { id: mute.id } })).revokedAt).not.toBeNull();
    // Lifting it twice is refused; the log has the one lift.
    expect((await api<{ error: string }>(path, { note: 'again' })).body).toEqual({ error: 'this sanction was lifted already' });
    const audit = await api<AuditEntry[]>(`/api/moderation/audit?playerId=${flag.playerId}`);
    expect(audit.body.filter((a) => a.action === 'lift')).toHaveLength(1);
    await room.leave();
    await other.leave();
  });

  it('lift: a lifted ban lets the player join again; a restart still knows it is lifted', async () => {
    const { other, flag } = await flaggedPlayer();
    await api(`/api/moderation/flags/${flag.id}/actions`, { action: 'ban', note: 'cheating' });
    await expect(arena.sdk().joinById(other.roomId, { name: 'Offender', playerId: flag.playerId })).rejects.toThrow(/banned: cheating/);
    const ban = (await api<PlayerHistory>(`/api/moderation/players/${flag.playerId}`)).body.sanctions.find((x) => x.kind === 'ban')!;
    const lifted = await api<LiftSanctionResult>(`/api/moderation/players/${flag.playerId}/sanctions/${ban.id}/lift`, { note: 'appeal accepted' });
    expect(lifted.body.effect).toBe('ban lifted; the player can join again');
    const back = await arena.join('Offender', other.roomId, { playerId: flag.playerId });
    expect((await Sanctions.open(db.prisma)).banReason(flag.playerId)).toBeNull();
    await back.leave();
    await other.leave();
  });

  it('ban: the player is removed from the room and cannot join again, nor as a new guest from the same network', async () => {
    const { room, other, flag } = await flaggedPlayer();
    let closed: number | undefined;
    room.onLeave((code) => { closed = code; });
    const banned = await api<ModerationActionResult>(`/api/moderation/flags/${flag.id}/actions`, { action: 'ban', note: 'repeated abuse' });
    expect(banned.body.effect).toBe("banned; removed from 1 live session; new guests from the player's network refused for 1 d");
    await vi.waitFor(() => expect(closed).toBe(ArenaCloseCode.Banned));
    // Removed at once, not held frozen for a reconnection.
    await vi.waitFor(() => expect(other.state.players.size).toBe(1), { timeout: 2_000 });
    await expect(arena.sdk().joinById(other.roomId, { name: 'Offender', playerId: flag.playerId })).rejects.toThrow(/banned: repeated abuse/);
    // A cleared browser (a new guest id) from the same network is refused too, for a day...
    await expect(arena.sdk().joinById(other.roomId, { name: 'Innocent' }))
      .rejects.toThrow(/banned: guests from your network cannot play until .* \(repeated abuse\); sign in with an account to play/);
    const key = moderation.sanctions.networkKeyOf('127.0.0.1');
    const until = moderation.sanctions.networkBan(key)!.until;
    expect(until - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect((await Sanctions.open(db.prisma)).networkBan(key)?.until).toBe(until);
    await writes.flush(); // the join's player row, network included, is a game write (stored within a second)
    expect((await db.prisma.player.findUniqueOrThrow({ where: { id: flag.playerId } })).networkKey).toBe(key);
    // ...but a registered player on it is not.
    await accounts.create('pat', 'player-password-1', 'player');
    const pat = await arena.join('Pat', other.roomId, { token: (await accounts.login('pat', 'player-password-1')).token });
    await pat.leave();
    // Lifting the ban reopens the network (and the later tests' guests share it).
    const ban = (await api<PlayerHistory>(`/api/moderation/players/${flag.playerId}`)).body.sanctions.find((x) => x.kind === 'ban')!;
    await api(`/api/moderation/players/${flag.playerId}/sanctions/${ban.id}/lift`, { note: 'test over' });
    expect(moderation.sanctions.networkBan(key)).toBeNull();
    const guest = await arena.join('Innocent', other.roomId);
    await guest.leave();
    await other.leave();
  });


  it('approve: a held line is delivered to the room; warn: the player sees the warning', async () => {
    const other = await arena.join('Reader');
    const room = await arena.join('Edgy', other.roomId);
    const [l, lo] = [listen(room), listen(other)];
    // Find a line the model holds (between the hold and block thresholds) among a few candidates.
    const candidates = ['you are such an idiot lol', 'shut up noob', 'ur trash at this game', 'go cry about it loser', 'you suck so bad'];
    let held: ChatAck | undefined;
    let heldText = '';
    for (const [i, text] of candidates.entries()) {
      const ack = await chatAndAck(room, l, text, `h${i}`);
      if (ack.status === 'held') { held = ack; heldText = text; break; }
      await new Promise((r) => setTimeout(r, 2100)); // the chat rate limit
    }
    expect(held, 'one of the candidate lines should be held for review').toBeDefined();
    const flag = (await api<FlagSummary[]>('/api/moderation/flags?status=open')).body.find((f) => f.text === heldText)!;
    const detail = await api<FlagDetail>(`/api/moderation/flags/${flag.id}`);
    expect(detail.body.decision).toBe('hold');
    expect(lo.chat.some((c) => c.id === held!.id)).toBe(false);
    const approved = await api<ModerationActionResult>(`/api/moderation/flags/${flag.id}/actions`, { action: 'approve', note: 'banter' });
    expect(approved.body.effect).toBe('message delivered to 2 players');
    await vi.waitFor(() => expect(lo.chat.some((c) => c.id === held!.id)).toBe(true));
    expect((await db.prisma.chatMessage.findUnique({ where: { id: held!.id } }))!.held).toBe(false);

    const n = flagEvents.length;
    await chatAndAck(room, l, 'you are a pathetic waste of space', 'warn-me');
    await vi.waitFor(() => expect(flagEvents.slice(n).some((f) => f.playerName === 'Edgy')).toBe(true), { timeout: 2_000 });
    const next = flagEvents.slice(n).find((f) => f.playerName === 'Edgy')!;
    // The candidate lines that were not held raised flags of their own: the warning answers them too.
    const others = (await api<FlagSummary[]>('/api/moderation/flags?status=open')).body.filter((f) => f.playerId === next.playerId && f.id !== next.id);
    const warned = await api<ModerationActionResult>(`/api/moderation/flags/${next.id}/actions`, { action: 'warn', note: 'keep it civil' });
    expect(warned.body.effect).toBe(`warning shown in 1 live session${others.length ? `; ${others.length} other open flag${others.length === 1 ? '' : 's'} of this player resolved with it` : ''}`);
    expect(warned.body.alsoResolved.map((f) => f.id).sort()).toEqual(others.map((f) => f.id).sort());
    await vi.waitFor(() => expect(l.notices).toEqual([expect.objectContaining({ kind: 'warning', message: 'keep it civil' })]));
    await room.leave();
    await other.leave();
  }, 60_000);

  it('a player\'s data can be exported and erased by an admin; the audit log keeps the actions', async () => {
    const { room, other, flag } = await flaggedPlayer();
    await room.leave();
    await other.leave();
    expect((await api(`/api/admin/players/${flag.playerId}/export`)).status).toBe(403); // a moderator is not an admin
    await writes.flush(); // the player row (a game write) is stored within a second of the join
    const exported = await api<PlayerExport>(`/api/admin/players/${flag.playerId}/export`, undefined, adminToken);
    expect(exported.status).toBe(200);
    expect(exported.body.chat.length).toBeGreaterThan(0);
    expect(exported.body.flags.map((f) => f.id)).toContain(flag.id);
    // The guest's network as stored: the keyed hash, never the address.
    expect(exported.body.player?.networkKey).toBe(moderation.sanctions.networkKeyOf('127.0.0.1'));
    expect(JSON.stringify(exported.body)).not.toContain('127.0.0.1');
    await api(`/api/moderation/flags/${flag.id}/actions`, { action: 'dismiss', note: 'erasing' });
    // The log names the player while their data is kept, and nobody once it is erased (below).
    const before = await api<AuditEntry[]>(`/api/moderation/audit?playerId=${flag.playerId}`);
    expect(before.body.map((a) => [a.action, a.playerName])).toEqual([['dismiss', 'Offender'], ['export', 'Offender']]);
    const del = await fetch(`${arena.http}/api/admin/players/${flag.playerId}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(del.status).toBe(204);
    expect(await db.prisma.chatMessage.count({ where: { playerId: flag.playerId } })).toBe(0);
    expect(await db.prisma.flag.count({ where: { playerId: flag.playerId } })).toBe(0);
    expect(await db.prisma.player.count({ where: { id: flag.playerId } })).toBe(0);
    const audit = await api<AuditEntry[]>(`/api/moderation/audit?playerId=${flag.playerId}`);
    expect(audit.body.map((a) => a.action)).toEqual(['delete', 'dismiss', 'export']);
    expect(audit.body.map((a) => a.playerName)).toEqual([null, null, null]);
    expect(JSON.stringify(audit.body)).not.toContain('Offender');
    expect((await api(`/api/moderation/players/${flag.playerId}`)).status).toBe(404);
  });
});

describe('suspected cheating', () => {
  it('flags a player the behavior model reads as inhuman, with the window and probabilities behind it', async () => {
    const room = await arena.join('Aimbot');
    listen(room);
    const n = flagEvents.length;
    const bot = new SdkBot(room, 'inhuman', 21).start();
    try {
      await vi.waitFor(() => expect(flagEvents.slice(n).some((f) => f.kind === 'behavior' && f.playerName === 'Aimbot')).toBe(true), { timeout: 45_000, interval: 200 });
    } finally {
      bot.stop();
    }
    const flag = flagEvents.slice(n).find((f) => f.kind === 'behavior')!;
    expect(flag.reason).toMatch(/^suspected cheating: behavior model reads "inhuman" 0\.\d\d ≥ 0\.8$/);
    const detail = (await api<FlagDetail>(`/api/moderation/flags/${flag.id}`)).body;
    expect(detail.scores.probabilities!.inhuman).toBeGreaterThanOrEqual(0.8);
    expect(detail.window).toHaveLength(64);
    expect(detail.window![0]!.length).toBeGreaterThan(10);
    // One flag per player per 10 minutes, however long the cheat goes on.
    expect(flagEvents.slice(n).filter((f) => f.kind === 'behavior' && f.playerName === 'Aimbot')).toHaveLength(1);
    await room.leave();
  }, 60_000);
});
