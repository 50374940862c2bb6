/**
 * A player's record as moderators read it: standing (warnings, mute, ban), sanctions,
 * earlier flags and recent chat. Used in a flag's detail and in the player lookup. Every
 * name, message and reason is someone else's text, so it goes in as textContent only.
 */
import type { AuditEntry, ChatLine, FlagSummary, PlayerHistory, Sanction } from '@pulse-arena/shared';
import { el, statPairs } from '../designer/dom.js';
import { formatTime } from '../designer/format.js';
import { decisionTag, severityBadge, statusTag } from './badges.js';
import { formatActionDetails } from './format.js';

/** One chat line: time, sender, text, and the pipeline's decision when it was not a plain "allow". */
function chatLineItem(line: ChatLine, flagged = false): HTMLLIElement {
  const li = el('li', { className: `chat-line${flagged ? ' chat-line--flagged' : ''}`, data: { lineId: line.id, flagged: String(flagged) } }, [
    el('time', { className: 'chat-line__time', text: formatTime(line.createdAt).slice(11), title: formatTime(line.createdAt) }),
    el('span', { className: 'chat-line__name', text: line.name, title: line.playerId ?? 'no player id' }),
    el('span', { className: 'chat-line__text', text: line.text }),
  ]);
  const marks = el('span', { className: 'chat-line__marks' });
  if (line.decision !== 'allow') marks.append(decisionTag(line.decision));
  if (line.held) marks.append(el('span', { className: 'tag tag--held', text: 'held' }));
  if (marks.childElementCount) li.append(marks);
  return li;
}

export function chatList(lines: readonly ChatLine[], flaggedIndex = -1, label = 'Chat'): HTMLElement {
  if (lines.length === 0) return el('p', { className: 'muted', text: 'No messages.' });
  return el('ol', { className: 'chat', attrs: { 'aria-label': label } }, lines.map((l, i) => chatLineItem(l, i === flaggedIndex)));
}

function standing(h: PlayerHistory, now = Date.now()): HTMLElement {
  const muted = h.mutedUntil !== null && Date.parse(h.mutedUntil) > now;
  return el('dl', { className: 'stats stats--small' }, statPairs([
    ['Warnings', String(h.warnings)],
    ['Muted', muted ? `until ${formatTime(h.mutedUntil)}` : 'no'],
    ['Banned', h.banned ? 'yes' : 'no'],
    ['First seen', formatTime(h.firstSeen)],
    ['Last seen', formatTime(h.lastSeen)],
  ]));
}

/** Lifts a mute or ban early, with the moderator's reason; resolves once the console has the answer. */
export type LiftSanction = (sanction: Sanction, note: string) => Promise<void>;

/** A note field and a Lift button, enabled once there is a reason. */
function liftControl(s: Sanction, lift: LiftSanction): HTMLElement {
  const note = el('input', { className: 'lift__note', attrs: { type: 'text', maxlength: '1000', placeholder: 'Why lift it?', 'aria-label': `Why lift this ${s.kind}` } });
  const button = el('button', { className: 'button button--small lift__button', text: 'Lift', attrs: { type: 'button', disabled: '' } });
  note.addEventListener('input', () => { button.disabled = note.value.trim() === ''; });
  button.addEventListener('click', () => {
    button.disabled = true;
    void lift(s, note.value.trim()).finally(() => { button.disabled = note.value.trim() === ''; });
  });
  return el('div', { className: 'lift' }, [note, button]);
}

