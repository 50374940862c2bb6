/** How ages, durations and scores read in the moderator console. */
import type { Severity } from '@pulse-arena/shared';

export const SEVERITY_LABELS: Record<Severity, string> = { 1: 'low', 2: 'medium', 3: 'high', 4: 'critical' };

/** "just now", "42s ago", "2m ago", "3h ago", "5d ago": coarse on purpose, it is re-read every second. */
export function formatAge(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** A mute length as people say it: "5 min", "1 h", "1 h 30 min", "7 d". */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['min', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ') || '0 s';
}
