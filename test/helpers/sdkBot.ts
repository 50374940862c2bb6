/**
 * Drives a real @colyseus/sdk room with one of the scripted behavior bots (the same bots
 * the behavior model was trained on): each tick the bot reads the client's decoded state
 * and sends the input a browser would. Used by end-to-end personalization tests.
 */
import { ClientMessage, TICK_MS, type ArenaStateView, type SimPlayer, type SimWorld } from '@pulse-arena/shared';
import { BotPlayer, drawSkill, type BotOptions, type BotSkill } from '../../models/src/behavior/bots.js';
import type { BehaviorStyle } from '../../models/src/behavior/classes.js';
import { createRng } from '../../models/src/runtime/rng.js';
import type { ArenaClientRoom } from './arenaServer.js';

/** What the bots read of the world, rebuilt from the client's view of the state. */
function worldView(state: ArenaStateView): SimWorld {
  const enemies: Array<{ id: number; kind: string; x: number; y: number; hp: number }> = [];
  state.enemies.forEach((e, id) => enemies.push({ id: Number(id), kind: e.kind, x: e.x, y: e.y, hp: e.hp }));
  const pickups: Array<{ id: number; kind: string; x: number; y: number }> = [];
  state.pickups.forEach((k, id) => pickups.push({ id: Number(id), kind: k.kind, x: k.x, y: k.y }));
  return { tick: state.tick, enemies, pickups } as unknown as SimWorld;
}

/** An aggressive player at the top of the style's skill range: quick, accurate, keeps a little distance and grabs health. */
export function sharpAggressive(seed: number): BotSkill {
  return {
    ...drawSkill('aggressive', createRng(seed)),
    reactionTicks: 2, aimNoise: 0.05, aimGain: 0.7, aimTurnRate: 0.7, triggerRate: 1, fireRange: 560,
    keyHoldTicks: 2, preferredRange: 130, quirk: 0.8,
  };
}

export class SdkBot {
  readonly bot: BotPlayer;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(readonly room: ArenaClientRoom, style: BehaviorStyle, seed: number, options: BotOptions = {}) {
    this.bot = new BotPlayer(style, createRng(seed), options);
  }

  start(): this {
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  switchStyle(style: BehaviorStyle, options: BotOptions = {}): void {
    this.bot.switchStyle(style, options);
  }

  private tick(): void {
    const state = this.room.state;
    const own = state.players?.get(this.room.sessionId);
    if (!own) return;
    const self = { ...own } as unknown as SimPlayer;
    const input = this.bot.act(worldView(state), self);
    // The bot numbers its own inputs; the room wants them strictly increasing per connection.
    this.seq++;
    this.room.send(ClientMessage.Input, { ...input, seq: this.seq });
  }
}
