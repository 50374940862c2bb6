/**
 * What a dead process leaves behind in scale-out mode. A process that dies without a
 * goodbye (kill -9, a lost machine) leaves its room listings and its player count in Redis.
 * Colyseus removes them only when a create or join routed to it times out. Until then the
 * lobby lists rooms nobody can join, "join this room" recommendations point at them, and
 * /api/capacity counts the dead process's places and players.
 *
 * So every process sweeps every few seconds. A process that has stats but no subscribed
 * IPC channel is suspect (a dead one's subscriptions end with its Redis connection). Each
 * suspect gets Colyseus's own health check, which removes its stats and listings when it
 * does not answer. A live process swept by mistake (its channel briefly gone while it
 * reconnects to Redis) puts its listings back by itself: Colyseus's swept check does that.
 */
import { matchMaker } from '@colyseus/core';
import { errorMessage, log } from '../log.js';

const sweepLog = log.child({ component: 'cluster-sweep' });

/** How often each process looks for dead ones: a dead room leaves the lobby within about this plus the check's 2 s timeout. */
export const DEAD_PROCESS_SWEEP_MS = 3_000;

/** Processes this one removed from the cluster for not answering (the /metrics counter). */
export const deadProcessSweeps = { swept: 0 };

/** Colyseus's per-process IPC channel is `p:<processId>` (MatchMaker's getProcessChannel). */
const PROCESS_CHANNEL_PREFIX = 'p:';

/** One sweep: health-checks the processes with stats but no IPC channel; returns those that did not answer. */
export async function sweepDeadProcesses(): Promise<string[]> {
  const others = (await matchMaker.stats.fetchAll()).filter((p) => p.processId !== matchMaker.processId);
  if (others.length === 0) return [];
  const live = new Set((await matchMaker.presence.channels(`${PROCESS_CHANNEL_PREFIX}*`)).map((c) => c.slice(PROCESS_CHANNEL_PREFIX.length)));
  const suspects = others.filter((p) => !live.has(p.processId)).map((p) => p.processId);
  const answered = await Promise.all(suspects.map(async (id) => (await matchMaker.healthCheckProcessId(id)) === true));
  return suspects.filter((_, i) => !answered[i]);
}

/** Sweeps every {@link DEAD_PROCESS_SWEEP_MS} until the returned function is called. */
export function startDeadProcessSweep(everyMs = DEAD_PROCESS_SWEEP_MS): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow Redis: never two sweeps at once
    running = true;
    sweepDeadProcesses()
      .then((dead) => {
        deadProcessSweeps.swept += dead.length;
        for (const processId of dead) sweepLog.warn({ processId }, 'a process stopped answering: its rooms and players were removed from the cluster');
      })
      .catch((err: unknown) => sweepLog.warn({ err: errorMessage(err) }, 'dead-process sweep failed; next one in a few seconds'))
      .finally(() => { running = false; });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
