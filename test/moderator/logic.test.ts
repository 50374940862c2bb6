import { describe, expect, it } from 'vitest';
import { CLAIM_LAPSE_MINUTES, claimHolder, claimLapsesAt, formatDuration, type ChatLine } from '@pulse-arena/shared';
import { buildRequest, customSeconds, unavailableReason } from '../../client/src/moderator/actionRules.js';
import { placeFlagged } from '../../client/src/moderator/context.js';
import { formatTime } from '../../client/src/designer/format.js';
import { formatActionDetails, formatAge, formatEffect } from '../../client/src/moderator/format.js';
import { backoffDelay, parseFlagEvent } from '../../client/src/moderator/stream.js';

const line = (id: string, second: number): ChatLine => ({
  id, name: 'Ann', playerId: 'p1', text: `line ${id}`, createdAt: new Date(Date.UTC(2026, 11, 1, 10, 0, second)).toISOString(),
  decision: 'allow', held: false,
});

describe('formatAge / formatDuration', () => {
  it('reads ages coarsely', () => {
    expect(formatAge(-50)).toBe('just now');
    expect(formatAge(4_999)).toBe('just now');
    expect(formatAge(42_000)).toBe('42s ago');
    expect(formatAge(125_000)).toBe('2m ago');
    expect(formatAge(3 * 3600_000 + 5)).toBe('3h ago');
    expect(formatAge(5 * 86_400_000)).toBe('5d ago');
  });

  it('reads mute lengths as people say them', () => {
    expect(formatDuration(300)).toBe('5 min');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(5400)).toBe('1 h 30 min');
    expect(formatDuration(7 * 86_400)).toBe('7 d');
  });

  it('reads an audit entry\'s details in words, hiding nothing stored', () => {
    const until = '2026-12-07T21:45:59.750Z';
    expect(formatActionDetails({})).toBe('—');
    expect(formatActionDetails({ until, durationSeconds: 3600 })).toBe(`for 1 h, until ${formatTime(until)}`);
    expect(formatActionDetails({ until, durationSeconds: 3600, coveredBy: '8f2c41d0-0000-4000-8000-000000000000' }))
      .toBe(`for 1 h, until ${formatTime(until)} · with flag 8f2c41d0`);
    expect(formatActionDetails({ guestNetworkUntil: until })).toBe(`guests from their network refused until ${formatTime(until)}`);
    expect(formatActionDetails({ sanctionId: 'a1b2c3d4-0000-4000-8000-000000000000', kind: 'mute' })).toBe('lifted the mute a1b2c3d4');
    expect(formatActionDetails({ rows: 12 })).toBe('12 rows');
    expect(formatActionDetails({ takenOverFrom: 'bo' })).toBe("took over bo's lapsed claim");
    expect(formatActionDetails({ reason: 'x', n: [1] })).toBe('reason: x · n: [1]');
  });

  it("says an action's effect as a sentence, with a mute's end in local time", () => {
    const until = '2026-12-07T21:45:59.750Z';
    expect(formatEffect('muted for 1 h; told in 1 live session', { until, durationSeconds: 3600 }))
      .toBe(`Muted for 1 h; told in 1 live session. The mute ends ${formatTime(until)}.`);
    expect(formatEffect('mute lifted; told in 2 live sessions')).toBe('Mute lifted; told in 2 live sessions.');
    expect(formatEffect('dismissed', { coveredBy: 'x' })).toBe('Dismissed.');
  });
});

describe('placeFlagged', () => {
  it('highlights the flagged message where the context already has it', () => {
    const context = [line('a', 1), line('m', 2), line('b', 3)];
    expect(placeFlagged(context, line('m', 2))).toEqual({ lines: context, flagged: 1 });
  });

  it('inserts it in time order when the context leaves it out', () => {
    const view = placeFlagged([line('a', 1), line('b', 2), line('c', 5)], line('m', 3));
    expect(view.lines.map((l) => l.id)).toEqual(['a', 'b', 'm', 'c']);
    expect(view.flagged).toBe(2);
    expect(placeFlagged([line('a', 1)], line('m', 9)).flagged).toBe(1);
    expect(placeFlagged([line('a', 1)], undefined)).toEqual({ lines: [line('a', 1)], flagged: -1 });
  });
});

