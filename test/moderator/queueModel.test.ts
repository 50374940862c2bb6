import { describe, expect, it } from 'vitest';
import { CLAIM_LAPSE_MINUTES, type FlagSummary } from '@pulse-arena/shared';
import { assigneeLabel, compareFlags, FlagStore } from '../../client/src/moderator/queueModel.js';

// A minute ago: every claim below is live (they lapse CLAIM_LAPSE_MINUTES after they were taken).
const T0 = Date.now() - 60_000;
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function flag(id: string, over: Partial<FlagSummary> = {}): FlagSummary {
  return {
    id, kind: 'chat', severity: 2, status: 'open', reason: 'toxicity 0.97', playerId: `p-${id}`, playerName: `Player ${id}`,
    roomId: 'room1', text: `text ${id}`, createdAt: at(0), updatedAt: at(0), assignee: null, claimLapsesAt: null, ...over,
  };
}
const ids = (flags: FlagSummary[]) => flags.map((f) => f.id);

describe('queue order', () => {
  it('puts the highest severity first, then the oldest, then by id', () => {
    const flags = [
      flag('a', { severity: 2, createdAt: at(5) }),
      flag('b', { severity: 4, createdAt: at(9) }),
      flag('c', { severity: 2, createdAt: at(1) }),
      flag('e', { severity: 3, createdAt: at(3) }),
      flag('d', { severity: 3, createdAt: at(3) }),
    ];
    expect(ids([...flags].sort(compareFlags))).toEqual(['b', 'd', 'e', 'c', 'a']);
  });

  it('lists one status at a time, in that order', () => {
    const store = new FlagStore();
    store.finishSync([flag('low', { severity: 1 }), flag('crit', { severity: 4, createdAt: at(30) }), flag('held', { status: 'claimed', assignee: 'moe' })]);
    expect(ids(store.list('open', 'moe'))).toEqual(['crit', 'low']);
    expect(ids(store.list('claimed', 'moe'))).toEqual(['held']);
    expect(ids(store.list('mine', 'moe'))).toEqual(['held']);
    expect(ids(store.list('mine', 'someone else'))).toEqual([]);
  });

  it('filters by kind and counts per status', () => {
    const store = new FlagStore();
    store.finishSync([
      flag('c1'), flag('b1', { kind: 'behavior', text: undefined }), flag('c2', { status: 'escalated' }),
      flag('c3', { status: 'claimed', assignee: 'moe' }), flag('c4', { status: 'claimed', assignee: 'ann' }),
    ]);
    expect(store.counts('moe')).toEqual({ open: 2, claimed: 2, escalated: 1, mine: 1 });
    expect(store.counts('moe', 'behavior')).toEqual({ open: 1, claimed: 0, escalated: 0, mine: 0 });
    expect(ids(store.list('open', 'moe', 'chat'))).toEqual(['c1']);
  });
});

describe('stream events', () => {
  it('adds a new flag in its place and updates one in place', () => {
    const store = new FlagStore();
    store.finishSync([flag('a', { severity: 2 }), flag('b', { severity: 1 })]);
    expect(store.apply(flag('new', { severity: 3, createdAt: at(60), updatedAt: at(60) }))).toBe(true);
    expect(ids(store.list('open', 'moe'))).toEqual(['new', 'a', 'b']);
    expect(store.apply(flag('b', { severity: 4, updatedAt: at(61) }))).toBe(true);
    expect(ids(store.list('open', 'moe'))).toEqual(['b', 'new', 'a']);
  });

  it('moves a claimed flag out of the open list and into the claimed one', () => {
    const store = new FlagStore();
    store.finishSync([flag('a'), flag('b')]);
    store.apply(flag('a', { status: 'claimed', assignee: 'moe', updatedAt: at(10) }));
    expect(ids(store.list('open', 'moe'))).toEqual(['b']);
    expect(store.list('claimed', 'moe')).toMatchObject([{ id: 'a', assignee: 'moe' }]);
  });

  it('drops resolved flags and does not let an older event bring them back', () => {
    const store = new FlagStore();
    store.finishSync([flag('a')]);
    expect(store.apply(flag('a', { status: 'resolved', updatedAt: at(20) }))).toBe(true);
    expect(store.size).toBe(0);
    // The claim event from before the action arrives late.
    expect(store.apply(flag('a', { status: 'claimed', assignee: 'moe', updatedAt: at(10) }))).toBe(false);
    expect(store.size).toBe(0);
    // Re-opened later: back in the queue.
    expect(store.apply(flag('a', { status: 'open', updatedAt: at(30) }))).toBe(true);
    expect(ids(store.list('open', 'moe'))).toEqual(['a']);
  });

  it('ignores an event older than what it has, and a repeat of the same', () => {
    const store = new FlagStore();
    store.finishSync([flag('a', { status: 'claimed', assignee: 'moe', updatedAt: at(10) })]);
    expect(store.apply(flag('a', { status: 'open', updatedAt: at(5) }))).toBe(false);
    expect(store.apply(flag('a', { status: 'claimed', assignee: 'moe', updatedAt: at(10) }))).toBe(false);
    expect(store.get('a')?.status).toBe('claimed');
  });
});

