/**
 * Scripted players with distinct play styles: the labelled data the behavior model is
 * trained on. Each bot reads the real shared world and emits the same `PlayerInput` a
 * browser client sends, through a "motor" layer that behaves like a person at a keyboard
 * and mouse (8-way keys held for a few ticks, a mouse that turns at a limited rate and
 * wobbles, a perception delay) — except for the `inhuman` style, whose aim and trigger
 * are machine-perfect, as an aimbot's are.
 *
 * Every random choice comes from the bot's own seeded {@link Rng}, never from the
 * world's PRNG (so bots do not perturb the simulation's randomness) and never from
 * Math.random: a bot replays identically from its seed.
 */
import {
  ARENA_HEIGHT, ARENA_WIDTH, BULLET_SPEED, BULLET_TTL_TICKS, DT, PLAYER_MAX_HP,
  PLAYER_SPEED, type PlayerInput, type SimPlayer, type SimWorld,
} from '@pulse-arena/shared';
import type { Rng } from '../runtime/rng.js';
import type { BehaviorStyle } from './classes.js';

/** The human styles an aimbot user's movement is drawn from. */
export type MovementStyle = 'aggressive' | 'evasive' | 'collector';
const MOVEMENT_STYLES: readonly MovementStyle[] = ['aggressive', 'evasive', 'collector'];

/**
 * Per-episode skill of one bot. Drawn from style-specific ranges by {@link drawSkill},
 * so two aggressive bots are never quite the same player.
 */
export interface BotSkill {
  /** Perception delay: the bot sees enemies as they were this many ticks ago. */
  reactionTicks: number;
  /** Standard deviation (rad) of the slowly wandering aim error. */
  aimNoise: number;
  /** Fraction of the remaining aim error corrected per tick (1 = snap). */
  aimGain: number;
  /** Fastest aim turn per tick (rad); Infinity for the aimbot. */
  aimTurnRate: number;
  /** Holds fire when the aim error is below this (rad) and a target is in range. */
  fireTolerance: number;
  /** Probability per decision of pulling the trigger when allowed. */
  triggerRate: number;
  /** Distance (px) at which the bot engages enemies with fire. */
  fireRange: number;
  /** Probability per tick of dashing when the style's dash condition holds. */
  dashRate: number;
  /** Ticks a set of movement keys is held before the next movement decision. */
  keyHoldTicks: number;
  /** Preferred distance (px) to the nearest enemy: close for rushers, far for kiters. */
  preferredRange: number;
  /**
   * Style-specific extra: health-seeking (aggressive), pickup greed (evasive),
   * fightiness (collector), walking-into-enemies bias (novice), move interval in ticks
   * (idle), unused (inhuman).
   */
  quirk: number;
}

