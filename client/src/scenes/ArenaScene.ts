/**
 * The arena: draws the room state (own player predicted, everyone else interpolated,
 * projectiles extrapolated) and drives the fixed-rate input loop from Phaser's frame loop.
 * Game rules live in shared/ and netcode in ../netcode.ts; this file only presents.
 */
import Phaser from 'phaser';
import {
  ARENA_HEIGHT, ARENA_WIDTH, CHASER_HP, ENEMY_RADIUS, PLAYER_MAX_HP, PLAYER_RADIUS, SHOOTER_HP,
  type ArenaStateView, type EnemyView, type PickupView, type PlayerView, type ProjectileView,
} from '@pulse-arena/shared';
import type { ArenaSession } from '../net/arenaSession.js';
import type { InputSample, Netcode } from '../netcode.js';
import { projectilePosition } from '../serverClock.js';
import { KeyboardState } from '../input/keyboard.js';
import { SpriteLayer } from './spriteLayer.js';
import { createTextures, Palette, TextureKey } from './textures.js';

export const ARENA_SCENE = 'arena';

export interface ArenaSceneData {
  session: ArenaSession;
  netcode: Netcode;
}

const Depth = { grid: 0, pickups: 1, bullets: 2, enemies: 3, players: 4, overlay: 5, labels: 6 } as const;

export class ArenaScene extends Phaser.Scene {
  private session!: ArenaSession;
  private netcode!: Netcode;
  private keyboard!: KeyboardState;
  private overlay!: Phaser.GameObjects.Graphics;
  private players!: SpriteLayer<PlayerView, Phaser.GameObjects.Image>;
  private labels!: SpriteLayer<PlayerView, Phaser.GameObjects.Text>;
  private enemies!: SpriteLayer<EnemyView, Phaser.GameObjects.Image>;
  private projectiles!: SpriteLayer<ProjectileView, Phaser.GameObjects.Image>;
  private pickups!: SpriteLayer<PickupView, Phaser.GameObjects.Image>;
  private lastOwnHp = PLAYER_MAX_HP;

  constructor() {
    super(ARENA_SCENE);
  }

  init(data: ArenaSceneData): void {
    this.session = data.session;
    this.netcode = data.netcode;
    this.lastOwnHp = PLAYER_MAX_HP;
  }

  create(): void {
    if (!this.textures.exists(TextureKey.self)) createTextures(this);
    this.drawArena();
    this.overlay = this.add.graphics().setDepth(Depth.overlay);
    this.keyboard = new KeyboardState();
    this.input.mouse?.disableContextMenu();
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.keyboard.dispose());

