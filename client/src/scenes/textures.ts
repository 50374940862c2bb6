/**
 * The game's sprites, drawn once at start-up with Phaser Graphics into textures: no art
 * files to load, and everything stays crisp at the arena's 1:1 scale.
 */
import type Phaser from 'phaser';
import {
  BULLET_RADIUS, ENEMY_RADIUS, PICKUP_RADIUS, PLAYER_RADIUS, type EnemyKind, type PickupKind,
} from '@pulse-arena/shared';

export const Palette = {
  background: 0x0b1020,
  grid: 0x17213f,
  wall: 0x39d5ff,
  self: 0x39d5ff,
  ally: 0xffa94d,
  chaser: 0xff4d6d,
  shooter: 0xb47cff,
  ownBullet: 0xe6f7ff,
  hostileBullet: 0xff5ca8,
  health: 0x4ade80,
  ammo: 0xfacc15,
  power: 0x60a5fa,
} as const;

export const TextureKey = {
  self: 'player-self',
  ally: 'player-ally',
  enemy: (kind: EnemyKind) => `enemy-${kind}`,
  bullet: (hostile: boolean) => (hostile ? 'bullet-hostile' : 'bullet-own'),
  pickup: (kind: PickupKind) => `pickup-${kind}`,
} as const;

type Vec = { x: number; y: number };

function fillPolygon(g: Phaser.GameObjects.Graphics, points: readonly Vec[]): void {
  g.beginPath();
  points.forEach((p, i) => (i === 0 ? g.moveTo(p.x, p.y) : g.lineTo(p.x, p.y)));
  g.closePath();
  g.fillPath();
}

/** A round pilot with a barrel pointing right (rotation = aim). */
function drawPlayer(g: Phaser.GameObjects.Graphics, color: number): number {
  const r = PLAYER_RADIUS, size = (r + 10) * 2, c = size / 2;
  g.fillStyle(color, 0.25).fillCircle(c, c, r + 4);
  g.fillStyle(0xd9e2ff, 1).fillRect(c, c - 3, r + 9, 6);
  g.fillStyle(color, 1).fillCircle(c, c, r);
  g.lineStyle(2, 0xffffff, 0.9).strokeCircle(c, c, r);
  g.fillStyle(0x0b1020, 0.85).fillCircle(c + 4, c, r * 0.35);
  return size;
}

/** Chasers are spiky stars (they ram); shooters are diamonds (they keep their distance). */
function drawEnemy(g: Phaser.GameObjects.Graphics, kind: EnemyKind): number {
  const r = ENEMY_RADIUS, size = (r + 6) * 2, c = size / 2;
  if (kind === 'chaser') {
    const points: Vec[] = [];
    for (let i = 0; i < 16; i++) {
      const a = (i / 16) * Math.PI * 2, rr = i % 2 === 0 ? r + 4 : r - 3;
      points.push({ x: c + Math.cos(a) * rr, y: c + Math.sin(a) * rr });
    }
    g.fillStyle(Palette.chaser, 1);
    fillPolygon(g, points);
    g.fillStyle(0x2a0610, 1).fillCircle(c, c, r * 0.45);
  } else {
    g.fillStyle(Palette.shooter, 1);
    fillPolygon(g, [{ x: c, y: c - r - 2 }, { x: c + r + 2, y: c }, { x: c, y: c + r + 2 }, { x: c - r - 2, y: c }]);
    g.lineStyle(2, 0xf0e4ff, 1).strokeCircle(c, c, r * 0.4);
  }
  return size;
}

function drawBullet(g: Phaser.GameObjects.Graphics, hostile: boolean): number {
  const r = BULLET_RADIUS + 1, size = (r + 3) * 2, c = size / 2;
  const color = hostile ? Palette.hostileBullet : Palette.ownBullet;
  g.fillStyle(color, 0.3).fillCircle(c, c, r + 2);
  g.fillStyle(color, 1).fillCircle(c, c, r);
  return size;
}

function drawPickup(g: Phaser.GameObjects.Graphics, kind: PickupKind): number {
  const r = PICKUP_RADIUS + 2, size = (r + 4) * 2, c = size / 2;
  const color = kind === 'health' ? Palette.health : kind === 'ammo' ? Palette.ammo : Palette.power;
  g.fillStyle(color, 0.22).fillCircle(c, c, r + 3);
  g.lineStyle(2, color, 1).strokeCircle(c, c, r);
  g.fillStyle(color, 1);
  if (kind === 'health') {
    g.fillRect(c - 2, c - 7, 4, 14).fillRect(c - 7, c - 2, 14, 4);
  } else if (kind === 'ammo') {
    g.fillRect(c - 6, c - 5, 3, 10).fillRect(c - 1.5, c - 5, 3, 10).fillRect(c + 3, c - 5, 3, 10);
  } else {
    fillPolygon(g, [{ x: c + 2, y: c - 8 }, { x: c - 5, y: c + 1 }, { x: c, y: c + 1 }, { x: c - 2, y: c + 8 },
      { x: c + 5, y: c - 1 }, { x: c, y: c - 1 }]);
  }
  return size;
}

/** Draws every texture the arena uses into the scene's texture manager. */
export function createTextures(scene: Phaser.Scene): void {
  const bake = (key: string, draw: (g: Phaser.GameObjects.Graphics) => number): void => {
    const g = scene.make.graphics({}, false);
    const size = draw(g);
    g.generateTexture(key, size, size);
    g.destroy();
  };
  bake(TextureKey.self, (g) => drawPlayer(g, Palette.self));
  bake(TextureKey.ally, (g) => drawPlayer(g, Palette.ally));
  for (const kind of ['chaser', 'shooter'] as const) bake(TextureKey.enemy(kind), (g) => drawEnemy(g, kind));
  for (const hostile of [false, true]) bake(TextureKey.bullet(hostile), (g) => drawBullet(g, hostile));
  for (const kind of ['health', 'ammo', 'power'] as const) bake(TextureKey.pickup(kind), (g) => drawPickup(g, kind));
}
