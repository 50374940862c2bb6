/**
 * Recorded bot play for the dry run: rooms of scripted style bots (the behavior model's
 * training bots) play the real shared simulation headless and faster than real time, with
 * the real behavior and chat models in-process and the live room's director path
 * ({@link RoomDirector}) deciding — so what lands in the database (director samples,
 * decisions, recommendations) is exactly what live rooms write.
 */
import { randomUUID } from 'node:crypto';
import {
  FRAME_RING_CAPACITY, FRAME_WINDOW, FrameRing, TICK_MS, TICK_RATE, addPlayer, createWorld, stepWorld,
  type PlayerInput, type SimWorld,
} from '@pulse-arena/shared';
import { BotPlayer } from '../../models/src/behavior/bots.js';
import { BEHAVIOR_CLASSES, type BehaviorStyle } from '../../models/src/behavior/classes.js';
import type { BehaviorClassifier } from '../../models/src/behavior/classifier.js';
import { isClassifiable } from '../../models/src/behavior/windows.js';
import type { ChatClassifier } from '../../models/src/chat/classifier.js';
import { createRng, type Rng } from '../../models/src/runtime/rng.js';
import type { CompiledRuleSet } from '../../server/src/director/director.js';
import { RoomDirector } from '../../server/src/director/roomDirector.js';
import { BehaviorProfile } from '../../server/src/rooms/behaviorProfile.js';
import type { GameRecorder } from '../../server/src/rooms/gameRecorder.js';

export interface BotPlayOptions {
  rooms: number;
  playersPerRoom: number;
  /** Simulated seconds of play per room. */
  seconds: number;
  seed: number;
  /** Wall-clock time the recording pretends to start at (ms since the epoch). */
  startAt: number;
  rules: CompiledRuleSet;
  recorder: GameRecorder;
  behavior: BehaviorClassifier;
  /** Scores the bots' chat lines; without it bots do not chat. */
  chat?: ChatClassifier | null;
}

export interface BotPlayResult {
  /** Room-seconds the director stepped (= samples written). */
  samples: number;
  /** Activations per rule, as the live director made them. */
  activations: Map<string, number>;
  endAt: number;
  wallMs: number;
}

/** Styles a bot moves between; each stint lasts 1–5 minutes, as players settle and change. */
const STYLES: readonly BehaviorStyle[] = ['aggressive', 'evasive', 'collector', 'novice', 'idle'];
const LINES: Record<'happy' | 'grumpy', readonly string[]> = {
  happy: ['gg nice wave', 'this is fun', 'nice shot!', 'lets go team', 'good run everyone'],
  grumpy: ['this is impossible', 'i keep dying wtf', 'so frustrating', 'this game is broken', 'ugh i hate this wave'],
};

interface BotSeat {
  sessionId: string;
  bot: BotPlayer;
  ring: FrameRing;
  profile: BehaviorProfile;
  nextSwitch: number;
  classifyPhase: number;
  nextChat: number;
}

export async function recordBotPlay(opts: BotPlayOptions): Promise<BotPlayResult> {
  const started = performance.now();
  const rng = createRng(opts.seed);
  const activations = new Map<string, number>();
  const rooms = Array.from({ length: opts.rooms }, (_, r) => makeRoom(r, rng.fork(`room-${r}`), opts, activations));
  const ticks = Math.round(opts.seconds * TICK_RATE);
  let samples = 0;
  const inputs = new Map<string, PlayerInput>();
  for (let tick = 1; tick <= ticks; tick++) {
    const t = opts.startAt + tick * TICK_MS;
    const due: Array<{ seat: BotSeat; window: Float32Array }> = [];
    for (const room of rooms) {
      inputs.clear();
      for (const seat of room.seats) {
        if (tick >= seat.nextSwitch) {
          seat.bot.switchStyle(room.rng.pick(STYLES.filter((s) => s !== seat.bot.style)));
          seat.nextSwitch = tick + Math.round(room.rng.range(60, 300) * TICK_RATE);
        }
        const p = room.world.players.get(seat.sessionId)!;
        inputs.set(seat.sessionId, seat.bot.act(room.world, p));
      }
      stepWorld(room.world, inputs);
      for (const seat of room.seats) {
        const p = room.world.players.get(seat.sessionId)!;
        seat.ring.record(room.world, p, inputs.get(seat.sessionId)!);
        if ((tick + seat.classifyPhase) % TICK_RATE === 0) {
          const window = seat.ring.latest(FRAME_WINDOW);
          if (window && isClassifiable(window)) due.push({ seat, window });
        }
        if (opts.chat && tick >= seat.nextChat && seat.bot.style !== 'idle') {
          seat.nextChat = tick + Math.round(room.rng.range(20, 60) * TICK_RATE);
          const line = room.rng.pick(LINES[seat.bot.style === 'novice' ? 'grumpy' : 'happy']);
          const [score] = opts.chat.score([line]);
          const p = score!.sentimentProbabilities;
          room.director.onChat(seat.sessionId, t, [p.negative, p.neutral, p.positive], score!.toxicity);
        }
      }
    }
    if (due.length) {
      const packed = new Float32Array(due.length * due[0]!.window.length);
      due.forEach((d, i) => packed.set(d.window, i * d.window.length));
      const probs = opts.behavior.predict(packed);
      const k = BEHAVIOR_CLASSES.length;
      due.forEach((d, i) => d.seat.profile.update(probs.subarray(i * k, (i + 1) * k)));
    }
    for (const room of rooms) {
      if ((tick + room.directorPhase) % TICK_RATE !== 0) continue;
      room.director.step(t, room.world, (sessionId) => room.profiles.get(sessionId)?.probabilities() ?? null);
      samples++;
    }
  }
  return { samples, activations, endAt: opts.startAt + ticks * TICK_MS, wallMs: performance.now() - started };
}

function makeRoom(index: number, rng: Rng, opts: BotPlayOptions, activations: Map<string, number>) {
  const world: SimWorld = createWorld(rng.int(2 ** 31));
  // The real recorder, with its decisions counted on the way through.
  const counting: GameRecorder = new Proxy(opts.recorder, {
    get(target, key) {
      if (key === 'recordDecision') {
        return (row: Parameters<GameRecorder['recordDecision']>[0]) => {
          if (row.kind === 'activate') activations.set(row.ruleId, (activations.get(row.ruleId) ?? 0) + 1);
          target.recordDecision(row);
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const director = new RoomDirector({
    roomId: `bots-${index}`, matchId: randomUUID(), rules: opts.rules, recorder: counting, roomFinder: null,
    send: () => undefined, describe: () => ({ world, roomName: `Bots ${index}` }),
  });
  const seats: BotSeat[] = [];
  const profiles = new Map<string, BehaviorProfile>();
  for (let i = 0; i < opts.playersPerRoom; i++) {
    const sessionId = `bot-${index}-${i}`;
    addPlayer(world, sessionId, sessionId);
    director.addPlayer(sessionId, randomUUID(), sessionId, 'standard', opts.startAt);
    const profile = new BehaviorProfile(BEHAVIOR_CLASSES);
    profiles.set(sessionId, profile);
    seats.push({
      sessionId, bot: new BotPlayer(rng.pick(STYLES), rng.fork(`bot-${i}`)), ring: new FrameRing(FRAME_RING_CAPACITY),
      profile, nextSwitch: Math.round(rng.range(60, 300) * TICK_RATE), classifyPhase: rng.int(TICK_RATE),
      nextChat: Math.round(rng.range(5, 40) * TICK_RATE),
    });
  }
  return { world, director, seats, profiles, rng, directorPhase: rng.int(TICK_RATE) };
}
