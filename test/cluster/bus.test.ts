/**
 * The cluster bus over Colyseus presence (LocalPresence here; Redis in the two-process
 * tests): an event reaches the other processes and never comes back to its publisher, and
 * anything malformed on the channel is dropped with a warning instead of reaching a handler.
 */
import { LocalPresence } from '@colyseus/core';
import { describe, expect, it, vi } from 'vitest';
import { CLUSTER_CHANNEL, parseClusterEvent, presenceBus, type ClusterEvent } from '../../server/src/cluster/bus.js';

const PLAYER = '6f1c2b9e-4d3a-4f5b-8c7d-1e2f3a4b5c6d';

describe('cluster bus', () => {
  it('delivers to the other processes only', async () => {
    const presence = new LocalPresence();
    const a = presenceBus(presence, 'a');
    const b = presenceBus(presence, 'b');
    const gotA: ClusterEvent[] = [];
    const gotB: ClusterEvent[] = [];
    a.on((e) => gotA.push(e));
    b.on((e) => gotB.push(e));
    await new Promise((r) => setTimeout(r, 10)); // subscribing is asynchronous
    a.publish({ type: 'rules', version: 3 });
    b.publish({ type: 'sanction', playerId: PLAYER, kind: 'mute', until: 1_900_000_000_000, reason: 'spam' });
    await vi.waitFor(() => expect(gotB).toHaveLength(1));
    await vi.waitFor(() => expect(gotA).toHaveLength(1));
    expect(gotB[0]).toEqual({ type: 'rules', version: 3 });
    expect(gotA[0]).toEqual({ type: 'sanction', playerId: PLAYER, kind: 'mute', until: 1_900_000_000_000, reason: 'spam' });
  });

  it('drops malformed envelopes and events with a warning', async () => {
    const presence = new LocalPresence();
    const warnings: string[] = [];
    const bus = presenceBus(presence, 'me', (m) => warnings.push(m));
    const got: ClusterEvent[] = [];
    bus.on((e) => got.push(e));
    await new Promise((r) => setTimeout(r, 10)); // subscribing is asynchronous
    await presence.publish(CLUSTER_CHANNEL, { from: 'other', event: { type: 'rules', version: 'seven' } });
    await presence.publish(CLUSTER_CHANNEL, { from: 'other', event: { type: 'rm -rf' } });
    await presence.publish(CLUSTER_CHANNEL, { from: 'other', event: { type: 'notice', playerId: PLAYER, notice: { kind: 'banned', message: 'x' } } });
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(warnings).toHaveLength(2);
    expect(got[0]).toEqual({ type: 'notice', playerId: PLAYER, notice: { kind: 'banned', message: 'x' } });
  });

  it('validates every kind of event', () => {
    const bad: unknown[] = [
      null, 'rules', [], { type: 'rules', version: 0 }, { type: 'rules', version: 1.5 },
      { type: 'sanction', playerId: 'not-a-uuid', kind: 'mute', until: 1, reason: '' },
      { type: 'sanction', playerId: PLAYER, kind: 'jail', until: 1, reason: '' },
      { type: 'sanction', playerId: PLAYER, kind: 'mute', until: NaN, reason: '' },
      { type: 'sanction', playerId: PLAYER, kind: 'mute', until: 1, reason: 'x'.repeat(10_001) },
      { type: 'erase', playerId: 7 },
      { type: 'lift', playerId: 'not-a-uuid' },
      { type: 'lift', playerId: PLAYER, inForce: 'mute' },
      { type: 'lift', playerId: PLAYER, inForce: [{ kind: 'jail', until: 1, reason: '' }] },
      { type: 'lift', playerId: PLAYER, inForce: Array.from({ length: 101 }, () => ({ kind: 'mute', until: 1, reason: '' })) },
      { type: 'sanction', playerId: PLAYER, kind: 'ban', until: null, reason: '', network: { key: 'NOT HEX', until: 1 } },
      { type: 'sanction', playerId: PLAYER, kind: 'ban', until: null, reason: '', network: { key: 'ab', until: 'soon' } },
      { type: 'notice', playerId: PLAYER, notice: { kind: 'pardoned', message: 'x' } },
      { type: 'notice', playerId: PLAYER, notice: { kind: 'muted', message: 'x', until: Infinity } },
      { type: 'deliver', line: { id: 'x', roomId: 'r', text: 5, name: 'n', createdAt: 'now' } },
      { type: 'flag', flag: { id: 'nope', status: 'open' } },
      JSON.parse('{"__proto__": {"type": "rules"}, "version": 2}'),
    ];
    for (const raw of bad) expect(parseClusterEvent(raw), JSON.stringify(raw)).toBeNull();
    expect(parseClusterEvent({ type: 'erase', playerId: PLAYER })).toEqual({ type: 'erase', playerId: PLAYER });
    expect(parseClusterEvent({ type: 'lift', playerId: PLAYER })).toEqual({ type: 'lift', playerId: PLAYER });
    const inForce = [{ kind: 'mute', until: 5, reason: 'spam' }, { kind: 'ban', until: null, reason: 'x', network: { key: 'ab12', until: 9 } }];
    expect(parseClusterEvent({ type: 'lift', playerId: PLAYER, inForce })).toEqual({ type: 'lift', playerId: PLAYER, inForce });
    expect(parseClusterEvent({ type: 'lift', playerId: PLAYER, inForce: [] })).toEqual({ type: 'lift', playerId: PLAYER, inForce: [] });
    expect(parseClusterEvent({ type: 'sanction', playerId: PLAYER, kind: 'ban', until: null, reason: 'x', network: { key: 'ab12', until: 5 } }))
      .toEqual({ type: 'sanction', playerId: PLAYER, kind: 'ban', until: null, reason: 'x', network: { key: 'ab12', until: 5 } });
    expect(parseClusterEvent({ type: 'notice', playerId: PLAYER, notice: { kind: 'unmuted', message: 'x' } }))
      .toEqual({ type: 'notice', playerId: PLAYER, notice: { kind: 'unmuted', message: 'x' } });
    expect(parseClusterEvent({ type: 'sanction', playerId: PLAYER, kind: 'ban', until: null, reason: 'cheating' }))
      .toEqual({ type: 'sanction', playerId: PLAYER, kind: 'ban', until: null, reason: 'cheating' });
  });
});
