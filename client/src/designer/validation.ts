/**
 * Checks the editor's text the way the server will: JSON syntax first, then the shared
 * `parseRuleSet`. Every problem carries the offset it is about, so the list can jump there.
 */
import { parseRuleSet, type RuleError, type RuleSet } from '@pulse-arena/shared';
import { errorMessage } from './api.js';
import { lineColumn, offsetOfPath, scanJson } from './jsonText.js';

export interface Problem {
  /** The rule error's path, or "line L, column C" for a JSON syntax error. */
  where: string;
  message: string;
  /** Where in the text it is (null when unknown), and that offset's 1-based line. */
  offset: number | null;
  line: number | null;
}

export type Validation =
  | { ok: true; ruleSet: RuleSet; rules: number; enabled: number }
  | { ok: false; syntax: boolean; problems: Problem[] };

export function validateRuleText(text: string): Validation {
  const scan = scanJson(text);
  if (!scan.ok) {
    const { line, column } = lineColumn(text, scan.offset);
    return {
      ok: false, syntax: true,
      problems: [{ where: `line ${line}, column ${column}`, message: `JSON syntax: ${scan.message}`, offset: scan.offset, line }],
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // The scanner and the browser disagree: trust the browser, without a position.
    return { ok: false, syntax: true, problems: [{ where: 'JSON', message: errorMessage(err), offset: null, line: null }] };
  }
  const parsed = parseRuleSet(raw);
  if (!parsed.ok) return { ok: false, syntax: false, problems: locate(text, parsed.errors, scan.offsets) };
  // What the designer wrote is what gets published (the server fills in the same defaults).
  return { ok: true, ruleSet: raw as RuleSet, rules: parsed.rules.length, enabled: parsed.rules.filter((r) => r.enabled).length };
}

/** Rule errors (from here or from the server) placed in `text`. */
export function locate(text: string, errors: readonly RuleError[], offsets = offsetsIn(text)): Problem[] {
  return errors.map(({ path, message }) => {
    const offset = offsetOfPath(offsets, path);
    return { where: path || '(whole rule set)', message, offset, line: offset === null ? null : lineColumn(text, offset).line };
  });
}

function offsetsIn(text: string): ReadonlyMap<string, number> {
  const scan = scanJson(text);
  return scan.ok ? scan.offsets : new Map();
}
