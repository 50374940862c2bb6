/**
 * What the browser remembers about the player between visits: the display name and the
 * persistent guest id the server hands out in `welcome`. Storage can be unavailable
 * (private mode, disabled cookies); the game then simply forgets.
 */
import { isUuid } from '@pulse-arena/shared';

const NAME_KEY = 'pulseArena.name';
const PLAYER_ID_KEY = 'pulseArena.playerId';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not persisted; the session still works.
  }
}

export const profile = {
  name: (): string => read(NAME_KEY) ?? '',
  setName: (name: string): void => write(NAME_KEY, name),
  playerId: (): string | undefined => {
    const id = read(PLAYER_ID_KEY);
    // The server refuses a join whose playerId is not a UUID: never send back a mangled one.
    return isUuid(id) ? id : undefined;
  },
  setPlayerId: (playerId: string): void => write(PLAYER_ID_KEY, playerId),
};
