/**
 * The director inside a room: what players are sent when their recommendations come and go.
 * A real simulation world and the real rule compiler; `send` records what a client would get.
 */
import { describe, expect, it } from 'vitest';
import {
  ServerMessage, STYLE_NAMES, addPlayer, createWorld, parseRuleSet,
  type RecommendationMessage, type RecommendationResult, type RuleSet,
} from '@pulse-arena/shared';
import { RoomDirector } from '../../server/src/director/roomDirector.js';

const RULES: RuleSet = {
  name: 't',
  rules: [{
    id: 'cruising', cooldownSeconds: 0, holdSeconds: 3,
    when: { input: 'style.aggressive', op: '>=', value: 0.5 },
    then: [{ recommend: 'mode', value: 'hardcore', message: 'You are cruising: try hardcore.' }],
  }],
};

function room(rules: RuleSet = RULES) {
  const parsed = parseRuleSet(rules);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const world = createWorld(1);
  addPlayer(world, 's1', 'Nova');
  const sent: Array<{ type: string; message: unknown }> = [];
  const director = new RoomDirector({
    roomId: 'r1', matchId: 'm1', rules: { version: 1, rules: parsed.rules }, recorder: null, roomFinder: null,
    send: (_sessionId, type, message) => sent.push({ type, message }), describe: () => ({ world, roomName: 'R' }),
  });
  director.addPlayer('s1', 'p1', 'Nova', 'standard', 0);
  let aggressive = 0.9;
  // The rest of the read goes to novice.
  const read = () => Object.fromEntries(STYLE_NAMES.map((s) => [s, s === 'aggressive' ? aggressive : s === 'novice' ? 1 - aggressive : 0]));
  return {
    sent,
    /** One director second at `seconds` with the model reading aggressive at `p`. */
    step(seconds: number, p: number) {
      aggressive = p;
      director.step(seconds * 1000, world, read);
    },
    recommendations: () => sent.filter((m) => m.type === ServerMessage.Recommendation).map((m) => m.message as RecommendationMessage),
    results: () => sent.filter((m) => m.type === ServerMessage.RecommendationResult).map((m) => m.message as RecommendationResult),
  };
}

describe('room director recommendations', () => {
  it('withdraws a suggestion once the rule that made it stops holding, and not before its hold time', () => {
    const r = room();
    r.step(0, 0.9);
    expect(r.recommendations()).toMatchObject([{ kind: 'mode', value: 'hardcore' }]);
    const id = r.recommendations()[0]!.id;
    // The read drops at 1 s; the rule stays active for its 3 s hold time, and so does the toast.
    for (const s of [1, 2]) r.step(s, 0.1);
    expect(r.results()).toEqual([]);
    r.step(3, 0.1);
    expect(r.results()).toEqual([{ id, outcome: 'withdrawn' }]);
  });

  it('withdraws a suggestion when a newer one of its kind replaces it', () => {
    const r = room({
      name: 't',
      rules: [RULES.rules[0]!, {
        id: 'struggling', cooldownSeconds: 0, holdSeconds: 3,
        when: { input: 'style.novice', op: '>=', value: 0.5 },
        then: [{ recommend: 'mode', value: 'casual', message: 'Casual keeps the action.' }],
      }],
    });
    r.step(0, 0.9);
    r.step(1, 0.1);
    const [hardcore, casual] = r.recommendations();
    expect([hardcore?.value, casual?.value]).toEqual(['hardcore', 'casual']);
    expect(r.results()).toEqual([{ id: hardcore!.id, outcome: 'withdrawn' }]);
  });

  it('leaves a suggestion up while its rule holds, until it expires unanswered', () => {
    const r = room();
    for (let s = 0; s <= 29; s++) r.step(s, 0.9);
    expect(r.results()).toEqual([]);
    r.step(30, 0.9);
    expect(r.results()).toEqual([{ id: r.recommendations()[0]!.id, outcome: 'ignored' }]);
  });
});
