/**
 * Personalization end to end: real rooms, real @colyseus/sdk clients driven by the scripted
 * style bots, the real behavior model in the inference host, and the default rule set.
 * A player switching from aggressive to novice play gets easier knobs within seconds and a
 * new recommendation (the latency's distribution: `npm run bench:personalization`); a
 * winning aggressive player gets harder knobs; an AFK player is left alone. Publishing a
 * rule set changes live rooms within 1 s; an invalid one changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ClientMessage, ServerMessage, type DirectorMessage, type ProfileMessage, type RecommendationMessage, type RecommendationResult, type RuleSet,
} from '@pulse-arena/shared';
import { bootArena, type ArenaClientRoom, type BootedArena } from '../helpers/arenaServer.js';
import { SdkBot, sharpAggressive } from '../helpers/sdkBot.js';
import { InferenceHost } from '../../server/src/inference/host.js';
import { playerBaseline } from '../../server/src/director/director.js';

const WORLD_SEED = 4;
let arena: BootedArena;
let host: InferenceHost;

beforeAll(async () => {
  host = new InferenceHost({ log: () => undefined });
  expect(await host.ready(60_000)).toBe(true);
  // Every room rolls the waves of one seed: in a room of random waves the winner now and then
  // met a hard start (2 deaths in a minute) and was eased, not challenged, for the whole wait.
  // Seed 4 gave the winner its challenge within 9 s in 8 of 8 tries with a core kept busy.
  arena = await bootArena(null, { inference: host, worldSeed: () => WORLD_SEED });
}, 120_000);

afterAll(async () => {
  await arena?.shutdown();
  await host?.close();
});

interface Watch {
  profiles: ProfileMessage[];
  director: Array<DirectorMessage & { at: number }>;
  recommendations: Array<RecommendationMessage & { at: number }>;
  results: RecommendationResult[];
  knobs(): { enemySpeed: number; enemyDamage: number; enemyAccuracy: number; pickupRate: number };
}

function watch(room: ArenaClientRoom): Watch {
  const w: Watch = {
    profiles: [], director: [], recommendations: [], results: [],
    knobs: () => {
      const k = room.state.players.get(room.sessionId)!.knobs;
      return { enemySpeed: k.enemySpeed, enemyDamage: k.enemyDamage, enemyAccuracy: k.enemyAccuracy, pickupRate: k.pickupRate };
    },
  };
  room.onMessage(ServerMessage.Profile, (m: ProfileMessage) => w.profiles.push(m));
  room.onMessage(ServerMessage.Director, (m: DirectorMessage) => w.director.push({ ...m, at: Date.now() }));
  room.onMessage(ServerMessage.Recommendation, (m: RecommendationMessage) => w.recommendations.push({ ...m, at: Date.now() }));
  room.onMessage(ServerMessage.RecommendationResult, (m: RecommendationResult) => w.results.push(m));
  return w;
}

const base = playerBaseline('standard');


describe('personalization with real clients and the real behavior model', () => {
  it('eases off for a player who switches from aggressive to novice, harder for a winning aggressor, leaves AFK alone', async () => {
    const switcher = await arena.join('Switcher');
    // The winner starts in casual mode: fewer deaths, so it keeps winning whatever waves its room rolls.
    const winner = await arena.join('Winner', undefined, { mode: 'casual' });
    const afk = await arena.join('Afk');
    const [ws, ww, wa] = [watch(switcher), watch(winner), watch(afk)];
    // Seeds picked once for bots that play their style plainly; the styles are the model's, the treatment the rules'.
    const switchBot = new SdkBot(switcher, 'aggressive', 11, { skill: sharpAggressive(11) }).start();
    const winBot = new SdkBot(winner, 'aggressive', 12, { skill: sharpAggressive(12) }).start();
    new SdkBot(afk, 'idle', 13).start();
    try {
      // Aggressive until the model reads it so, and while the switcher is not being eased (early
      // in a match, before a hard wave has hurt): the switch must be what eases them.
      const easedRecently = () => {
        const last = ws.director.filter((m) => m.ruleId === 'ease-struggling' && !m.why.startsWith('no longer')).at(-1);
        return ws.director.at(-1)?.activeRules.includes('ease-struggling') || (last !== undefined && Date.now() - last.at < 21_000);
      };
      await vi.waitFor(() => {
        expect(ws.profiles.at(-1)?.style).toBe('aggressive');
        expect(easedRecently()).toBe(false);
      }, { timeout: 90_000, interval: 100 });
      const atSwitch = ws.knobs();
      const switchedAt = Date.now();
      const recsBefore = ws.recommendations.length;
      switchBot.switchStyle('novice');
      await vi.waitFor(() => {
        const k = ws.knobs();
        expect(k.enemyDamage).toBeLessThan(Math.min(atSwitch.enemyDamage, base.enemyDamage) - 0.5);
        expect(ws.recommendations.length).toBeGreaterThan(recsBefore);
      }, { timeout: 15_000, interval: 50 });
      const eased = Date.now() - switchedAt;
      const why = ws.director.filter((m) => m.at >= switchedAt && m.direction === 'easier');
      console.log(`switch aggressive → novice: easier knobs and a recommendation after ${eased} ms; why: ${why.at(-1)?.why}; recommendation: ${ws.recommendations.at(-1)?.kind} ${ws.recommendations.at(-1)?.value ?? ''}`);
      // The 5 s target is a distribution, measured by `npm run bench:personalization` (p50 ~3 s
      // here, and about 1 switch in 20 over 5 s: the model's read of a fresh novice hovers near
      // 0.5). One switch checks the chain reacts, with room for that tail and a busy CI machine.
      expect(eased).toBeLessThanOrEqual(8_000);
      expect(why.at(-1)?.why).toMatch(/ease-struggling/);
      expect(ws.recommendations.at(-1)).toMatchObject({ kind: 'mode', value: 'casual' });
      // Accepting it applies it and is answered. At once: a recommendation expires, and a
      // later one (find-company after a minute alone) would take its place.
      const rec = ws.recommendations.at(-1)!;
      switcher.send(ClientMessage.Recommendation, { id: rec.id, action: 'accept' });
      await vi.waitFor(() => expect(ws.results.some((r) => r.id === rec.id && r.outcome === 'accepted')).toBe(true));
      await vi.waitFor(() => expect(switcher.state.players.get(switcher.sessionId)!.mode).toBe('casual'));

      // The winner: harder than the baseline, explained by the rule that did it.
      const casual = playerBaseline('casual');
      // Winning takes a room whose waves come fast enough for 4 kills a minute: give it time.
      await vi.waitFor(() => {
        const me = winner.state.players.get(winner.sessionId)!;
        expect(ww.director.some((m) => m.direction === 'harder' && m.ruleId === 'challenge-winners'),
          `winner not challenged yet: read ${ww.profiles.at(-1)?.style} ${ww.profiles.at(-1)?.confidence.toFixed(2)}, `
          + `kills ${me.kills}, deaths ${me.deaths} at tick ${winner.state.tick}; last decisions: ${ww.director.slice(-3).map((m) => m.why).join(' | ')}`).toBe(true);
      }, { timeout: 90_000, interval: 200 });
      // The rule holds at least 10 s: the knobs climb above the winner's baseline meanwhile.
      await vi.waitFor(() => expect(ww.knobs().enemyDamage).toBeGreaterThan(casual.enemyDamage + 1), { timeout: 8_000, interval: 100 });
      console.log(`winner: enemy damage ${ww.knobs().enemyDamage.toFixed(1)} (casual baseline ${casual.enemyDamage}); ${ww.director.map((m) => `${m.direction}: ${m.why}`).join(' | ')}`);

      // AFK: enemies slow and harmless for this player, no pickups wasted on them.
      await vi.waitFor(() => {
        const k = wa.knobs();
        expect(k.enemyDamage).toBeLessThan(4);
        expect(k.enemySpeed).toBeLessThan(50);
      }, { timeout: 15_000, interval: 200 });
      expect(wa.director.some((m) => m.ruleId === 'afk-leave-alone')).toBe(true);
    } finally {
      switchBot.stop();
      winBot.stop();
    }
    for (const r of [switcher, winner, afk]) await r.leave();
  }, 260_000);

  it('a published rule set reaches live rooms within 1 s; an invalid one is refused with paths and the live version stays', async () => {
    const room = await arena.join('Listener');
    const w = watch(room);
    const before = arena.rules.live.version;
    const invalid = await arena.rules.publishNew({ name: 'broken', rules: [{ id: 'x', when: { input: 'style.novic', op: '>', value: 1 }, then: [{ knob: 'enemyDamag', set: 3 }] }] }, 'test', '');
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.errors.map((e) => e.path)).toEqual(['rules[0].when.input', 'rules[0].then[0].knob']);
    expect(arena.rules.live.version).toBe(before);

    // A rule that holds for everyone: enemies do 3 damage to every player.
    const everyone: RuleSet = {
      name: 'flat', rules: [{ id: 'flat-damage', cooldownSeconds: 0, when: { input: 'room.players', op: '>=', value: 1 }, then: [{ knob: 'enemyDamage', set: 3 }] }],
    };
    const publishedAt = Date.now();
    const published = await arena.rules.publishNew(everyone, 'test', 'flat damage');
    expect(published.ok).toBe(true);
    await vi.waitFor(() => {
      expect(w.director.some((m) => m.ruleId === 'flat-damage' && m.ruleSetVersion === before + 1)).toBe(true);
    }, { timeout: 1_000, interval: 10 });
    const reached = w.director.find((m) => m.ruleId === 'flat-damage')!.at - publishedAt;
    console.log(`publish → rule decision reached the client in ${reached} ms`);
    expect(reached).toBeLessThanOrEqual(1_000);
    await vi.waitFor(() => expect(w.knobs().enemyDamage).toBeLessThan(base.enemyDamage - 1), { timeout: 2_000, interval: 50 });

    // Roll back to the defaults: the flat rule lets go.
    await arena.rules.publishVersion(before, 'test', 'rollback');
    await vi.waitFor(() => expect(w.director.some((m) => m.ruleId === 'flat-damage' && m.why.startsWith('no longer'))).toBe(true), { timeout: 1_000, interval: 10 });
    expect(arena.rules.live.version).toBe(before);
    await room.leave();
  }, 30_000);

  it('refuses bad recommendation answers with a reason and changes nothing', async () => {
    const room = await arena.join('Answerer');
    const errors: Array<{ code: string; message: string }> = [];
    room.onMessage(ServerMessage.Error, (e: { code: string; message: string }) => errors.push(e));
    room.send(ClientMessage.Recommendation, { id: 'nope', action: 'accept' });
    room.send(ClientMessage.Recommendation, { id: '00000000-0000-4000-8000-000000000000', action: 'accept' });
    room.send(ClientMessage.Recommendation, { id: '00000000-0000-4000-8000-000000000000', action: 'maybe' });
    await vi.waitFor(() => expect(errors).toHaveLength(3));
    expect(errors.map((e) => e.message)).toEqual([
      'id: must be a UUID', 'id: no pending recommendation with this id', 'action: must be "accept" or "dismiss"',
    ]);
    expect(room.state.players.get(room.sessionId)!.mode).toBe('standard');
    await room.leave();
  });
});

