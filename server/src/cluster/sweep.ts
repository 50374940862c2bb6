/**
 * Keeps the cluster's bookkeeping in Redis (each process's stats and room listings) true.
 * A process that dies without a goodbye (kill -9, a lost machine) leaves its room listings
 * and its player count in Redis.
 * Colyseus removes them only when a create or join routed to it times out. Until then the
 * lobby lists rooms nobody can join, "join this room" recommendations point at them, and
 * /api/capacity counts the dead process's places and players.
 *
 * So every process sweeps every few seconds. A process that has stats but no subscribed
 * IPC channel is suspect (a dead one's subscriptions end with its Redis connection). Each
 * suspect gets Colyseus's own health check, which removes its stats and listings when it
 * does not answer.
 *
 * The same sweep mends this process's own entries when Redis lost them: after a Redis
 * restart (every key gone) or a sweep by mistake (its channel briefly gone while it
 * reconnected). Its rooms played on meanwhile, but without listings the lobby would not
 * show them and the cluster would not count their players. When its stats are missing,
 * it writes them and its room listings again.
 */
import { matchMaker } from '@colyseus/core';
import { errorMessage, log } from '../log.js';

const sweepLog = log.child({ component: 'cluster-sweep' });

/** How often each process looks for dead ones: a dead room leaves the lobby within about this plus the check's 2 s timeout. */
export const CLUSTER_SWEEP_MS = 3_000;

/** Processes this one removed from the cluster for not answering (the /metrics counter). */
export const deadProcessSweeps = { swept: 0 };

/** Colyseus's per-process IPC channel is `p:<processId>` (MatchMaker's getProcessChannel). */
const PROCESS_CHANNEL_PREFIX = 'p:';

/** Mends what Redis lost: this process's stats and room listings when its stats are gone (a restart, a sweep by mistake). */
async function restoreOwnEntries(): Promise<void> {
  await matchMaker.stats.persist(true);
  await matchMaker.restoreMissingRoomCaches();
  sweepLog.warn('this process was missing from the cluster (Redis restarted or swept it): its stats and room listings were written again');
}

/** One sweep: health-checks the processes with stats but no IPC channel; returns those that did not answer. */
export async function sweepCluster(): Promise<string[]> {
  // Not while starting or draining: a draining process must not list its rooms again.
  if (matchMaker.state !== matchMaker.MatchMakerState.READY) return [];
  const all = await matchMaker.stats.fetchAll();
  if (!all.some((p) => p.processId === matchMaker.processId)) await restoreOwnEntries();
  const others = all.filter((p) => p.processId !== matchMaker.processId);
  if (others.length === 0) return [];
  const live = new Set((await matchMaker.presence.channels(`${PROCESS_CHANNEL_PREFIX}*`)).map((c) => c.slice(PROCESS_CHANNEL_PREFIX.length)));
  const suspects = others.filter((p) => !live.has(p.processId)).map((p) => p.processId);
  const answered = await Promise.all(suspects.map(async (id) => (await matchMaker.healthCheckProcessId(id)) === true));
  return suspects.filter((_, i) => !answered[i]);
}

/** Sweeps every {@link CLUSTER_SWEEP_MS} until the returned function is called. */
export function startClusterSweep(everyMs = CLUSTER_SWEEP_MS): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow Redis: never two sweeps at once
    running = true;
    sweepCluster()
      .then((dead) => {
        deadProcessSweeps.swept += dead.length;
        for (const processId of dead) sweepLog.warn({ processId }, 'a process stopped answering: its rooms and players were removed from the cluster');
      })
      .catch((err: unknown) => sweepLog.warn({ err: errorMessage(err) }, 'cluster sweep failed; next one in a few seconds'))
      .finally(() => { running = false; });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
