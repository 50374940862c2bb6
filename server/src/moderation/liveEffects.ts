/**
 * Moderator actions applied to the players who are online: in this process's rooms, and,
 * with several processes, in everyone's (each action is announced on the cluster bus and
 * every process applies it to its own rooms).
 */
import type { ModerationNotice } from '@pulse-arena/shared';
import { liveArenaRooms } from '../rooms/ArenaRoom.js';
import type { ClusterBus } from '../cluster/bus.js';
import type { LiveEffects } from './moderation.js';

function notifyHere(playerId: string, notice: ModerationNotice): number {
  let n = 0;
  for (const room of liveArenaRooms) n += room.notify(playerId, notice);
  return n;
}

function networkKeyHere(playerId: string): string | null {
  for (const room of liveArenaRooms) {
    const key = room.networkKeyOf(playerId);
    if (key) return key;
  }
  return null;
}

/** This process's rooms only. */
export const localLiveEffects: LiveEffects = {
  networkKeyOf: networkKeyHere,
  warn: (playerId, message) => notifyHere(playerId, { kind: 'warning', message }),
  mute: (playerId, until, reason) => notifyHere(playerId, { kind: 'muted', message: reason, until }),
  ban: (playerId, reason) => notifyHere(playerId, { kind: 'banned', message: reason }),
  unmute: (playerId, note) => notifyHere(playerId, { kind: 'unmuted', message: note }),
  deliver(line) {
    for (const room of liveArenaRooms) if (room.roomId === line.roomId) return room.deliverApproved(line);
    return 0;
  },
  countedWhere: '',
};

/**
 * Every process's rooms: applied here, and published for the others (which apply what they
 * receive to their own rooms). The counts returned are this process's.
 */
export function clusterLiveEffects(bus: ClusterBus): LiveEffects {
  bus.on((e) => {
    if (e.type === 'notice') notifyHere(e.playerId, e.notice);
    if (e.type === 'deliver') localLiveEffects.deliver(e.line);
  });
  const notify = (playerId: string, notice: ModerationNotice): number => {
    bus.publish({ type: 'notice', playerId, notice });
    return notifyHere(playerId, notice);
  };
  return {
    networkKeyOf: networkKeyHere,
    warn: (playerId, message) => notify(playerId, { kind: 'warning', message }),
    mute: (playerId, until, reason) => notify(playerId, { kind: 'muted', message: reason, until }),
    ban: (playerId, reason) => notify(playerId, { kind: 'banned', message: reason }),
    unmute: (playerId, note) => notify(playerId, { kind: 'unmuted', message: note }),
    deliver(line) {
      const here = localLiveEffects.deliver(line);
      if (here === 0) bus.publish({ type: 'deliver', line });
      return here;
    },
    countedWhere: ' on this server (the other servers were told too)',
  };
}
