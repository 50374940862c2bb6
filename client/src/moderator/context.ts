/** The flagged message placed among the room's messages around it, for the detail view. */
import type { ChatLine } from '@pulse-arena/shared';

export interface ContextView {
  lines: ChatLine[];
  /** Index of the flagged message in `lines`; -1 when the flag has none. */
  flagged: number;
}

/**
 * `context` may or may not include the flagged message itself; either way it appears once,
 * in time order (ties keep the server's order, the message after the lines before it).
 */
export function placeFlagged(context: readonly ChatLine[], message: ChatLine | undefined): ContextView {
  if (!message) return { lines: [...context], flagged: -1 };
  const own = context.findIndex((l) => l.id === message.id);
  if (own >= 0) return { lines: [...context], flagged: own };
  const at = Date.parse(message.createdAt);
  let index = context.findIndex((l) => Date.parse(l.createdAt) > at);
  if (index < 0) index = context.length;
  return { lines: [...context.slice(0, index), message, ...context.slice(index)], flagged: index };
}
