/** What the action bar allows and sends: which actions fit a flag, the note rule, and mute lengths. */
import {
  MAX_ACTION_NOTE, MUTE_SECONDS, claimHolder,
  type FlagDetail, type ModerationActionKind, type ModerationActionRequest,
} from '@pulse-arena/shared';

/** These go on the player's record, so the audit log must say why. */
export const NOTE_REQUIRED: ReadonlySet<ModerationActionKind> = new Set(['warn', 'mute', 'ban']);

export const ACTION_LABELS: Record<ModerationActionKind, string> = {
  dismiss: 'Dismiss', approve: 'Approve', warn: 'Warn', mute: 'Mute', ban: 'Ban', escalate: 'Escalate',
};

/** The mute length picked until the moderator picks another. */
export const DEFAULT_MUTE_SECONDS = 3600;
/** Mute presets, in seconds; "custom" reads the number and unit fields. */
export const MUTE_PRESETS: ReadonlyArray<{ label: string; seconds: number }> = [
  { label: '5 min', seconds: 300 },
  { label: '1 h', seconds: 3600 },
  { label: '24 h', seconds: 86_400 },
  { label: '7 d', seconds: 7 * 86_400 },
];
export const CUSTOM_UNITS = { min: 60, h: 3600, d: 86_400 } as const;
export type CustomUnit = keyof typeof CUSTOM_UNITS;

/** Why `me` cannot take an action on this flag now, or null when they can. */
export function unavailableReason(
  action: ModerationActionKind, flag: Pick<FlagDetail, 'status' | 'kind' | 'message' | 'assignee' | 'updatedAt'>, me: string, now = Date.now(),
): string | null {
  if (flag.status === 'resolved') return 'This flag is resolved.';
  const holder = claimHolder(flag, me, now);
  if (holder) return `Held by ${holder}: only they can act on it until their claim lapses.`;
  if (action === 'approve') {
    if (flag.kind !== 'chat' || !flag.message) return 'Only a chat flag has a message to approve.';
    if (!flag.message.held) return 'The message is not held: there is nothing to deliver.';
  }
  if (action === 'escalate' && flag.status === 'escalated') return 'Already escalated.';
  return null;
}

export type Built = { ok: true; request: ModerationActionRequest } | { ok: false; error: string };

/** The request for an action, or what is wrong with the form (the server checks the same). */
export function buildRequest(action: ModerationActionKind, note: string, muteSeconds: number | null): Built {
  const trimmed = note.trim();
  if (NOTE_REQUIRED.has(action) && !trimmed) return { ok: false, error: `A note is required to ${action}: say why.` };
  if (trimmed.length > MAX_ACTION_NOTE) return { ok: false, error: `The note is longer than ${MAX_ACTION_NOTE} characters.` };
  const request: ModerationActionRequest = { action, ...(trimmed && { note: trimmed }) };
  if (action !== 'mute') return { ok: true, request };
  if (muteSeconds === null || !Number.isInteger(muteSeconds) || muteSeconds < MUTE_SECONDS.min || muteSeconds > MUTE_SECONDS.max) {
    return { ok: false, error: 'A mute lasts from 1 minute to 30 days.' };
  }
  return { ok: true, request: { ...request, durationSeconds: muteSeconds } };
}

/** Seconds of a custom mute ("90" "min"), or null if the number is not a positive amount. */
export function customSeconds(amount: string, unit: CustomUnit): number | null {
  const n = Number(amount);
  return amount.trim() && Number.isFinite(n) && n > 0 ? Math.round(n * CUSTOM_UNITS[unit]) : null;
}
