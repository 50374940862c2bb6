/** How ages, durations and scores read in the moderator console. */
import { formatDuration, type Severity } from '@pulse-arena/shared';
import { formatTime } from '../designer/format.js';

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

/**
 * An action's result as the status line says it: the server's effect as a sentence, and
 * for a mute when it ends in the moderator's time ("Muted for 1 h; told in 1 live session.
 * The mute ends 2026-12-07 21:45:59.").
 */
export function formatEffect(effect: string, details: Readonly<Record<string, unknown>> = {}): string {
  const sentence = `${effect.charAt(0).toUpperCase()}${effect.slice(1)}.`;
  return typeof details.until === 'string' ? `${sentence} The mute ends ${formatTime(details.until)}.` : sentence;
}

/**
 * An audit entry's details as a moderator reads them: "for 1 h, until 2026-12-07 21:45:59
 * (your time) · with flag 1a2b3c4d" rather than the stored JSON. Keys it does not know are
 * shown as "key: value", so nothing stored is hidden.
 */
export function formatActionDetails(details: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const rest = { ...details };
  const take = (key: string): unknown => { const v = rest[key]; delete rest[key]; return v; };
  const seconds = take('durationSeconds');
  const until = take('until');
  if (typeof seconds === 'number' || typeof until === 'string') {
    parts.push([typeof seconds === 'number' && `for ${formatDuration(seconds)}`, typeof until === 'string' && `until ${formatTime(until)}`]
      .filter(Boolean).join(', '));
  }
  const network = take('guestNetworkUntil');
  if (typeof network === 'string') parts.push(`guests from their network refused until ${formatTime(network)}`);
  const kind = take('kind');
  const sanction = take('sanctionId');
  if (typeof kind === 'string') parts.push(`lifted the ${kind}${typeof sanction === 'string' ? ` ${sanction.slice(0, 8)}` : ''}`);
  else if (sanction !== undefined) rest.sanctionId = sanction;
  const from = take('takenOverFrom');
  if (typeof from === 'string') parts.push(`took over ${from}'s lapsed claim`);
  const coveredBy = take('coveredBy');
  if (typeof coveredBy === 'string') parts.push(`with flag ${coveredBy.slice(0, 8)}`);
  const rows = take('rows');
  if (typeof rows === 'number') parts.push(`${rows} row${rows === 1 ? '' : 's'}`);
  for (const [key, value] of Object.entries(rest)) parts.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return parts.join(' · ') || '—';
}