describe('action rules', () => {
  const claimedAt = '2026-12-01T10:00:00.000Z';
  const held = { status: 'claimed' as const, kind: 'chat' as const, message: { ...line('m', 1), held: true }, assignee: 'moe', updatedAt: claimedAt };

  it('requires a note for warn, mute and ban only', () => {
    for (const action of ['warn', 'mute', 'ban'] as const) {
      expect(buildRequest(action, '  ', 3600)).toEqual({ ok: false, error: `A note is required to ${action}: say why.` });
    }
    expect(buildRequest('dismiss', '', null)).toEqual({ ok: true, request: { action: 'dismiss' } });
    expect(buildRequest('escalate', ' needs a lead ', null)).toEqual({ ok: true, request: { action: 'escalate', note: 'needs a lead' } });
  });

  it('sends a mute with its duration, within 1 minute to 30 days', () => {
    expect(buildRequest('mute', 'slurs', 3600)).toEqual({ ok: true, request: { action: 'mute', note: 'slurs', durationSeconds: 3600 } });
    expect(buildRequest('mute', 'slurs', 30).ok).toBe(false);
    expect(buildRequest('mute', 'slurs', 31 * 86_400).ok).toBe(false);
    expect(buildRequest('mute', 'slurs', null).ok).toBe(false);
    expect(buildRequest('warn', 'x'.repeat(1001), null).ok).toBe(false);
  });

  it('reads custom mute lengths', () => {
    expect(customSeconds('90', 'min')).toBe(5400);
    expect(customSeconds('2', 'd')).toBe(172_800);
    expect(customSeconds('', 'h')).toBeNull();
    expect(customSeconds('-1', 'h')).toBeNull();
  });

  it('offers approve only for a held chat message, and nothing on a resolved flag', () => {
    expect(unavailableReason('approve', held, 'moe')).toBeNull();
    expect(unavailableReason('approve', { ...held, message: { ...held.message, held: false } }, 'moe')).toMatch(/not held/);
    expect(unavailableReason('approve', { status: 'open', kind: 'behavior', message: undefined, assignee: null, updatedAt: claimedAt }, 'moe')).toMatch(/chat flag/);
    expect(unavailableReason('mute', { ...held, status: 'resolved' }, 'moe')).toMatch(/resolved/);
    expect(unavailableReason('escalate', { ...held, status: 'escalated', assignee: null }, 'moe')).toMatch(/Already/);
    expect(unavailableReason('ban', held, 'moe')).toBeNull();
  });

  it("offers nothing on another moderator's claim until it lapses", () => {
    const at = (minutes: number) => Date.parse(claimedAt) + minutes * 60_000;
    for (const action of ['dismiss', 'approve', 'warn', 'mute', 'ban', 'escalate'] as const) {
      expect(unavailableReason(action, held, 'mia', at(1))).toBe('Held by moe: only they can act on it until their claim lapses.');
    }
    expect(unavailableReason('ban', held, 'mia', at(CLAIM_LAPSE_MINUTES) - 1)).toMatch(/^Held by moe/);
    expect(unavailableReason('ban', held, 'mia', at(CLAIM_LAPSE_MINUTES))).toBeNull();
    expect(claimHolder(held, 'mia', at(5))).toBe('moe');
    expect(claimHolder(held, 'moe', at(5))).toBeNull();
    expect(claimHolder({ ...held, status: 'open', assignee: null }, 'mia', at(5))).toBeNull();
    expect(claimLapsesAt(held)).toBe(at(CLAIM_LAPSE_MINUTES));
  });
});

describe('stream helpers', () => {
  it('backs off exponentially up to 30 s, spread ±25 %', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((n) => backoffDelay(n, 0.5))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffDelay(0, 0)).toBe(750);
    expect(backoffDelay(0, 0.999)).toBeLessThanOrEqual(1250);
  });

  it('accepts flag events and rejects anything else', () => {
    const flag = { id: 'f1', kind: 'chat', severity: 3, status: 'open', createdAt: 'x', updatedAt: 'y' };
    expect(parseFlagEvent(JSON.stringify(flag))).toEqual(flag);
    expect(parseFlagEvent('not json')).toBeNull();
    expect(parseFlagEvent('null')).toBeNull();
    expect(parseFlagEvent('{"id":1}')).toBeNull();
  });
});
