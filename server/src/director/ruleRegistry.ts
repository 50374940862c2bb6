/**
 * The live rule set of this process: loaded from the {@link RuleStore} at start (the
 * default set is published as version 1 on a fresh database), replaced when a designer
 * publishes or rolls back, and pushed to every live room through `onChange` listeners —
 * rooms swap it in on their next tick, so a publish reaches them well within a second.
 */
import { parseRuleSet, type RuleError, type RuleSet } from '@pulse-arena/shared';
import { DEFAULT_RULE_SET } from './defaultRuleSet.js';
import type { CompiledRuleSet } from './director.js';
import type { Published, RuleStore } from './ruleStore.js';

export type PublishResult = ({ ok: true } & Published) | { ok: false; errors: RuleError[] };

export class RuleRegistry {
  private current: CompiledRuleSet;
  private readonly listeners = new Set<(rules: CompiledRuleSet) => void>();

  private constructor(readonly store: RuleStore, live: CompiledRuleSet) {
    this.current = live;
  }

  /**
   * Loads the live version, publishing {@link DEFAULT_RULE_SET} first when none exists.
   * @throws Error when the stored live version no longer validates (it was stored valid).
   */
  static async open(store: RuleStore): Promise<RuleRegistry> {
    let live = await store.live();
    if (!live) {
      // Stored as every later version is: validated, defaults filled in (so diffs compare like with like).
      const parsed = parseRuleSet(DEFAULT_RULE_SET);
      if (!parsed.ok) throw new Error(`the default rule set is invalid: ${JSON.stringify(parsed.errors)}`);
      await store.createAndPublish(parsed.ruleSet, 'system', 'default rule set');
      live = await store.live();
    }
    return new RuleRegistry(store, compile(live!.version, live!.ruleSet));
  }

  get live(): CompiledRuleSet {
    return this.current;
  }

  /** Calls `listener` with every new live rule set; returns the unsubscribe function. */
  onChange(listener: (rules: CompiledRuleSet) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates, stores as a new version and makes it live. Invalid sets change nothing. */
  async publishNew(raw: unknown, author: string, note: string): Promise<PublishResult> {
    const parsed = parseRuleSet(raw);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    const published = await this.store.createAndPublish(parsed.ruleSet, author, note);
    this.activate({ version: published.version, rules: parsed.rules });
    return { ok: true, ...published };
  }

  /** Makes a stored version live again (rollback); null when there is no such version. */
  async publishVersion(version: number, author: string, note: string): Promise<Published | null> {
    const stored = await this.store.get(version);
    if (!stored) return null;
    const compiled = compile(version, stored.ruleSet);
    const published = await this.store.publish(version, author, note);
    if (!published) return null;
    this.activate(compiled);
    return published;
  }

  /** Re-reads the live version from the store (another process may have published). */
  async refresh(): Promise<void> {
    const live = await this.store.live();
    if (live && live.version !== this.current.version) this.activate(compile(live.version, live.ruleSet));
  }

  private activate(rules: CompiledRuleSet): void {
    this.current = rules;
    for (const listener of this.listeners) listener(rules);
  }
}

/** @throws Error naming the version when a stored rule set does not validate. */
export function compile(version: number, ruleSet: RuleSet): CompiledRuleSet {
  const parsed = parseRuleSet(ruleSet);
  if (!parsed.ok) {
    throw new Error(`rule set version ${version} is invalid: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  return { version, rules: parsed.rules };
}