    const image = (key: string, depth: number) => this.add.image(0, 0, key).setDepth(depth);
    this.players = new SpriteLayer((id) =>
      image(id === this.session.sessionId ? TextureKey.self : TextureKey.ally, Depth.players));
    this.labels = new SpriteLayer((id, p) => this.add.text(0, 0, p.name, {
      fontFamily: 'system-ui, sans-serif', fontSize: '13px', fontStyle: 'bold',
      color: id === this.session.sessionId ? '#9beaff' : '#ffd8a8',
    }).setOrigin(0.5, 1).setStroke('#0b1020', 4).setDepth(Depth.labels));
    this.enemies = new SpriteLayer((_id, e) => image(TextureKey.enemy(e.kind), Depth.enemies),
      (sprite) => this.burst(sprite));
    this.projectiles = new SpriteLayer((_id, p) => image(TextureKey.bullet(p.hostile), Depth.bullets));
    this.pickups = new SpriteLayer((_id, p) => image(TextureKey.pickup(p.kind), Depth.pickups));
  }

  override update(time: number): void {
    const now = performance.now();
    this.netcode.advance(now, () => this.sampleInput());
    const state = this.session.state;
    if (!state) return;
    this.overlay.clear();
    this.drawPlayers(state, now);
    this.drawEnemies(state, now, time);
    this.drawProjectiles(state, now);
    this.pickups.sync(state.pickups, (sprite, p) => {
      sprite.setPosition(p.x, p.y).setScale(1 + 0.12 * Math.sin(time / 180 + p.x));
    });
  }

  private sampleInput(): InputSample {
    const { moveX, moveY } = this.keyboard.axes();
    const own = this.netcode.ownRenderPosition() ?? { x: ARENA_WIDTH / 2, y: ARENA_HEIGHT / 2 };
    return {
      moveX, moveY,
      aim: this.aimFrom(own),
      fire: this.input.activePointer.leftButtonDown(),
      dash: this.keyboard.isDown('dash'),
    };
  }

  /** Angle from `from` to the mouse pointer, in arena coordinates (the canvas may be scaled). */
  private aimFrom(from: { x: number; y: number }): number {
    const pointer = this.input.activePointer;
    return Math.atan2(pointer.worldY - from.y, pointer.worldX - from.x);
  }

  private drawPlayers(state: ArenaStateView, now: number): void {
    const ownId = this.session.sessionId;
    const positions = new Map<string, { x: number; y: number }>();
    this.players.sync(state.players, (sprite, p, id) => {
      const own = id === ownId;
      const pos = (own ? this.netcode.ownRenderPosition() : this.netcode.players.sample(id, now)) ?? p;
      positions.set(id, pos);
      const aim = own ? this.aimFrom(pos) : p.aim; // own aim follows the mouse at once
      sprite.setPosition(pos.x, pos.y).setRotation(aim).setVisible(p.alive)
        .setAlpha(p.connected ? 1 : 0.35);
      if (!p.alive) return;
      this.healthBar(pos.x, pos.y - PLAYER_RADIUS - 8, p.hp / PLAYER_MAX_HP, own ? Palette.self : Palette.ally);
      if (p.protected) this.overlay.lineStyle(2, 0xffffff, 0.35 + 0.25 * Math.sin(now / 90)).strokeCircle(pos.x, pos.y, PLAYER_RADIUS + 7);
      if (p.powered) this.overlay.lineStyle(3, Palette.power, 0.8).strokeCircle(pos.x, pos.y, PLAYER_RADIUS + 4);
    });
    this.labels.sync(state.players, (label, p, id) => {
      const pos = positions.get(id) ?? p;
      label.setPosition(pos.x, pos.y - PLAYER_RADIUS - 12).setVisible(p.alive).setAlpha(p.connected ? 1 : 0.5);
      if (label.text !== p.name) label.setText(p.name);
    });
    const own = state.players.get(ownId);
    if (own) this.onOwnHealth(own.hp);
  }

  private drawEnemies(state: ArenaStateView, now: number, time: number): void {
    this.enemies.sync(state.enemies, (sprite, e, id) => {
      const pos = this.netcode.enemies.sample(id, now) ?? e;
      sprite.setPosition(pos.x, pos.y).setRotation(e.kind === 'chaser' ? time / 250 : Math.sin(time / 300) * 0.3);
      const maxHp = e.kind === 'chaser' ? CHASER_HP : SHOOTER_HP;
      if (e.hp < maxHp) this.healthBar(pos.x, pos.y - ENEMY_RADIUS - 8, e.hp / maxHp, Palette[e.kind]);
    });
  }

  private drawProjectiles(state: ArenaStateView, now: number): void {
    const tick = this.netcode.clock.tickAt(now);
    this.projectiles.sync(state.projectiles, (sprite, p) => {
      const pos = projectilePosition(p, tick);
      sprite.setPosition(pos.x, pos.y)
        .setVisible(pos.x >= 0 && pos.y >= 0 && pos.x <= ARENA_WIDTH && pos.y <= ARENA_HEIGHT);
    });
  }

  private healthBar(x: number, y: number, fraction: number, color: number): void {
    const w = 28, h = 4, f = Phaser.Math.Clamp(fraction, 0, 1);
    this.overlay.fillStyle(0x000000, 0.6).fillRect(x - w / 2 - 1, y - 1, w + 2, h + 2);
    this.overlay.fillStyle(color, 1).fillRect(x - w / 2, y, w * f, h);
  }

  /** Shakes the camera and flashes red when the own player takes damage: hits are felt, not just read. */
  private onOwnHealth(hp: number): void {
    if (hp < this.lastOwnHp) {
      this.cameras.main.shake(120, 0.004);
      this.cameras.main.flash(120, 120, 20, 40);
    }
    this.lastOwnHp = hp;
  }

  /** A destroyed enemy swells and fades out instead of vanishing. */
  private burst(sprite: Phaser.GameObjects.Image): void {
    this.tweens.add({
      targets: sprite, scale: 1.8, alpha: 0, duration: 220, ease: 'Cubic.easeOut',
      onComplete: () => sprite.destroy(),
    });
  }

  private drawArena(): void {
    const g = this.add.graphics().setDepth(Depth.grid);
    g.fillStyle(Palette.background, 1).fillRect(0, 0, ARENA_WIDTH, ARENA_HEIGHT);
    g.lineStyle(1, Palette.grid, 1);
    for (let x = 64; x < ARENA_WIDTH; x += 64) g.lineBetween(x, 0, x, ARENA_HEIGHT);
    for (let y = 64; y < ARENA_HEIGHT; y += 64) g.lineBetween(0, y, ARENA_WIDTH, y);
    g.lineStyle(2, Palette.wall, 0.25).strokeCircle(ARENA_WIDTH / 2, ARENA_HEIGHT / 2, 90);
    g.lineStyle(4, Palette.wall, 0.8).strokeRect(2, 2, ARENA_WIDTH - 4, ARENA_HEIGHT - 4);
  }
}
