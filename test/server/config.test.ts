/**
 * Server configuration from the environment: embedded defaults, and a clear error naming
 * the variable for a malformed value.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.js';

describe('loadConfig', () => {
  it('runs with embedded defaults: no database URL, models on, one classification a second', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 2567, host: '0.0.0.0', databaseUrl: undefined, transport: 'ws', inference: true, behaviorClassifyHz: 1 });
    expect(config.monitorPasswordGenerated).toBe(true);
  });

  it('reads INFERENCE and BEHAVIOR_CLASSIFY_HZ', () => {
    expect(loadConfig({ INFERENCE: 'off', BEHAVIOR_CLASSIFY_HZ: '20' })).toMatchObject({ inference: false, behaviorClassifyHz: 20 });
  });

  it('closes a banned guest network for 24 h unless GUEST_NETWORK_BAN_HOURS says otherwise (0: never)', () => {
    expect(loadConfig({}).guestNetworkBanHours).toBe(24);
    expect(loadConfig({ GUEST_NETWORK_BAN_HOURS: '0' }).guestNetworkBanHours).toBe(0);
    expect(loadConfig({ GUEST_NETWORK_BAN_HOURS: '72' }).guestNetworkBanHours).toBe(72);
  });

  it('takes any number of players unless MAX_PLAYERS sets a limit', () => {
    expect(loadConfig({}).maxPlayers).toBeNull();
    expect(loadConfig({ MAX_PLAYERS: '600' }).maxPlayers).toBe(600);
  });

  it.each([
    [{ PORT: '70000' }, /^PORT:/],
    [{ MAX_PLAYERS: '0' }, /^MAX_PLAYERS: an integer from 1 to 100000/],
    [{ MAX_PLAYERS: 'lots' }, /^MAX_PLAYERS:/],
    [{ MAX_PLAYERS: '2.5' }, /^MAX_PLAYERS:/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL:/],
    [{ TRANSPORT: 'tcp' }, /^TRANSPORT:/],
    [{ INFERENCE: 'maybe' }, /^INFERENCE: must be on or off/],
    [{ BEHAVIOR_CLASSIFY_HZ: '0' }, /^BEHAVIOR_CLASSIFY_HZ: must be an integer from 1 to 20/],
    [{ BEHAVIOR_CLASSIFY_HZ: '21' }, /^BEHAVIOR_CLASSIFY_HZ:/],
    [{ BEHAVIOR_CLASSIFY_HZ: '2.5' }, /^BEHAVIOR_CLASSIFY_HZ:/],
    [{ GUEST_NETWORK_BAN_HOURS: '-1' }, /^GUEST_NETWORK_BAN_HOURS: an integer from 0 \(off\) to 720/],
    [{ GUEST_NETWORK_BAN_HOURS: 'forever' }, /^GUEST_NETWORK_BAN_HOURS:/],
  ])('refuses %o with an error naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