describe('re-fetch after a reconnect', () => {
  it('replaces the queue with the snapshot, keeping events that arrived while it was in flight', () => {
    const store = new FlagStore();
    store.finishSync([flag('gone'), flag('kept')]);
    store.beginSync();
    // While the lists load: a new flag, and a claim newer than the snapshot's copy.
    store.apply(flag('new', { createdAt: at(50), updatedAt: at(50) }));
    store.apply(flag('kept', { status: 'claimed', assignee: 'moe', updatedAt: at(40) }));
    // The snapshot predates both; "gone" was resolved while the stream was down.
    store.finishSync([flag('kept'), flag('other', { severity: 3 })]);
    expect(ids(store.list('open', 'moe'))).toEqual(['other', 'new']);
    expect(ids(store.list('claimed', 'moe'))).toEqual(['kept']);
    expect(store.get('gone')).toBeUndefined();
  });

  it('takes the newer copy when a flag moved between the status lists during the fetch', () => {
    const store = new FlagStore();
    store.beginSync();
    store.finishSync([flag('a', { updatedAt: at(1) }), flag('a', { status: 'claimed', assignee: 'ann', updatedAt: at(2) })]);
    expect(store.size).toBe(1);
    expect(store.get('a')?.assignee).toBe('ann');
  });

  it('keeps the queue when the fetch fails', () => {
    const store = new FlagStore();
    store.finishSync([flag('a')]);
    store.beginSync();
    store.apply(flag('b'));
    store.abandonSync();
    expect(ids(store.list('open', 'moe'))).toEqual(['a', 'b']);
  });
});

describe('flags per player', () => {
  it('counts each player\'s flags still in the queue, and forgets resolved ones', () => {
    const store = new FlagStore();
    store.finishSync([
      flag('a', { playerId: 'tom' }), flag('b', { playerId: 'tom', status: 'claimed', assignee: 'moe' }),
      flag('c', { playerId: 'tom', status: 'escalated' }), flag('d', { playerId: 'bea' }),
    ]);
    expect(Object.fromEntries(store.activeByPlayer())).toEqual({ tom: 3, bea: 1 });
    store.apply(flag('a', { playerId: 'tom', status: 'resolved', updatedAt: at(10) }));
    expect(Object.fromEntries(store.activeByPlayer())).toEqual({ tom: 2, bea: 1 });
  });
});

describe('lapsed claims', () => {
  it('are listed under Open, not Claimed, and stay under Mine for their holder', () => {
    const store = new FlagStore();
    store.finishSync([
      flag('live', { status: 'claimed', assignee: 'moe', updatedAt: at(0) }),
      flag('stale', { status: 'claimed', assignee: 'moe', updatedAt: at(-CLAIM_LAPSE_MINUTES * 60) }),
      flag('open', { createdAt: at(-1) }),
    ]);
    const now = T0;
    expect(ids(store.list('open', 'mia', 'all', now))).toEqual(['open', 'stale']);
    expect(ids(store.list('claimed', 'mia', 'all', now))).toEqual(['live']);
    expect(ids(store.list('mine', 'moe', 'all', now))).toEqual(['live', 'stale']);
    expect(store.counts('moe', 'all', now)).toEqual({ open: 2, claimed: 1, escalated: 0, mine: 2 });
    expect(store.lapsedClaims(now)).toBe(1);
    expect(store.lapsedClaims(now - 1)).toBe(0);
  });
});

describe('assigneeLabel', () => {
  it('names the holder, and marks a claim past its lapse', () => {
    const claimed = flag('a', { status: 'claimed', assignee: 'mia', updatedAt: at(0) });
    const lapse = T0 + CLAIM_LAPSE_MINUTES * 60_000;
    expect(assigneeLabel(claimed, lapse - 1)).toEqual({ text: 'mia', lapsed: false });
    expect(assigneeLabel(claimed, lapse)).toEqual({ text: 'mia · lapsed', lapsed: true });
    expect(assigneeLabel(flag('b'), lapse)).toEqual({ text: '—', lapsed: false });
    // A resolved flag keeps its resolver as assignee, but nothing is held: nothing lapses.
    expect(assigneeLabel(flag('c', { status: 'resolved', assignee: 'mia' }), lapse)).toEqual({ text: 'mia', lapsed: false });
  });
});
