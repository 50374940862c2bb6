/**
 * Whether a chat line names an identity group, as serving can tell from the text alone: one
 * of the corpus's identity words (the 26 groups' words and their holidays, IDENTITY_WORDS)
 * among the line's normalized words. Evasions the normalizer cannot undo ("mu5lims") are not
 * seen, and other senses ("black skin") are: the held-out figures are measured with this.
 *
 * Why it matters: the model's errors concentrate on such lines (it confuses hate about a group
 * with support for it), so they are called toxic only at the artifact's stricter
 * `identityToxicThreshold`, which keeps false flags on people naming their own group in budget.
 */
import { IDENTITY_WORDS } from './corpusTemplates.js';

/** `normalized` is the line as the shared normalizer gives it (`normalizeChatText`), which callers already have. */
export function namesIdentityGroup(normalized: string): boolean {
  return normalized.split(' ').some((w) => IDENTITY_WORDS.has(w));
}
