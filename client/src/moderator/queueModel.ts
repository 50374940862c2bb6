/**
 * The queue's data, apart from the page: every flag that still needs a moderator (open,
 * claimed, escalated), kept current by stream events, listed in review order. Events can
 * arrive before or after the list they race with, so every update is "newest wins" by
 * `updatedAt`, and a re-fetch replays the events that arrived while it was in flight.
 */
import { claimLapsed, type FlagKind, type FlagStatus, type FlagSummary } from '@pulse-arena/shared';

/** The statuses the queue holds; resolved flags leave it. */
export const ACTIVE_STATUSES = ['open', 'claimed', 'escalated'] as const satisfies readonly FlagStatus[];
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];
/** What the queue shows: one status, or the flags the signed-in moderator holds. */
export const QUEUE_FILTERS = [...ACTIVE_STATUSES, 'mine'] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];
export type KindFilter = FlagKind | 'all';

/** Review order: highest severity first, then the oldest; the id keeps equal flags from swapping. */
export function compareFlags(a: FlagSummary, b: FlagSummary): number {
  return b.severity - a.severity || Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The queue's assignee column: who holds the flag, and whether that claim has lapsed. */
export function assigneeLabel(flag: Pick<FlagSummary, 'status' | 'assignee' | 'updatedAt'>, now: number): { text: string; lapsed: boolean } {
  const lapsed = claimLapsed(flag, now);
  return { text: lapsed ? `${flag.assignee} · lapsed` : flag.assignee ?? '—', lapsed };
}

/**
 * Whether a flag belongs in a queue tab. A lapsed claim is listed under Open, not Claimed
 * (anyone may take it); the holder still finds it under Mine until someone does.
 */
export function matchesFilter(flag: FlagSummary, filter: QueueFilter, me: string, kind: KindFilter = 'all', now = Date.now()): boolean {
  if (kind !== 'all' && flag.kind !== kind) return false;
  switch (filter) {
    case 'mine': return flag.status === 'claimed' && flag.assignee === me;
    case 'open': return flag.status === 'open' || claimLapsed(flag, now);
    case 'claimed': return flag.status === 'claimed' && !claimLapsed(flag, now);
    default: return flag.status === filter;
  }
}

const isActive = (status: FlagStatus): status is ActiveStatus => (ACTIVE_STATUSES as readonly FlagStatus[]).includes(status);
const stamp = (flag: FlagSummary) => Date.parse(flag.updatedAt);

/** Resolved flags remembered, so a late copy of an older event cannot bring one back; oldest forgotten first. */
const MAX_RESOLVED = 2000;

export class FlagStore {
  private readonly flags = new Map<string, FlagSummary>();
  private readonly resolved = new Map<string, number>();
  /** Events seen since {@link beginSync}, replayed over the snapshot it waits for; null when no sync runs. */
  private pending: FlagSummary[] | null = null;

  get size(): number {
    return this.flags.size;
  }

  get(id: string): FlagSummary | undefined {
    return this.flags.get(id);
  }

  /** A stream event or an action's result. Returns whether the queue changed. */
  apply(flag: FlagSummary): boolean {
    this.pending?.push(flag);
    return this.upsert(flag);
  }

  /** A list fetch starts: remember what arrives until {@link finishSync} gets its answer. */
  beginSync(): void {
    this.pending = [];
  }

  /** The fetched lists replace the queue; events from while they were in flight are applied on top. */
  finishSync(snapshot: readonly FlagSummary[]): void {
    const replay = this.pending ?? [];
    this.pending = null;
    this.flags.clear();
    for (const flag of snapshot) this.upsert(flag);
    for (const flag of replay) this.upsert(flag);
  }

  /** The fetch failed: keep what the queue has. */
  abandonSync(): void {
    this.pending = null;
  }

  list(filter: QueueFilter, me: string, kind: KindFilter = 'all', now = Date.now()): FlagSummary[] {
    return [...this.flags.values()].filter((f) => matchesFilter(f, filter, me, kind, now)).sort(compareFlags);
  }

  counts(me: string, kind: KindFilter = 'all', now = Date.now()): Record<QueueFilter, number> {
    const counts: Record<QueueFilter, number> = { open: 0, claimed: 0, escalated: 0, mine: 0 };
    for (const flag of this.flags.values()) {
      for (const filter of QUEUE_FILTERS) if (matchesFilter(flag, filter, me, kind, now)) counts[filter]++;
    }
    return counts;
  }

  /** How many claims have lapsed by `now`: when it changes, the tabs need re-listing. */
  lapsedClaims(now: number): number {
    let n = 0;
    for (const flag of this.flags.values()) if (claimLapsed(flag, now)) n++;
    return n;
  }

  /** Flags not yet finished with (open, claimed or escalated), per player: repeat offenders stand out. */
  activeByPlayer(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const flag of this.flags.values()) counts.set(flag.playerId, (counts.get(flag.playerId) ?? 0) + 1);
    return counts;
  }

  private upsert(flag: FlagSummary): boolean {
    const at = stamp(flag);
    const current = this.flags.get(flag.id);
    const resolvedAt = this.resolved.get(flag.id);
    if (current && stamp(current) > at) return false;
    if (resolvedAt !== undefined && resolvedAt > at) return false;
    if (!isActive(flag.status)) {
      this.resolved.delete(flag.id);
      this.resolved.set(flag.id, at);
      if (this.resolved.size > MAX_RESOLVED) this.resolved.delete(this.resolved.keys().next().value!);
      return this.flags.delete(flag.id);
    }
    // Re-opened after being resolved (a newer event says so): it is back in the queue.
    this.resolved.delete(flag.id);
    if (current && sameFlag(current, flag)) return false;
    this.flags.set(flag.id, flag);
    return true;
  }
}

function sameFlag(a: FlagSummary, b: FlagSummary): boolean {
  return a.updatedAt === b.updatedAt && a.status === b.status && a.assignee === b.assignee
    && a.severity === b.severity && a.reason === b.reason;
}
