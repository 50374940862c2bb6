/**
 * What the director sees of a player and a room each second: the behavior profile, the
 * chat trend and game stats turned into the named inputs of the rule language
 * (PLAYER_INPUTS / ROOM_INPUTS in shared/src/rules.ts). Used by the live room and by the
 * bot harness that records play for the dry run, so both produce the same inputs.
 */
import { round } from './director.js';
import { PLAYER_MAX_HP, TICK_MS, type InputValues, type SimPlayer, type SimWorld } from '@pulse-arena/shared';

/** Rates ("per minute") look at the last 60 s... */
const RATE_WINDOW_S = 60;
/** ...but divide by at least 20 s, so the first seconds of a match do not read as extreme. */
const MIN_RATE_SPAN_S = 20;
/** Weight of the newest chat message in the sentiment and toxicity trends. */
const CHAT_TREND_WEIGHT = 0.4;
/** Intensity: a full health bar of damage is 1.5; it decays 0.1/s once safe for 3 s. */
const INTENSITY_PER_HP = 1.5 / PLAYER_MAX_HP;
const INTENSITY_DECAY_PER_S = 0.1;
const INTENSITY_SAFE_S = 3;
/** Intensity at which a player counts as struggling (room.struggling). */
export const STRUGGLING_INTENSITY = 0.6;

interface StatPoint { t: number; damage: number; kills: number; deaths: number; shots: number; hits: number }

/** Per-player running signals; `sample` is called once a second with the sim's player. */
export class PlayerSignals {
  private readonly points: StatPoint[] = [];
  private chatSentiment: number | undefined;
  private chatToxicity: number | undefined;
  private readonly chatTimes: number[] = [];
  private intensity = 0;
  private lastDamageAt = -Infinity;
  private lastDamage = 0;

  constructor(private readonly joinedAt: number) {}

  /** Folds in one scored chat message: sentiment probabilities [negative, neutral, positive]. */
  onChat(t: number, sentiment: readonly [number, number, number], toxicity: number): void {
    const s = sentiment[2] - sentiment[0];
    this.chatSentiment = this.chatSentiment === undefined ? s : (1 - CHAT_TREND_WEIGHT) * this.chatSentiment + CHAT_TREND_WEIGHT * s;
    this.chatToxicity = this.chatToxicity === undefined ? toxicity
      : (1 - CHAT_TREND_WEIGHT) * this.chatToxicity + CHAT_TREND_WEIGHT * toxicity;
    this.chatTimes.push(t);
  }

  /** Current intensity, 0–1 (what room.intensity averages). */
  get currentIntensity(): number {
    return this.intensity;
  }

  /**
   * The player's inputs at time `t` (ms): `profile` is the behavior model's smoothed read
   * (null before the first one), `roomPlayers` and `wave` describe the room.
   */
  sample(t: number, p: SimPlayer, world: SimWorld, profile: Readonly<Record<string, number>> | null, roomPlayers: number): InputValues {
    const st = p.stats;
    const point: StatPoint = { t, damage: st.damageTaken, kills: p.kills, deaths: p.deaths, shots: st.shotsFired, hits: st.shotsHit };
    this.points.push(point);
    while (this.points.length > 1 && t - this.points[0]!.t > RATE_WINDOW_S * 1000) this.points.shift();
    while (this.chatTimes.length && t - this.chatTimes[0]! > RATE_WINDOW_S * 1000) this.chatTimes.shift();

    const damageNow = st.damageTaken - this.lastDamage;
    this.lastDamage = st.damageTaken;
    if (damageNow > 0) this.lastDamageAt = t;
    const safe = (t - this.lastDamageAt) / 1000 >= INTENSITY_SAFE_S;
    this.intensity = Math.min(1, Math.max(0, this.intensity + damageNow * INTENSITY_PER_HP - (safe ? INTENSITY_DECAY_PER_S : 0)));

    const first = this.points[0]!;
    const span = Math.max(MIN_RATE_SPAN_S, (t - first.t) / 1000);
    const perMin = (now: number, then: number) => ((now - then) * 60) / span;
    const shots = point.shots - first.shots;
    const lastDeath = st.lastDeathTick >= 0 ? t - (world.tick - st.lastDeathTick) * TICK_MS : this.joinedAt;

    const inputs: InputValues = {
      'stats.damageTakenPerMin': round(perMin(point.damage, first.damage)),
      'stats.killsPerMin': round(perMin(point.kills, first.kills)),
      'stats.deathsPerMin': round(perMin(point.deaths, first.deaths)),
      'stats.secondsSinceDeath': Math.max(0, Math.round((t - Math.max(lastDeath, this.joinedAt)) / 1000)),
      'stats.secondsPlayed': Math.max(0, Math.round((t - this.joinedAt) / 1000)),
      'stats.hp': Math.round(p.hp),
      'stats.intensity': round(this.intensity),
      'chat.messagesPerMin': this.chatTimes.length,
      'room.players': roomPlayers,
      'room.wave': world.wave,
    };
    if (shots > 0) inputs['stats.accuracy'] = round((point.hits - first.hits) / shots);
    if (this.chatSentiment !== undefined) inputs['chat.sentiment'] = round(this.chatSentiment);
    if (this.chatToxicity !== undefined) inputs['chat.toxicity'] = round(this.chatToxicity);
    if (profile) {
      for (const [style, prob] of Object.entries(profile)) (inputs as Record<string, number>)[`style.${style}`] = round(prob);
    }
    return inputs;
  }
}

/** Room-level signals: intensity across players and the peak of the current wave. */
export class RoomSignals {
  private wave = -1;
  private peak = 0;

  sample(world: SimWorld, intensities: readonly number[]): InputValues {
    const n = intensities.length;
    const mean = n ? intensities.reduce((a, b) => a + b, 0) / n : 0;
    // The peak covers build-up and peak of a wave and is read during the relax after it.
    if (world.wave !== this.wave && world.phase !== 'relax') {
      this.wave = world.wave;
      this.peak = 0;
    }
    if (world.phase !== 'relax') this.peak = Math.max(this.peak, mean);
    return {
      'room.players': n,
      'room.wave': world.wave,
      'room.intensity': round(mean),
      'room.peakIntensity': round(this.peak),
      'room.struggling': n ? round(intensities.filter((i) => i >= STRUGGLING_INTENSITY).length / n) : 0,
    };
  }
}