function drawRange(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Draws one episode's skill for `style` from its ranges. */
export function drawSkill(style: BehaviorStyle, rng: Rng): BotSkill {
  const r = (lo: number, hi: number): number => drawRange(rng, lo, hi);
  const ri = (lo: number, hi: number): number => Math.round(drawRange(rng, lo, hi));
  switch (style) {
    case 'aggressive':
      return {
        reactionTicks: ri(2, 7), aimNoise: r(0.05, 0.18), aimGain: r(0.35, 0.7), aimTurnRate: r(0.25, 0.7),
        fireTolerance: r(0.35, 0.9), triggerRate: r(0.8, 1), fireRange: r(330, 560), dashRate: r(0.03, 0.15),
        keyHoldTicks: ri(2, 6), preferredRange: r(30, 130), quirk: r(0.2, 0.8),
      };
    case 'evasive':
      return {
        reactionTicks: ri(2, 8), aimNoise: r(0.06, 0.2), aimGain: r(0.3, 0.6), aimTurnRate: r(0.2, 0.6),
        fireTolerance: r(0.12, 0.35), triggerRate: r(0.5, 0.95), fireRange: r(300, 520), dashRate: r(0.1, 0.45),
        keyHoldTicks: ri(2, 5), preferredRange: r(220, 380), quirk: r(0.15, 0.6),
      };
    case 'collector':
      return {
        reactionTicks: ri(3, 9), aimNoise: r(0.08, 0.25), aimGain: r(0.25, 0.5), aimTurnRate: r(0.15, 0.5),
        fireTolerance: r(0.2, 0.5), triggerRate: r(0.5, 0.9), fireRange: r(120, 260), dashRate: r(0.01, 0.06),
        keyHoldTicks: ri(2, 6), preferredRange: r(70, 140), quirk: r(0.1, 0.6),
      };
    case 'novice':
      return {
        reactionTicks: ri(7, 15), aimNoise: r(0.3, 0.8), aimGain: r(0.06, 0.22), aimTurnRate: r(0.06, 0.22),
        fireTolerance: r(0.6, 1.6), triggerRate: r(0.15, 0.5), fireRange: r(150, 600), dashRate: r(0.005, 0.03),
        keyHoldTicks: ri(4, 20), preferredRange: 0, quirk: r(0.15, 0.5),
      };
    case 'idle':
      return {
        reactionTicks: ri(10, 25), aimNoise: 0, aimGain: r(0.05, 0.2), aimTurnRate: r(0.02, 0.1),
        fireTolerance: 0, triggerRate: r(0, 0.002), fireRange: 0, dashRate: 0,
        keyHoldTicks: ri(1, 4), preferredRange: 0, quirk: ri(80, 400),
      };
    case 'inhuman':
      return {
        reactionTicks: 0, aimNoise: r(0, 0.006), aimGain: r(0.85, 1), aimTurnRate: Infinity,
        fireTolerance: r(0.04, 0.12), triggerRate: 1, fireRange: r(450, 600), dashRate: 0,
        keyHoldTicks: 0, preferredRange: 0, quirk: 0,
      };
  }
}

interface SeenEnemy {
  id: number;
  x: number;
  y: number;
}

interface Target {
  x: number;
  y: number;
  dist: number;
}

function wrapAngle(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** sin(22.5°): an axis key is pressed when the wanted direction leans that way by more. */
const KEY_THRESHOLD = 0.38;

/** A wanted direction → the 8-way keys a keyboard player would hold. */
export function directionToKeys(dx: number, dy: number): { moveX: number; moveY: number } {
  const len = Math.hypot(dx, dy);
  if (len < 1e-6) return { moveX: 0, moveY: 0 };
  const nx = dx / len, ny = dy / len;
  return {
    moveX: nx > KEY_THRESHOLD ? 1 : nx < -KEY_THRESHOLD ? -1 : 0,
    moveY: ny > KEY_THRESHOLD ? 1 : ny < -KEY_THRESHOLD ? -1 : 0,
  };
}

/** Range a player bullet flies before it expires. */
const BULLET_RANGE = BULLET_SPEED * (BULLET_TTL_TICKS * DT);
/** Longest perception delay any style draws, plus one. */
const HISTORY = 32;

/** Options for {@link BotPlayer}. */
export interface BotOptions {
  /** For `inhuman`: the human movement it hides behind (drawn when omitted). */
  movement?: MovementStyle;
  /** Use this skill instead of drawing one. */
  skill?: BotSkill;
}

/**
 * One scripted player. Call {@link act} once per tick, before `stepWorld`, with the
 * world and this bot's own `SimPlayer`; {@link label} then says which style produced the
 * input (an aimbot with no enemy to lock on to plays like its human movement style, and
 * is labelled as that).
 */
export class BotPlayer {
  style: BehaviorStyle;
  skill: BotSkill;
  movement: MovementStyle;
  /** The style that produced the last input. */
  label: BehaviorStyle;

  private readonly rng: Rng;
  private readonly history: SeenEnemy[][] = [];
  private seq = 0;
  private aim: number;
  private aimError = 0;
  private keys = { moveX: 0, moveY: 0 };
  private holdLeft = 0;
  private fireHeld = false;
  private fireHoldLeft = 0;
  private dashHeld = 0;
  private waypoint: { x: number; y: number } | null = null;
  private strafeSign = 1;
  private nextIdleMove: number;
  private nudgeLeft = 0;
  private nudgeStep = 0;
  private lastTarget: { id: number; x: number; y: number } | null = null;
  private readonly movementSkills = new Map<MovementStyle, BotSkill>();

  constructor(style: BehaviorStyle, rng: Rng, options: BotOptions = {}) {
    this.rng = rng;
    this.style = style;
    this.label = style;
    this.skill = options.skill ?? drawSkill(style, rng);
    this.movement = options.movement ?? rng.pick(MOVEMENT_STYLES);
    this.aim = rng.range(-Math.PI, Math.PI);
    this.nextIdleMove = Math.round(this.skill.quirk * rng.next());
  }

  /**
   * Changes style mid-episode (a player who goes AFK, or switches an aimbot on), with a
   * fresh skill draw for the new style. Motor state (aim, held keys) carries over.
   */
  switchStyle(style: BehaviorStyle, options: BotOptions = {}): void {
    this.style = style;
    this.skill = options.skill ?? drawSkill(style, this.rng);
    if (options.movement) this.movement = options.movement;
    this.nextIdleMove = Math.round(this.skill.quirk * this.rng.next());
    this.holdLeft = 0;
  }

  /** Decides this tick's input. */
  act(world: SimWorld, self: SimPlayer): PlayerInput {
    this.observe(world);
    this.seq++;
    this.label = this.style;
    if (!self.alive) {
      // Waiting to respawn: hands off, as a real client's held keys do nothing now.
      this.keys = { moveX: 0, moveY: 0 };
      this.holdLeft = 0;
      this.fireHeld = false;
      return this.input(false);
    }
    let dash = false;
    switch (this.style) {
      case 'aggressive': dash = this.actAggressive(world, self); break;
      case 'evasive': dash = this.actEvasive(world, self); break;
      case 'collector': dash = this.actCollector(world, self); break;
      case 'novice': dash = this.actNovice(world, self); break;
      case 'idle': this.actIdle(world); break;
      case 'inhuman': dash = this.actInhuman(world, self); break;
    }
    return this.input(dash);
  }

  private input(dash: boolean): PlayerInput {
    // A dash key is held for a couple of ticks, like a real key press.
    if (dash) this.dashHeld = 1 + this.rng.int(3);
    const pressed = this.dashHeld > 0;
    if (this.dashHeld > 0) this.dashHeld--;
    return {
      seq: this.seq, moveX: this.keys.moveX, moveY: this.keys.moveY, aim: wrapAngle(this.aim),
      fire: this.fireHeld, dash: pressed,
    };
  }

  // ---------------------------------------------------------------- perception

  private observe(world: SimWorld): void {
    const snap: SeenEnemy[] = world.enemies.map((e) => ({ id: e.id, x: e.x, y: e.y }));
    this.history.push(snap);
    if (this.history.length > HISTORY) this.history.shift();
  }

  /** Enemies as this bot perceives them now (delayed by its reaction time). */
  private seen(): SeenEnemy[] {
    const i = Math.max(0, this.history.length - 1 - this.skill.reactionTicks);
    return this.history[i] ?? [];
  }

  private nearestSeen(self: SimPlayer): (SeenEnemy & { dist: number }) | null {
    let best: (SeenEnemy & { dist: number }) | null = null;
    for (const e of this.seen()) {
      const d = Math.hypot(e.x - self.x, e.y - self.y);
      if (!best || d < best.dist) best = { ...e, dist: d };
    }
    return best;
  }

  private nearestPickup(world: SimWorld, self: SimPlayer, kinds?: ReadonlyArray<string>): Target | null {
    let best: Target | null = null;
    for (const k of world.pickups) {
      if (kinds && !kinds.includes(k.kind)) continue;
      const d = Math.hypot(k.x - self.x, k.y - self.y);
      if (!best || d < best.dist) best = { x: k.x, y: k.y, dist: d };
    }
    return best;
  }

  /** Sum of unit vectors away from enemies within `radius`, weighted by closeness. */
  private threatAway(self: SimPlayer, radius: number): { x: number; y: number; count: number } {
    let x = 0, y = 0, count = 0;
    for (const e of this.seen()) {
      const dx = self.x - e.x, dy = self.y - e.y;
      const d = Math.hypot(dx, dy) || 1e-6;
      if (d > radius) continue;
      const w = (radius - d) / radius;
      x += (dx / d) * w;
      y += (dy / d) * w;
      count++;
    }
    return { x, y, count };
  }

  // ---------------------------------------------------------------- motor layer

  /** Holds new movement keys towards (dx, dy) unless the current ones are still held. */
  private steer(dx: number, dy: number, urgent = false): void {
    if (this.holdLeft > 0 && !urgent) {
      this.holdLeft--;
      return;
    }
    this.keys = directionToKeys(dx, dy);
    this.holdLeft = Math.max(0, this.skill.keyHoldTicks - 1 + (this.rng.chance(0.3) ? this.rng.int(3) : 0));
  }

  private stop(): void {
    this.keys = { moveX: 0, moveY: 0 };
    this.holdLeft = 0;
  }

  /** Pushes away from walls within `margin` px so kiting does not end in a corner. */
  private wallPush(self: SimPlayer, margin = 110): { x: number; y: number } {
    const x = self.x < margin ? (margin - self.x) / margin : self.x > ARENA_WIDTH - margin ? -(self.x - (ARENA_WIDTH - margin)) / margin : 0;
    const y = self.y < margin ? (margin - self.y) / margin : self.y > ARENA_HEIGHT - margin ? -(self.y - (ARENA_HEIGHT - margin)) / margin : 0;
    return { x, y };
  }

  /** Human mouse: turns towards `angle` at a limited rate, with a slowly wandering error. */
  private aimAt(angle: number): void {
    const s = this.skill;
    // Ornstein–Uhlenbeck error: aim drifts off target and back, as a hand does.
    this.aimError = this.aimError * 0.9 + this.rng.gaussian() * s.aimNoise * 0.436;
    const err = wrapAngle(angle + this.aimError - this.aim);
    const turn = clamp(err * s.aimGain, -s.aimTurnRate, s.aimTurnRate);
    this.aim = wrapAngle(this.aim + turn + this.rng.gaussian() * 0.004);
  }

  /** Aim drifts towards the walking direction when there is nothing to shoot. */
  private aimIdle(): void {
    if (this.keys.moveX !== 0 || this.keys.moveY !== 0) {
      this.aimAt(Math.atan2(this.keys.moveY, this.keys.moveX));
    } else if (this.rng.chance(0.05)) {
      this.aim = wrapAngle(this.aim + this.rng.gaussian() * 0.05);
    }
  }

  /** Fire decision with a held mouse button: a press lasts a few ticks. */
  private trigger(want: boolean): void {
    if (this.fireHoldLeft > 0) {
      this.fireHoldLeft--;
      return;
    }
    this.fireHeld = want && this.rng.chance(this.skill.triggerRate);
    this.fireHoldLeft = this.fireHeld ? this.rng.int(6) : this.rng.int(3);
  }

  /** Aims at a perceived enemy and fires if the aim is close enough. */
  private engage(self: SimPlayer, e: Target): void {
    const bearing = Math.atan2(e.y - self.y, e.x - self.x);
    this.aimAt(bearing);
    const err = Math.abs(wrapAngle(bearing - this.aim));
    this.trigger(e.dist < Math.min(this.skill.fireRange, BULLET_RANGE) && err < this.skill.fireTolerance);
  }

  private explore(self: SimPlayer): void {
    if (!this.waypoint || Math.hypot(this.waypoint.x - self.x, this.waypoint.y - self.y) < 40) {
      this.waypoint = { x: this.rng.range(80, ARENA_WIDTH - 80), y: this.rng.range(80, ARENA_HEIGHT - 80) };
    }
    this.steer(this.waypoint.x - self.x, this.waypoint.y - self.y);
  }

  private canDash(self: SimPlayer): boolean {
    return self.dashCooldown === 0 && self.dashTicks === 0 && (this.keys.moveX !== 0 || this.keys.moveY !== 0);
  }

  // ---------------------------------------------------------------- styles

  /** Rushes the nearest enemy, circles it at close range, fires a lot, dashes in. */
  private actAggressive(world: SimWorld, self: SimPlayer): boolean {
    const s = this.skill;
    const e = this.nearestSeen(self);
    if (!e) {
      // Hunting: roams, often towards the edges where enemies spawn.
      this.explore(self);
      this.aimIdle();
      this.trigger(false);
      return false;
    }
    const health = self.hp < PLAYER_MAX_HP * 0.35 ? this.nearestPickup(world, self, ['health']) : null;
    if (health && health.dist < 260 && this.rng.chance(s.quirk)) {
      this.steer(health.x - self.x, health.y - self.y);
    } else if (e.dist > s.preferredRange) {
      this.steer(e.x - self.x, e.y - self.y);
    } else {
      if (this.rng.chance(0.03)) this.strafeSign = -this.strafeSign;
      const ux = (e.x - self.x) / (e.dist || 1), uy = (e.y - self.y) / (e.dist || 1);
      this.steer(-uy * this.strafeSign + ux * 0.3, ux * this.strafeSign + uy * 0.3);
    }
    this.engage(self, e);
    return e.dist > 140 && e.dist < 380 && this.canDash(self) && this.rng.chance(s.dashRate);
  }

  /** Keeps its preferred range, kites sideways while shooting back, dashes away when pressed. */
  private actEvasive(world: SimWorld, self: SimPlayer): boolean {
    const s = this.skill;
    const e = this.nearestSeen(self);
    const wall = this.wallPush(self);
    if (!e) {
      const pickup = this.nearestPickup(world, self);
      if (pickup && pickup.dist < 200 && this.rng.chance(s.quirk)) this.steer(pickup.x - self.x, pickup.y - self.y);
      else if (Math.hypot(self.x - ARENA_WIDTH / 2, self.y - ARENA_HEIGHT / 2) > 200) {
        this.steer(ARENA_WIDTH / 2 - self.x, ARENA_HEIGHT / 2 - self.y);
      } else if (this.rng.chance(0.4)) this.stop();
      else this.explore(self);
      this.aimIdle();
      this.trigger(false);
      return false;
    }
    const away = this.threatAway(self, s.preferredRange + 60);
    const ux = (e.x - self.x) / (e.dist || 1), uy = (e.y - self.y) / (e.dist || 1);
    if (this.rng.chance(0.015)) this.strafeSign = -this.strafeSign;
    const urgent = e.dist < s.preferredRange * 0.5;
    if (e.dist < s.preferredRange) {
      // Back off and circle: away from the threats plus a sideways component.
      this.steer(away.x * 1.5 - uy * this.strafeSign * 0.7 + wall.x * 2, away.y * 1.5 + ux * this.strafeSign * 0.7 + wall.y * 2, urgent);
    } else if (e.dist > s.preferredRange + 120) {
      const pickup = this.nearestPickup(world, self);
      if (pickup && pickup.dist < 180 && this.rng.chance(s.quirk)) this.steer(pickup.x - self.x, pickup.y - self.y);
      else this.steer(-uy * this.strafeSign + wall.x, ux * this.strafeSign + wall.y);
    } else {
      this.steer(-uy * this.strafeSign - ux * 0.3 + wall.x * 2, ux * this.strafeSign - uy * 0.3 + wall.y * 2);
    }
    this.engage(self, e);
    return e.dist < Math.max(90, s.preferredRange * 0.4) && this.canDash(self) && this.rng.chance(s.dashRate);
  }

  /** Goes for pickups, explores when there are none, defends itself at close range. */
  private actCollector(world: SimWorld, self: SimPlayer): boolean {
    const s = this.skill;
    const e = this.nearestSeen(self);
    const pickup = this.nearestPickup(world, self);
    if (e && e.dist < s.preferredRange * 0.6) {
      // Too close: sidestep away, then carry on.
      const away = this.threatAway(self, s.preferredRange);
      this.steer(away.x + (pickup ? (pickup.x - self.x) / pickup.dist * 0.4 : 0), away.y + (pickup ? (pickup.y - self.y) / pickup.dist * 0.4 : 0), true);
    } else if (pickup) {
      this.steer(pickup.x - self.x, pickup.y - self.y);
    } else {
      this.explore(self);
    }
    // Fights sometimes: only what comes within its (short) engage range.
    if (e && e.dist < s.fireRange && this.rng.chance(s.quirk * 0.5 + 0.5)) this.engage(self, e);
    else {
      this.aimIdle();
      this.trigger(false);
    }
    const far = pickup ? pickup.dist > 250 : false;
    return far && this.canDash(self) && this.rng.chance(s.dashRate);
  }

  /** Erratic keys, slow and wobbly aim, spraying, wasted dashes, wanders into enemies. */
  private actNovice(world: SimWorld, self: SimPlayer): boolean {
    const s = this.skill;
    const e = this.nearestSeen(self);
    if (this.holdLeft > 0) this.holdLeft--;
    else {
      const r = this.rng.next();
      if (r < 0.25) this.stop();
      else if (e && r < 0.25 + s.quirk) this.steer(e.x - self.x + this.rng.gaussian() * 80, e.y - self.y + this.rng.gaussian() * 80, true);
      else {
        const pickup = this.nearestPickup(world, self);
        if (pickup && r > 0.9) this.steer(pickup.x - self.x, pickup.y - self.y, true);
        else this.steer(this.rng.gaussian(), this.rng.gaussian(), true);
      }
      this.holdLeft = Math.max(1, s.keyHoldTicks + this.rng.int(8) - 4);
    }
    if (e && this.rng.chance(0.8)) this.aimAt(Math.atan2(e.y - self.y, e.x - self.x));
    else this.aimAt(this.aim + this.rng.gaussian() * 0.6);
    if (this.fireHoldLeft > 0) this.fireHoldLeft--;
    else {
      const aimed = e ? Math.abs(wrapAngle(Math.atan2(e.y - self.y, e.x - self.x) - this.aim)) < s.fireTolerance : false;
      this.fireHeld = this.rng.chance(aimed ? s.triggerRate * 1.5 : s.triggerRate * 0.4);
      this.fireHoldLeft = this.rng.int(this.fireHeld ? 12 : 10);
    }
    return this.canDash(self) && this.rng.chance(s.dashRate);
  }

  /** Away from keyboard: no input, now and then a tiny tap or a mouse nudge. */
  private actIdle(_world: SimWorld): void {
    this.fireHeld = this.rng.chance(this.skill.triggerRate);
    if (this.holdLeft > 0) {
      this.holdLeft--;
      if (this.holdLeft === 0) this.keys = { moveX: 0, moveY: 0 };
    } else if (--this.nextIdleMove <= 0) {
      this.keys = directionToKeys(this.rng.gaussian(), this.rng.gaussian());
      this.holdLeft = this.skill.keyHoldTicks;
      this.nextIdleMove = Math.round(this.skill.quirk * (0.5 + this.rng.next()));
    }
    if (this.nudgeLeft > 0) {
      this.nudgeLeft--;
      this.aim = wrapAngle(this.aim + this.nudgeStep);
    } else if (this.rng.chance(0.004)) {
      this.nudgeLeft = 1 + this.rng.int(5);
      this.nudgeStep = this.rng.gaussian() * this.skill.aimTurnRate;
    }
  }

  /**
   * Aimbot: perfect, instant aim at where the nearest enemy will be after this tick,
   * trigger held whenever it is in range. Movement is a human style's (with human
   * reaction), as a cheater's is. With no enemy the aimbot has nothing to do and the
   * bot plays (and is labelled) as its movement style.
   */
  private actInhuman(world: SimWorld, self: SimPlayer): boolean {
    const target = this.lockOn(world, self);
    let dash: boolean;
    const skill = this.skill;
    this.skill = this.movementSkill();
    try {
      if (this.movement === 'aggressive') dash = this.actAggressive(world, self);
      else if (this.movement === 'evasive') dash = this.actEvasive(world, self);
      else dash = this.actCollector(world, self);
    } finally {
      this.skill = skill;
    }
    if (!target) {
      this.label = this.movement;
      return dash;
    }
    // Overwrite the human aim and trigger with the machine's.
    const err = wrapAngle(target.angle - this.aim);
    this.aim = wrapAngle(this.aim + err * skill.aimGain + this.rng.gaussian() * skill.aimNoise);
    this.fireHeld = target.dist < skill.fireRange && Math.abs(wrapAngle(target.angle - this.aim)) < skill.fireTolerance;
    this.fireHoldLeft = 0;
    return dash;
  }

  /** The human skill an aimbot user moves with, drawn once per movement style from a side stream. */
  private movementSkill(): BotSkill {
    let skill = this.movementSkills.get(this.movement);
    if (!skill) {
      skill = drawSkill(this.movement, this.rng.fork(`movement-${this.movement}`));
      this.movementSkills.set(this.movement, skill);
    }
    return skill;
  }

  /** The aimbot's lock: nearest enemy now, led by its last-tick velocity and our own move. */
  private lockOn(world: SimWorld, self: SimPlayer): { angle: number; dist: number } | null {
    let best: { id: number; x: number; y: number; d: number } | null = null;
    for (const e of world.enemies) {
      const d = (e.x - self.x) ** 2 + (e.y - self.y) ** 2;
      if (!best || d < best.d) best = { id: e.id, x: e.x, y: e.y, d };
    }
    if (!best) {
      this.lastTarget = null;
      return null;
    }
    let vx = 0, vy = 0;
    if (this.lastTarget && this.lastTarget.id === best.id) {
      vx = best.x - this.lastTarget.x;
      vy = best.y - this.lastTarget.y;
    }
    this.lastTarget = { id: best.id, x: best.x, y: best.y };
    const len = Math.hypot(this.keys.moveX, this.keys.moveY);
    const step = PLAYER_SPEED * DT * (self.dashTicks > 0 ? 3 : 1);
    const sx = self.x + (len > 0 ? (this.keys.moveX / len) * step : 0);
    const sy = self.y + (len > 0 ? (this.keys.moveY / len) * step : 0);
    const tx = best.x + vx, ty = best.y + vy;
    return { angle: Math.atan2(ty - sy, tx - sx), dist: Math.hypot(tx - sx, ty - sy) };
  }
}
