/**
 * Key order for showing a rule set: the database hands JSON objects back with their keys
 * sorted its own way ("then" before "when", the description near the end), so the console
 * puts them in reading order. Unknown keys keep their place after the known ones.
 */
import type { Action, Condition, Rule, RuleSet } from '@pulse-arena/shared';

const RULE_SET_KEYS: ReadonlyArray<keyof RuleSet> = ['name', 'description', 'rules'];
const RULE_KEYS: ReadonlyArray<keyof Rule> = ['id', 'description', 'enabled', 'scope', 'priority', 'cooldownSeconds', 'holdSeconds', 'when', 'then'];
const COMPARISON_KEYS: ReadonlyArray<keyof Extract<Condition, { input: unknown }>> = ['input', 'op', 'value'];
const ACTION_KEYS = ['knob', 'set', 'scale', 'add', 'recommend', 'value', 'message'];

export function inReadingOrder(ruleSet: RuleSet): RuleSet {
  return {
    ...ordered(ruleSet, RULE_SET_KEYS),
    rules: ruleSet.rules.map((rule): Rule => ({
      ...ordered(rule, RULE_KEYS),
      when: condition(rule.when),
      then: rule.then.map((a) => ordered(a, ACTION_KEYS) as Action),
    })),
  } as RuleSet;
}

function condition(c: Condition): Condition {
  if ('all' in c) return { all: c.all.map(condition) };
  if ('any' in c) return { any: c.any.map(condition) };
  if ('not' in c) return { not: condition(c.not) };
  return ordered(c, COMPARISON_KEYS) as Condition;
}

function ordered<T extends object>(obj: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  const source = obj as Record<string, unknown>;
  for (const key of keys) if (key in source) out[key] = source[key];
  for (const key of Object.keys(source)) if (!(key in out)) out[key] = source[key];
  return out as T;
}
