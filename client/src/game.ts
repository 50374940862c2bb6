/** The Phaser game: created once, on the first join, and reused for every room after. */
import Phaser from 'phaser';
import { ARENA_HEIGHT, ARENA_WIDTH } from '@pulse-arena/shared';
import { ARENA_SCENE, ArenaScene, type ArenaSceneData } from './scenes/ArenaScene.js';
import { Palette } from './scenes/textures.js';

export function createGame(parent: HTMLElement): Phaser.Game {
  const game = new Phaser.Game({
    type: Phaser.AUTO, // WebGL, with Canvas only as a fallback
    parent,
    width: ARENA_WIDTH,
    height: ARENA_HEIGHT,
    backgroundColor: Palette.background,
    scale: { mode: Phaser.Scale.FIT, autoCenter: Phaser.Scale.CENTER_BOTH },
    banner: false,
  });
  game.scene.add(ARENA_SCENE, ArenaScene, false);
  return game;
}

export function startArena(game: Phaser.Game, data: ArenaSceneData): void {
  game.scene.start(ARENA_SCENE, data);
}

export function stopArena(game: Phaser.Game): void {
  game.scene.stop(ARENA_SCENE);
}

/** Which renderer Phaser picked, or null while it is still booting. */
export function rendererName(game: Phaser.Game | null): 'WebGL' | 'Canvas' | null {
  const renderer = game?.renderer as Phaser.Game['renderer'] | undefined;
  if (!renderer) return null;
  return renderer.type === Phaser.WEBGL ? 'WebGL' : 'Canvas';
}