function sanctionsTable(sanctions: readonly Sanction[], lift?: LiftSanction, now = Date.now()): HTMLElement {
  if (sanctions.length === 0) return el('p', { className: 'muted', text: 'No sanctions.' });
  const inForce = (s: Sanction) => s.kind === 'ban' || (s.until !== null && Date.parse(s.until) > now);
  return el('table', { className: 'table table--compact' }, [
    el('thead', {}, [el('tr', {}, ['Kind', 'Until', 'Reason', 'By', 'When', ...(lift ? [''] : [])].map((h) => el('th', { text: h })))]),
    el('tbody', {}, sanctions.map((s) => el('tr', { data: { sanctionId: s.id, kind: s.kind } }, [
      el('td', { text: s.kind }),
      el('td', { className: 'nowrap', text: s.until === null ? 'permanent' : formatTime(s.until) }),
      el('td', { className: 'wrap', text: s.reason }),
      el('td', { text: s.by }),
      el('td', { className: 'nowrap', text: formatTime(s.createdAt) }),
      ...(lift ? [el('td', {}, inForce(s) ? [liftControl(s, lift)] : [el('span', { className: 'muted', text: 'over' })])] : []),
    ]))),
  ]);
}

function flagsTable(flags: readonly FlagSummary[]): HTMLElement {
  if (flags.length === 0) return el('p', { className: 'muted', text: 'No flags.' });
  return el('table', { className: 'table table--compact' }, [
    el('thead', {}, [el('tr', {}, ['Severity', 'Kind', 'Status', 'Reason', 'Raised'].map((h) => el('th', { text: h })))]),
    el('tbody', {}, flags.map((f) => el('tr', { data: { flagId: f.id } }, [
      el('td', {}, [severityBadge(f.severity)]),
      el('td', { text: f.kind }),
      el('td', {}, [statusTag(f.status)]),
      el('td', { className: 'wrap' }, [f.reason, ...(f.text !== undefined ? [el('div', { className: 'queue-row__text', text: f.text })] : [])]),
      el('td', { className: 'nowrap', text: formatTime(f.createdAt) }),
    ]))),
  ]);
}

/** Audit entries as a table; `withSubject` adds the player and flag columns (the audit tab). */
export function auditRows(entries: readonly AuditEntry[], withSubject: boolean): HTMLTableRowElement[] {
  return entries.map((a) => el('tr', { data: { auditId: a.id, action: a.action } }, [
    el('td', { className: 'nowrap', text: formatTime(a.at) }),
    el('td', { text: a.moderator }),
    el('td', {}, [el('span', { className: `tag action action--${a.action}`, text: a.action })]),
    ...(withSubject ? [
      el('td', {}, a.playerId
        ? [el('div', { text: a.playerName ?? '—' }), el('code', { className: 'muted', text: a.playerId })]
        : ['—']),
      el('td', {}, [el('code', { text: a.flagId ?? '—' })]),
    ] : []),
    el('td', { className: 'wrap', text: a.note || '—' }),
    // As read; the stored JSON stays one hover away.
    el('td', { className: 'wrap', text: formatActionDetails(a.details), ...(Object.keys(a.details).length && { title: JSON.stringify(a.details) }) }),
  ]));
}

export function auditTable(entries: readonly AuditEntry[]): HTMLElement {
  if (entries.length === 0) return el('p', { className: 'muted', text: 'No actions yet.' });
  return el('table', { className: 'table table--compact' }, [
    el('thead', {}, [el('tr', {}, ['Time', 'Moderator', 'Action', 'Note', 'Details'].map((h) => el('th', { text: h })))]),
    el('tbody', {}, auditRows(entries, false)),
  ]);
}

/** `lift`: offer to lift each mute or ban in force (the player lookup does; a flag's detail does not). */
export function renderHistory(h: PlayerHistory, lift?: LiftSanction): HTMLElement {
  return el('div', { className: 'history', data: { playerId: h.playerId } }, [
    el('h3', {}, [el('span', { className: 'history__name', text: h.name }), ' ', el('code', { className: 'muted', text: h.playerId })]),
    standing(h),
    el('h4', { text: 'Sanctions' }), sanctionsTable(h.sanctions, lift),
    el('h4', { text: `Flags (${h.flags.length})` }), flagsTable(h.flags),
    el('h4', { text: 'Recent chat' }), chatList(h.chat, -1, 'Recent chat'),
  ]);
}
