/**
 * The live rule set of this process: loaded from the {@link RuleStore} at start (the
 * default set is published as version 1 on a fresh database), replaced when a designer
 * publishes or rolls back, and pushed to every live room through `onChange` listeners —
 * rooms swap it in on their next tick, so a publish reaches them well within a second.
 * With several processes, a publish is announced on the cluster bus and the others load
 * the new live version from the store.
 */
import { parseRuleSet, type RuleError, type RuleSet } from '@pulse-arena/shared';
import { DEFAULT_RULE_SET } from './defaultRuleSet.js';
import type { CompiledRuleSet } from './director.js';
import type { Published, RuleStore } from './ruleStore.js';
import { soloBus, type ClusterBus } from '../cluster/bus.js';
import { errorMessage, log } from '../log.js';

const rulesLog = log.child({ component: 'rules' });

export type PublishResult = ({ ok: true } & Published) | { ok: false; errors: RuleError[] };

export class RuleRegistry {
  private current: CompiledRuleSet;
  private readonly listeners = new Set<(rules: CompiledRuleSet) => void>();
  private refreshing: Promise<void> = Promise.resolve();

  private constructor(readonly store: RuleStore, live: CompiledRuleSet, private readonly bus: ClusterBus) {
    this.current = live;
    bus.on((e) => {
      if (e.type !== 'rules' || e.version === this.current.version) return;
      this.refresh().catch((err: unknown) => rulesLog.warn({ version: e.version, error: errorMessage(err) }, 'could not load the published rule set'));
    });
  }

  /**
   * Loads the live version, publishing {@link DEFAULT_RULE_SET} first when none exists.
   * @throws Error when the stored live version no longer validates (it was stored valid).
   */
  static async open(store: RuleStore, bus: ClusterBus = soloBus): Promise<RuleRegistry> {
    let live = await store.live();
    if (!live) {
      // Stored as every later version is: validated, defaults filled in (so diffs compare like with like).
      const parsed = parseRuleSet(DEFAULT_RULE_SET);
      if (!parsed.ok) throw new Error(`the default rule set is invalid: ${JSON.stringify(parsed.errors)}`);
      await store.createAndPublish(parsed.ruleSet, 'system', 'default rule set');
      live = await store.live();
    }
    return new RuleRegistry(store, compile(live!.version, live!.ruleSet), bus);
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
    this.bus.publish({ type: 'rules', version: published.version });
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
    this.bus.publish({ type: 'rules', version });
    return published;
  }

  /** Re-reads the live version from the store (another process published). */
  private refresh(): Promise<void> {
    // One read at a time, so two quick publishes can never be applied out of order.
    this.refreshing = this.refreshing.catch(() => undefined).then(async () => {
      const live = await this.store.live();
      if (live && live.version !== this.current.version) this.activate(compile(live.version, live.ruleSet));
    });
    return this.refreshing;
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
