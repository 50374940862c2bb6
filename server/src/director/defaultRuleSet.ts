/**
 * The rule set a fresh server publishes as version 1: a sensible starting point that
 * designers then edit in the console. It eases off for struggling players, challenges
 * winning aggressive ones, stops farming AFK players, paces waves by how hard the last
 * peak was, and suggests a mode, a loadout, company or a break where they fit.
 */
import type { RuleSet } from '@pulse-arena/shared';

export const DEFAULT_RULE_SET: RuleSet = {
  name: 'Pulse Arena defaults',
  description: 'Eases off for struggling players, challenges winners, leaves AFK players alone, paces waves.',
  rules: [
    {
      id: 'afk-leave-alone',
      description: 'An idle player is not farmed by enemies and gets no pickups they would waste.',
      priority: 900,
      cooldownSeconds: 10,
      when: { input: 'style.idle', op: '>=', value: 0.6 },
      then: [
        { knob: 'enemySpeed', set: 40 },
        { knob: 'enemyDamage', set: 2 },
        { knob: 'enemyAccuracy', set: 0.1 },
        { knob: 'pickupRate', set: 1 },
      ],
    },
    {
      id: 'ease-struggling',
      description: 'Novice-looking play, or a lot of damage taken: slower, weaker, less accurate enemies and more pickups.',
      priority: 500,
      cooldownSeconds: 20,
      when: {
        any: [
          { input: 'style.novice', op: '>=', value: 0.5 },
          { all: [{ input: 'stats.damageTakenPerMin', op: '>=', value: 120 }, { input: 'stats.deathsPerMin', op: '>=', value: 1 }] },
        ],
      },
      then: [
        { knob: 'enemySpeed', scale: 0.75 },
        { knob: 'enemyDamage', scale: 0.55 },
        { knob: 'enemyAccuracy', scale: 0.6 },
        { knob: 'pickupRate', scale: 1.6 },
        { recommend: 'mode', value: 'casual', message: 'Casual mode keeps the action with less punishment.' },
      ],
    },
    {
      id: 'challenge-winners',
      description: 'Aggressive play that keeps winning: faster, harder-hitting, better-aiming enemies.',
      priority: 400,
      cooldownSeconds: 20,
      when: {
        all: [
          { input: 'style.aggressive', op: '>=', value: 0.5 },
          { input: 'stats.killsPerMin', op: '>=', value: 4 },
          { input: 'stats.deathsPerMin', op: '<', value: 1 },
        ],
      },
      then: [
        { knob: 'enemySpeed', scale: 1.3 },
        { knob: 'enemyDamage', scale: 1.4 },
        { knob: 'enemyAccuracy', scale: 1.35 },
        { knob: 'pickupRate', scale: 0.8 },
        { recommend: 'mode', value: 'hardcore', message: 'You are cruising: hardcore mode has tougher waves.' },
      ],
    },
    {
      id: 'take-a-break',
      description: 'Struggling and growing negative in chat after a few minutes of play: suggest a break (once every 10 minutes at most).',
      priority: 300,
      cooldownSeconds: 600,
      when: {
        all: [
          // Not in the first minutes: a rough start is the game, and "take a break" 10 s in reads as a joke.
          { input: 'stats.secondsPlayed', op: '>=', value: 180 },
          { input: 'chat.sentiment', op: '<=', value: -0.3 },
          {
            any: [
              { input: 'style.novice', op: '>=', value: 0.4 },
              { input: 'stats.deathsPerMin', op: '>=', value: 1 },
              { input: 'stats.damageTakenPerMin', op: '>=', value: 120 },
            ],
          },
        ],
      },
      then: [{ recommend: 'break', message: 'Rough run. A short break often helps; your progress is kept.' }],
    },
    {
      id: 'rapid-for-kiters',
      description: 'Kiting play suits a fast-firing weapon.',
      priority: 100,
      cooldownSeconds: 300,
      when: { all: [{ input: 'style.evasive', op: '>=', value: 0.6 }, { input: 'stats.secondsPlayed', op: '>=', value: 30 }] },
      then: [{ recommend: 'loadout', value: 'rapid', message: 'You kite well: the rapid blaster fires twice as fast.' }],
    },
    {
      id: 'heavy-for-sharpshooters',
      description: 'Accurate shooters get more from heavy shots.',
      priority: 100,
      cooldownSeconds: 300,
      when: { all: [{ input: 'stats.accuracy', op: '>=', value: 0.6 }, { input: 'stats.secondsPlayed', op: '>=', value: 60 }] },
      then: [{ recommend: 'loadout', value: 'heavy', message: 'Your aim is sharp: heavy shots do double damage.' }],
    },
    {
      id: 'find-company',
      description: 'Playing alone for a minute: point to a room with other players (if one is open).',
      priority: 50,
      cooldownSeconds: 300,
      when: { all: [{ input: 'room.players', op: '==', value: 1 }, { input: 'stats.secondsPlayed', op: '>=', value: 60 }] },
      then: [{ recommend: 'room', message: 'Other players are in a room with free seats: co-op is more fun.' }],
    },
    {
      id: 'relax-after-hard-peak',
      description: 'After a wave that hurt, a longer relax phase (Left 4 Dead style pacing).',
      scope: 'room',
      priority: 200,
      cooldownSeconds: 0,
      when: { input: 'room.peakIntensity', op: '>=', value: 0.6 },
      then: [{ knob: 'relaxSeconds', set: 12 }, { knob: 'spawnRate', scale: 0.8 }],
    },
    {
      id: 'build-up-when-cruising',
      description: 'Waves that barely touch anyone: shorter relax, bigger and faster waves.',
      scope: 'room',
      priority: 100,
      cooldownSeconds: 0,
      when: { all: [{ input: 'room.peakIntensity', op: '<', value: 0.2 }, { input: 'room.wave', op: '>=', value: 2 }] },
      then: [{ knob: 'relaxSeconds', set: 4 }, { knob: 'waveSize', scale: 1.3 }, { knob: 'spawnRate', scale: 1.3 }],
    },
  ],
};
