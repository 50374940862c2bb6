import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The game server the dev server forwards to (`npm start` listens on 2567). */
const GAME_SERVER = process.env.PULSE_ARENA_SERVER ?? 'http://localhost:2567';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Phaser is ~1.4 MB; the game's own code changes far more often, so keep them apart for caching.
    chunkSizeWarningLimit: 1600,
    rolldownOptions: {
      // Three pages: the game, the designer console and the moderator console (served at /designer/ and /moderator/ too).
      input: {
        main: fileURLToPath(new URL('index.html', import.meta.url)),
        designer: fileURLToPath(new URL('designer.html', import.meta.url)),
        moderator: fileURLToPath(new URL('moderator.html', import.meta.url)),
      },
      output: {
        codeSplitting: {
          groups: [{ name: 'phaser', test: /[\\/]node_modules[\\/]phaser[\\/]/ }],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': GAME_SERVER,
      '/health': GAME_SERVER,
      '/matchmake': GAME_SERVER,
      // Room sockets live at /<processId>/<roomId>?sessionId=… (no fixed prefix).
      '^/[\\w-]+/[\\w-]+\\?': { target: GAME_SERVER, ws: true },
    },
  },
});
