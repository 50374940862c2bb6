import { describe, expect, it } from 'vitest';
import { parseChat, parseInput, parseJoinOptions } from '@pulse-arena/shared';

const valid = { seq: 1, moveX: 1, moveY: -1, aim: 3, fire: true, dash: false };

describe('protocol validation', () => {
  it('accepts a well-formed input and copies only known fields', () => {
    const r = parseInput(valid);
    expect(r).toEqual({ ok: true, value: valid });
  });

  it.each([
    [{ ...valid, seq: 0 }, /^seq:/],
    [{ ...valid, seq: 1.5 }, /^seq:/],
    [{ ...valid, moveX: NaN }, /^moveX: must be a finite number/],
    [{ ...valid, moveY: Infinity }, /^moveY:/],
    [{ ...valid, moveX: 1.5 }, /^moveX: must be between/],
    [{ ...valid, aim: 100 }, /^aim:/],
    [{ ...valid, fire: 1 }, /^fire: must be a boolean/],
    [{ ...valid, extra: 1 }, /^extra: unknown field/],
    [{ seq: 1 }, /required/],
    [JSON.parse('{"__proto__": {"seq": 1}}'), /unknown field|too many|required/],
    [[1, 2, 3], /must be an object/],
    [null, /must be an object/],
    ['input', /must be an object/],
  ])('rejects %j with a precise reason', (raw, reason) => {
    const r = parseInput(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });

  it('trims chat, strips control and bidi characters, and bounds length', () => {
    expect(parseChat({ text: '  hi\u0000 there\u202e ' })).toEqual({ ok: true, value: { text: 'hi there' } });
    expect(parseChat({ text: '😀'.repeat(200) }).ok).toBe(true);
    expect(parseChat({ text: 'a'.repeat(201) }).ok).toBe(false);
    expect(parseChat({ text: '\u0001' })).toEqual({ ok: false, error: 'text: must not be empty' });
  });

  it('validates join options', () => {
    expect(parseJoinOptions({ name: 'Ada', playerId: 'F0F0F0F0-1111-2222-3333-444455556666' }))
      .toEqual({ ok: true, value: { name: 'Ada', playerId: 'f0f0f0f0-1111-2222-3333-444455556666' } });
    expect(parseJoinOptions({ name: 'Ada', playerId: 'nope' })).toEqual({ ok: false, error: 'playerId: must be a UUID' });
    expect(parseJoinOptions({ name: 'x'.repeat(21) }).ok).toBe(false);
    expect(parseJoinOptions(undefined).ok).toBe(false);
  });

  it("validates the lobby's suggestions sent with a join", () => {
    const lobby = { mode: 'casual', loadout: 'rapid', roomIds: ['abc_1', 'abc_1', 'Z-9'] };
    expect(parseJoinOptions({ name: 'Ada', lobby }))
      .toEqual({ ok: true, value: { name: 'Ada', lobby: { mode: 'casual', loadout: 'rapid', roomIds: ['abc_1', 'Z-9'] } } });
    expect(parseJoinOptions({ name: 'Ada', lobby: {} })).toEqual({ ok: true, value: { name: 'Ada', lobby: {} } });
    for (const [bad, error] of [
      ['casual', 'lobby: must be an object'],
      [{ mode: 'godmode' }, 'lobby.mode: must be one of casual, standard, hardcore'],
      [{ loadout: 3 }, 'lobby.loadout: must be one of blaster, rapid, heavy'],
      [{ roomIds: ['a', 'b', 'c', 'd'] }, 'lobby.roomIds: at most 3 room ids'],
      [{ roomIds: ['../x'] }, 'lobby.roomIds: at most 3 room ids'],
      [{ roomIds: 'abc' }, 'lobby.roomIds: at most 3 room ids'],
      [{ __proto__: null, why: 'x' }, 'lobby.why: unknown field'],
    ] as const) {
      expect(parseJoinOptions({ name: 'Ada', lobby: bad }), JSON.stringify(bad)).toEqual({ ok: false, error });
    }
  });
});
