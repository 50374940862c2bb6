/**
 * Moderator actions applied to the players who are online in this process's rooms.
 * (With several processes, issue #6 fans these out over presence pub/sub.)
 */
import { liveArenaRooms } from '../rooms/ArenaRoom.js';
import type { LiveEffects } from './moderation.js';

export const localLiveEffects: LiveEffects = {
  warn(playerId, message) {
    let n = 0;
    for (const room of liveArenaRooms) n += room.notify(playerId, { kind: 'warning', message });
    return n;
  },
  mute(playerId, until, reason) {
    let n = 0;
    for (const room of liveArenaRooms) n += room.notify(playerId, { kind: 'muted', message: reason, until });
    return n;
  },
  ban(playerId, reason) {
    let n = 0;
    for (const room of liveArenaRooms) n += room.notify(playerId, { kind: 'banned', message: reason });
    return n;
  },
  deliver(line) {
    for (const room of liveArenaRooms) if (room.roomId === line.roomId) return room.deliverApproved(line);
    return 0;
  },
};
