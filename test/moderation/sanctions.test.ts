/**
 * The in-memory sanctions' network keys and guest network bans (the database round trip
 * is covered in moderation.test.ts): addresses become keyed hashes, one per network.
 */
import { describe, expect, it } from 'vitest';
import { GUEST_NETWORK_BAN_MS, Sanctions } from '../../server/src/moderation/sanctions.js';

describe('guest network keys and bans', () => {
  it('knows a network by a keyed hash: IPv4-mapped as IPv4, IPv6 by its /64', async () => {
    const s = await Sanctions.open(null);
    const key = s.networkKeyOf('203.0.113.7');
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(s.networkKeyOf('::ffff:203.0.113.7')).toBe(key);
    expect(s.networkKeyOf('203.0.113.8')).not.toBe(key);
    expect(s.networkKeyOf('2001:db8:1:2:aaaa::1')).toBe(s.networkKeyOf('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee'));
    expect(s.networkKeyOf('2001:db8:1:2::')).toBe(s.networkKeyOf('2001:DB8:1:2::9'));
    expect(s.networkKeyOf('2001:db8:1:3::1')).not.toBe(s.networkKeyOf('2001:db8:1:2::1'));
    // Another server secret, other keys: the hash cannot be matched against a list of addresses.
    expect((await Sanctions.open(null)).networkKeyOf('203.0.113.7')).not.toBe(key);
  });

  it("closes a banned guest's network to guests until the ban's network time runs out", async () => {
    const s = await Sanctions.open(null);
    const key = s.networkKeyOf('198.51.100.4');
    const until = new Date(Date.now() + GUEST_NETWORK_BAN_MS);
    s.applied({ playerId: '9b2f0d7e-4c1a-4f0e-9a55-1d2c3b4a5f60', kind: 'ban', reason: 'ban evasion', by: 'mia', until: null, network: { key, until } });
    expect(s.networkBan(key)).toEqual({ until: until.getTime(), reason: 'ban evasion' });
    expect(s.networkBan(s.networkKeyOf('198.51.100.5'))).toBeNull();
    expect(s.networkBan(key, until.getTime() + 1)).toBeNull();
    expect(s.networkBan(key)).toBeNull(); // an expired one is forgotten
    // A mute never closes a network.
    s.applied({ playerId: '1b2f0d7e-4c1a-4f0e-9a55-1d2c3b4a5f61', kind: 'mute', reason: 'spam', by: 'mia', until: new Date(Date.now() + 60_000), network: { key, until } });
    expect(s.networkBan(key)).toBeNull();
  });

  it('closes no network when the guest network ban is off (GUEST_NETWORK_BAN_HOURS=0)', async () => {
    expect((await Sanctions.open(null)).guestNetworkBanMs).toBe(GUEST_NETWORK_BAN_MS);
    expect((await Sanctions.open(null, undefined, { guestNetworkBanMs: 0 })).guestNetworkBanMs).toBe(0);
  });
});
