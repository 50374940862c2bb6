/** Small labelled marks shared by the queue, the detail and the history: severity, status, decision. */
import type { ChatDecision, FlagStatus, Severity } from '@pulse-arena/shared';
import { el } from '../designer/dom.js';
import { SEVERITY_LABELS } from './format.js';

/** Color and word: the color alone would not reach every moderator. */
export function severityBadge(severity: Severity): HTMLElement {
  return el('span', { className: `sev sev--${severity}`, text: SEVERITY_LABELS[severity], data: { severity: String(severity) } });
}

export function statusTag(status: FlagStatus): HTMLElement {
  return el('span', { className: `tag status status--${status}`, text: status });
}

export function decisionTag(decision: ChatDecision): HTMLElement {
  return el('span', { className: `tag decision decision--${decision}`, text: decision });
}
