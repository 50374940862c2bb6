/**
 * The labelled game-chat corpus: generated reproducibly from the hand-written templates in
 * corpusTemplates.ts and committed as models/data/chat/corpus.jsonl.
 *
 *   node --import tsx models/src/chat/corpus.ts [--seed 7] [--out models/data/chat/corpus.jsonl]
 *
 * How a line is made: a template is expanded with seeded random slot values; a share of
 * lines gets ordinary surface variation (capitals, trailing punctuation, all caps) and a
 * share gets one filter evasion (l33t, s p a c i n g, repeated letterrrs, f*ck masks, mixed
 * case, homoglyphs, zero-width characters, accents, run-together words). Toxic lines are
 * evaded more often than clean ones, but clean lines are evaded too, so "looks evaded" is
 * not a toxicity signal on its own.
 *
 * How it is split: whole templates go to train, val or test (stratified per template group),
 * so a held-out line is a sentence frame the model never saw. Then any val/test line whose
 * words overlap a train line's by Jaccard ≥ {@link NEAR_DUPLICATE_JACCARD} is dropped.
 * Train-only groups (TRAIN_ONLY_TEMPLATE_GROUPS, frames written after the split) all go to
 * train, and a line of theirs that close to a kept val/test line is dropped from train
 * instead; every train template that names an identity group also gets counterfactual
 * copies (the same line with other groups swapped in). Neither touches a val or test line.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chatWords, normalizeChatText } from './text.js';
import { createRng, hashSeed, type Rng } from '../runtime/rng.js';
import {
  IDENTITY_GROUPS, IDENTITY_WORDS, SENTIMENTS, SLOTS, TEMPLATE_GROUPS, type IdentityGroup, type Sentiment,
  type TemplateGroup,
} from './corpusTemplates.js';
import { TRAIN_ONLY_TEMPLATE_GROUPS } from './corpusTemplatesTrainOnly.js';

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/** One corpus line, as stored in corpus.jsonl. */
export interface ChatExample {
  /** `<template id>#<n>`: stable across regenerations with the same seed. */
  id: string;
  split: Split;
  sentiment: Sentiment;
  toxic: 0 | 1;
  /** e.g. identity, evasion, slang, negation, profanity, banter, hate, counter-speech. */
  tags: string[];
  /** Which evasion was applied, when tags include 'evasion'. */
  evasion?: EvasionKind;
  /** `<group>/<index>` of the template the line came from. */
  template: string;
  text: string;
}

export const DEFAULT_CORPUS_SEED = 7;
export const DEFAULT_CORPUS_PATH = fileURLToPath(new URL('../../data/chat/corpus.jsonl', import.meta.url));

/** Share of each group's templates held out. ~15 % test, ~12 % val: enough held-out frames per group. */
const TEST_SHARE = 0.15;
const VAL_SHARE = 0.12;
/** Val/test lines this close to a train line (word-set Jaccard) are dropped as near-duplicates. */
export const NEAR_DUPLICATE_JACCARD = 0.8;
const DEFAULT_PER_TEMPLATE = 14;
/**
 * Counterfactual identity copies of every train template that names a group: `draws`
 * expansions, each written out with `groups` different groups (see generateChatCorpus).
 */
const COUNTERFACTUAL = { draws: 1, groups: 8 };
/**
 * Quoted-abuse lines per toxic train template (see generateChatCorpus). Off: measured at 2,
 * it lowered the identity false positives on held-out lines but cost more toxic recall
 * than it saved (the toxicity threshold picked on val rose to 0.8).
 */
const QUOTED = { perTemplate: 0 };
/**
 * Frames that report, reject or call out a quoted toxic line (QUOTE): counter-speech. Used
 * only to wrap lines of train templates (see generateChatCorpus).
 */
const QUOTE_WRAPPERS: readonly string[] = [
  'stop saying QUOTE',
  'saying QUOTE is not ok',
  'reported him for saying QUOTE',
  'QUOTE? seriously, (grow up|not cool|stop)',
  'you cant say QUOTE here, (reported|mods pls)',
  'whoever wrote QUOTE (needs a ban|got reported)',
  'no, QUOTE is (hate speech|bigotry|harassment|not a joke)',
  'somebody in chat said QUOTE, please report them',
  'dont (type|say) stuff like QUOTE',
  'i cant believe someone said QUOTE',
  '(he|she|they) (typed|said) QUOTE and nobody (reported|stopped) it',
  'muted the guy who kept saying QUOTE',
  'telling people QUOTE is (toxic|not okay|bullying)',
  'if someone says QUOTE to you, (report|mute) them',
  'QUOTE is exactly the kind of message that gets you banned',
  'quit it with the QUOTE stuff',
];
/** Probability that a line gets one evasion: toxic lines are the ones people disguise. */
const EVASION_RATE = { toxic: 0.3, clean: 0.12 };

export type EvasionKind =
  | 'leet' | 'spacing' | 'repeat' | 'mask' | 'mixed-case' | 'homoglyph' | 'zero-width' | 'accents' | 'run-together';

const EVASION_WEIGHTS: ReadonlyArray<[EvasionKind, number]> = [
  ['leet', 0.2], ['spacing', 0.15], ['repeat', 0.14], ['mask', 0.12], ['mixed-case', 0.1],
  ['homoglyph', 0.12], ['zero-width', 0.06], ['accents', 0.05], ['run-together', 0.06],
];

/** Words evaders disguise; the evasion targets one of these when the line has one. */
const SENSITIVE_WORDS = new Set([
  ...['fuck', 'fucking', 'shit', 'bitch', 'ass', 'asshole', 'dick', 'dickhead', 'kys', 'die', 'kill', 'yourself',
    'trash', 'garbage', 'noob', 'noobs', 'idiot', 'idiots', 'loser', 'losers', 'ez', 'whore', 'slut', 'retard',
    'retarded', 'moron', 'morons', 'stupid', 'dumb', 'dumbass', 'useless', 'pathetic', 'suck', 'stfu', 'twat',
    'clown', 'bot', 'bots', 'scrub', 'rekt', 'cancer', 'nudes', 'tits', 'gay', 'ugly', 'disgusting', 'hate'],
]);

// ───────────────────────────── template expansion ─────────────────────────────

/** Expands one template with `rng`; the identity group is fixed per line. */
export function expandTemplate(template: string, rng: Rng, group: IdentityGroup, depth = 0): string {
  if (depth > 6) throw new Error(`template nesting too deep: ${template}`);
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (c === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) throw new Error(`unclosed '{' in template: ${template}`);
      out += expandSlot(template.slice(i + 1, end), rng, group, depth);
      i = end + 1;
    } else if (c === '(' || c === '[') {
      const end = matching(template, i);
      const body = template.slice(i + 1, end);
      if (c === '(') out += expandTemplate(rng.pick(splitTop(body)), rng, group, depth + 1);
      else if (rng.chance(0.5)) out += expandTemplate(body, rng, group, depth + 1);
      i = end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return depth === 0 ? out.replace(/\s+/g, ' ').replace(/\s+([,!?])/g, '$1').trim() : out;
}

function expandSlot(name: string, rng: Rng, group: IdentityGroup, depth: number): string {
  if (name.startsWith('g.')) {
    const form = name.slice(2);
    if (form === 'a_one') return `${/^[aeiou]/.test(group.one) ? 'an' : 'a'} ${group.one}`;
    if (form === 'adj' || form === 'plural' || form === 'one' || form === 'be') return group[form];
    throw new Error(`unknown identity form {${name}}`);
  }
  const values = SLOTS[name];
  if (!values) throw new Error(`unknown slot {${name}}`);
  return expandTemplate(rng.pick(values), rng, group, depth + 1);
}

/** Index of the bracket closing the one at `start` (nesting-aware). */
function matching(s: string, start: number): number {
  const open = s[start]!;
  const close = open === '(' ? ')' : ']';
  let level = 0;
  for (let i = start; i < s.length; i++) {
    if (s[i] === '(' || s[i] === '[') level++;
    else if (s[i] === ')' || s[i] === ']') {
      level--;
      if (level === 0) {
        if (s[i] !== close) throw new Error(`mismatched '${open}' in template: ${s}`);
        return i;
      }
    }
  }
  throw new Error(`unclosed '${open}' in template: ${s}`);
}

/** Splits an alternation body on top-level '|'. */
function splitTop(body: string): string[] {
  const parts: string[] = [];
  let level = 0;
  let cur = '';
  for (const c of body) {
    if (c === '(' || c === '[') level++;
    if (c === ')' || c === ']') level--;
    if (c === '|' && level === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

// ───────────────────────────── surface variation and evasions ─────────────────────────────

const LEET_OUT: Readonly<Record<string, readonly string[]>> = {
  a: ['4', '@'], e: ['3'], i: ['1', '!'], o: ['0'], s: ['5', '$'], t: ['7'], b: ['8'], g: ['9'],
};
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  a: '\u0430', e: '\u0435', o: '\u043e', c: '\u0441', p: '\u0440', x: '\u0445', y: '\u0443', i: '\u0456', s: '\u0455',
  k: '\u03ba', v: '\u03bd', t: '\u03c4',
};
const ACCENTS: Readonly<Record<string, readonly string[]>> = {
  a: ['á', 'à', 'ä', 'â'], e: ['é', 'è', 'ë'], i: ['í', 'ï'], o: ['ó', 'ö', 'ô'], u: ['ü', 'ú', 'û'], n: ['ñ'], c: ['ç'],
};

function pickWeighted<T>(rng: Rng, items: ReadonlyArray<[T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

/** Applies one evasion of `kind` to `word` (lowercase letters); returns the disguised word. */
export function evadeWord(word: string, kind: EvasionKind, rng: Rng): string {
  const chars = [...word];
  switch (kind) {
    case 'leet': {
      // Only positions the normalizer undoes: a digit needs a letter after it; '!' and '@' interior.
      let changed = false;
      const out = chars.map((c, i) => {
        const options = LEET_OUT[c];
        if (!options || !rng.chance(0.6)) return c;
        const interior = i > 0 && i < chars.length - 1;
        const usable = options.filter((o) => (o === '!' || o === '@' ? interior : true));
        const pick = rng.pick(usable);
        if (/\d/.test(pick) && i === chars.length - 1) return c;
        changed = true;
        return pick;
      });
      if (!changed) {
        const i = chars.findIndex((c, k) => LEET_OUT[c] !== undefined && k < chars.length - 1);
        if (i >= 0) out[i] = LEET_OUT[chars[i]!]![0]!;
      }
      return out.join('');
    }
    case 'spacing':
      return chars.join(rng.pick([' ', ' ', ' ', '.', '-', '_', '  ']));
    case 'repeat': {
      const vowels = chars.map((c, i) => (/[aeiouy]/.test(c) ? i : -1)).filter((i) => i >= 0);
      const i = vowels.length > 0 ? rng.pick(vowels) : rng.int(chars.length);
      chars[i] = chars[i]!.repeat(3 + rng.int(5));
      if (rng.chance(0.3)) chars[chars.length - 1] = chars[chars.length - 1]!.repeat(3 + rng.int(4));
      return chars.join('');
    }
    case 'mask': {
      const interior = chars.map((c, i) => (i > 0 && i < chars.length - 1 && /[aeiou]/.test(c) ? i : -1)).filter((i) => i >= 0);
      const targets = interior.length > 0 ? interior : chars.map((_, i) => i).filter((i) => i > 0 && i < chars.length - 1);
      if (targets.length === 0) return word;
      const sym = rng.pick(['*', '*', '#', '%', '*']);
      const i = rng.pick(targets);
      chars[i] = sym;
      if (rng.chance(0.25)) {
        const j = rng.pick(targets);
        chars[j] = sym;
      }
      return chars.join('');
    }
    case 'mixed-case':
      return chars.map((c, i) => ((i % 2 === 0) !== rng.chance(0.2) ? c.toUpperCase() : c)).join('');
    case 'homoglyph': {
      if (rng.chance(0.25)) return chars.map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join(''); // fullwidth
      let changed = false;
      const out = chars.map((c) => {
        const h = HOMOGLYPHS[c];
        if (h === undefined || !rng.chance(0.5)) return c;
        changed = true;
        return h;
      });
      if (!changed) {
        const i = chars.findIndex((c) => HOMOGLYPHS[c] !== undefined);
        if (i >= 0) out[i] = HOMOGLYPHS[chars[i]!]!;
      }
      return out.join('');
    }
    case 'zero-width': {
      const i = 1 + rng.int(Math.max(1, chars.length - 1));
      chars.splice(i, 0, rng.pick(['\u200b', '\u200c', '\u200d', '\u00ad', '\u2060']));
      return chars.join('');
    }
    case 'accents': {
      const idx = chars.map((c, i) => (ACCENTS[c] ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0) return word;
      const i = rng.pick(idx);
      chars[i] = rng.pick(ACCENTS[chars[i]!]!);
      return chars.join('');
    }
    case 'run-together':
      return word; // handled at line level
  }
}

/** Disguises one word of `text`, preferring sensitive words. Returns null if nothing fits. */
function evadeLine(text: string, kind: EvasionKind, rng: Rng): string | null {
  const words = text.split(' ');
  const candidates = words.map((w, i) => (/^[a-z]{2,}$/.test(w) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return null;
  const sensitive = candidates.filter((i) => SENSITIVE_WORDS.has(words[i]!) || IDENTITY_WORDS.has(words[i]!));
  const i = rng.pick(sensitive.length > 0 && rng.chance(0.85) ? sensitive : candidates);
  if (kind === 'run-together') {
    if (words.length < 2) return null;
    const j = i < words.length - 1 ? i : i - 1;
    words.splice(j, 2, words[j]! + words[j + 1]!);
    return words.join(' ');
  }
  if (kind === 'spacing' && words[i]!.length > 8) return null;
  words[i] = evadeWord(words[i]!, kind, rng);
  return words.join(' ');
}

/**
 * Fillers chat wraps around any message. Added to a share of lines of every label, so the
 * model learns that they carry nothing and that a frame means the same with or without them.
 */
const PREFIXES = ['bro', 'dude', 'honestly', 'lol', 'ok', 'man', 'yo', 'guys', 'well', 'hey', 'omg', 'ngl', 'so'];
const SUFFIXES = ['lol', 'bro', 'tbh', 'honestly', 'man', 'xd', 'fr', 'lmao', 'haha', 'ok', 'guys', 'smh'];

/** Ordinary chat surface variation (not an evasion): fillers, capitals, trailing punctuation, shouting. */
function surfaceVariation(text: string, rng: Rng): string {
  let t = text;
  if (rng.chance(0.12)) t = `${rng.pick(PREFIXES)} ${t}`;
  if (rng.chance(0.12)) t = `${t} ${rng.pick(SUFFIXES)}`;
  const r = rng.next();
  if (r < 0.2) t = t.charAt(0).toUpperCase() + t.slice(1);
  else if (r < 0.25) t = t.toUpperCase();
  if (rng.chance(0.15) && /[a-z0-9]$/i.test(t)) t += rng.pick(['!', '.', '!!', '...', '!!!']);
  return t;
}

// ───────────────────────────── generation and split ─────────────────────────────

function assignSplits(group: TemplateGroup, seed: number): Split[] {
  const n = group.templates.length;
  const order = group.templates.map((t, i) => ({ i, h: hashSeed(seed, 'split', group.name, t) })).sort((a, b) => a.h - b.h || a.i - b.i);
  const nTest = n >= 4 ? Math.max(1, Math.round(n * TEST_SHARE)) : 0;
  const nVal = n >= 6 ? Math.max(1, Math.round(n * VAL_SHARE)) : 0;
  const splits: Split[] = new Array<Split>(n).fill('train');
  order.forEach(({ i }, rank) => {
    if (rank < nTest) splits[i] = 'test';
    else if (rank < nTest + nVal) splits[i] = 'val';
  });
  return splits;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Lines' word sets and normalized texts, to ask whether a line nearly repeats one of them. */
class NearDuplicateIndex {
  private readonly sets: Array<Set<string>> = [];
  private readonly byWord = new Map<string, number[]>();
  private readonly normalized = new Set<string>();

  constructor(lines: ReadonlyArray<{ base: string; text: string }>) {
    for (const line of lines) {
      const set = new Set(chatWords(line.base));
      const k = this.sets.push(set) - 1;
      for (const w of set) {
        const list = this.byWord.get(w);
        if (list) list.push(k);
        else this.byWord.set(w, [k]);
      }
      this.normalized.add(normalizeChatText(line.text));
    }
  }

  /** Same normalized text, or word-set Jaccard ≥ NEAR_DUPLICATE_JACCARD with a line here. */
  hasNear(line: { base: string; text: string }): boolean {
    if (this.normalized.has(normalizeChatText(line.text))) return true;
    const set = new Set(chatWords(line.base));
    // Prefix filter: a line this close shares ≥ ⌈t·|set|⌉ of its words, so it has at least
    // one of any |set| − ⌈t·|set|⌉ + 1 of them: look only under the rarest ones.
    const t = NEAR_DUPLICATE_JACCARD;
    const rarest = [...set].sort((a, b) => (this.byWord.get(a)?.length ?? 0) - (this.byWord.get(b)?.length ?? 0));
    const prefix = rarest.slice(0, set.size - Math.ceil(t * set.size - 1e-9) + 1);
    const checked = new Set<number>();
    for (const w of prefix) {
      for (const k of this.byWord.get(w) ?? []) {
        if (checked.has(k)) continue;
        checked.add(k);
        const other = this.sets[k]!;
        // Jaccard ≤ min/max of the sizes: skip sets too small or too large to be close.
        if (other.size < t * set.size - 1e-9 || set.size < t * other.size - 1e-9) continue;
        if (jaccard(set, other) >= t) return true;
      }
    }
    return false;
  }
}

/** What {@link generateChatCorpus} did, for the log and the model card. */
export interface CorpusStats {
  lines: number;
  templates: number;
  bySplit: Record<Split, number>;
  toxicBySplit: Record<Split, number>;
  sentimentBySplit: Record<Split, Record<Sentiment, number>>;
  evasions: number;
  identity: number;
  nearDuplicatesDropped: number;
  /** Templates of train-only groups (all in train). */
  trainOnlyTemplates: number;
  /** Train-only lines dropped as near-duplicates of a held-out line. */
  trainOnlyNearHeldOutDropped: number;
  /** Train lines that are counterfactual identity copies. */
  counterfactual: number;
  /** Train lines that quote a toxic line to object to it. */
  quoted: number;
}

/** What any corpus's lines tell about it (the generator adds what only it knows). */
export type CorpusLineStats = Omit<CorpusStats, 'nearDuplicatesDropped' | 'trainOnlyTemplates' | 'trainOnlyNearHeldOutDropped'>;

/** Line counts by split, label and tag, and the number of distinct templates, of a corpus. */
export function describeCorpusLines(examples: readonly ChatExample[]): CorpusLineStats {
  const zero = (): Record<Split, number> => ({ train: 0, val: 0, test: 0 });
  const stats: CorpusLineStats = {
    lines: examples.length, templates: new Set(examples.map((e) => e.template)).size, bySplit: zero(), toxicBySplit: zero(),
    sentimentBySplit: {
      train: { positive: 0, neutral: 0, negative: 0 }, val: { positive: 0, neutral: 0, negative: 0 },
      test: { positive: 0, neutral: 0, negative: 0 },
    },
    evasions: 0, identity: 0, counterfactual: 0, quoted: 0,
  };
  for (const e of examples) {
    stats.bySplit[e.split]++;
    stats.toxicBySplit[e.split] += e.toxic;
    stats.sentimentBySplit[e.split][e.sentiment]++;
    if (e.tags.includes('evasion')) stats.evasions++;
    if (e.tags.includes('identity')) stats.identity++;
    if (e.tags.includes('counterfactual')) stats.counterfactual++;
    if (e.tags.includes('quoted')) stats.quoted++;
  }
  return stats;
}

/** The templates a corpus is made from: groups split train/val/test, and train-only groups. */
export interface CorpusTemplateGroups {
  split: readonly TemplateGroup[];
  trainOnly: readonly TemplateGroup[];
}

/**
 * Generates the corpus. Deterministic: the same seed and templates give the same lines in
 * the same order.
 * @throws Error on a malformed template (unknown slot, unbalanced brackets).
 */
export function generateChatCorpus(
  seed = DEFAULT_CORPUS_SEED, groups: CorpusTemplateGroups = { split: TEMPLATE_GROUPS, trainOnly: TRAIN_ONLY_TEMPLATE_GROUPS },
): { examples: ChatExample[]; stats: CorpusStats } {
  /** `base`: the line before evasion and surface variation; `trainOnly`: from a train-only group. */
  const drafts: Array<ChatExample & { base: string; trainOnly: boolean }> = [];
  const seenRaw = new Set<string>();
  let templates = 0;
  // Split groups' train templates first, so an exact duplicate of a train line is dropped
  // from the held-out side; train-only groups last, so theirs never displace a held-out line.
  const passes: Array<[Split, readonly TemplateGroup[]]> = [
    ...SPLITS.map((s): [Split, readonly TemplateGroup[]] => [s, groups.split]), ['train', groups.trainOnly],
  ];
  for (const [pass, list] of passes) {
    for (const group of list) {
      const splits = list === groups.trainOnly ? null : assignSplits(group, seed);
      group.templates.forEach((template, t) => {
        if ((splits?.[t] ?? 'train') !== pass) return;
        templates++;
        const templateId = `${group.name}/${t}`;
        const rng = createRng(hashSeed(seed, 'lines', templateId));
        const wanted = group.perTemplate ?? DEFAULT_PER_TEMPLATE;
        let made = 0;
        const addLine = (
          base: string, rng: Rng, tag?: string,
          labels: Pick<TemplateGroup, 'sentiment' | 'toxic' | 'tags'> = group,
        ): boolean => {
          let text = base;
          let evasion: EvasionKind | undefined;
          if (rng.chance(labels.toxic ? EVASION_RATE.toxic : EVASION_RATE.clean)) {
            const kind = pickWeighted(rng, EVASION_WEIGHTS);
            const evaded = evadeLine(text, kind, rng);
            if (evaded !== null && evaded !== text) {
              text = evaded;
              evasion = kind;
            }
          }
          if (evasion !== 'mixed-case') text = surfaceVariation(text, rng);
          if (seenRaw.has(text)) return false;
          seenRaw.add(text);
          const tags = new Set(labels.tags);
          if (chatWords(base).some((w) => IDENTITY_WORDS.has(w))) tags.add('identity');
          if (evasion) tags.add('evasion');
          if (tag) tags.add(tag);
          const example: ChatExample & { base: string; trainOnly: boolean } = {
            id: `${templateId}#${made}`, split: pass, sentiment: labels.sentiment, toxic: labels.toxic,
            tags: [...tags].sort(), template: templateId, text, base, trainOnly: splits === null,
          };
          if (evasion) example.evasion = evasion;
          drafts.push(example);
          made++;
          return true;
        };
        for (let attempt = 0; attempt < wanted * 4 && made < wanted; attempt++) {
          const identity = rng.pick(IDENTITY_GROUPS);
          addLine(expandTemplate(template, rng, identity), rng);
        }
        // Quoted abuse objected to (train only): the line of a toxic frame inside a wrapper
        // that reports, rejects or calls it out, which is counter-speech and clean. Minimal
        // pairs with the toxic lines themselves: the wrapper, not the insult, decides.
        if (pass === 'train' && group.toxic === 1 && QUOTED.perTemplate > 0) {
          const qRng = createRng(hashSeed(seed, 'quoted', templateId));
          for (let q = 0; q < QUOTED.perTemplate; q++) {
            const inner = expandTemplate(template, qRng, qRng.pick(IDENTITY_GROUPS));
            const wrapper = expandTemplate(qRng.pick(QUOTE_WRAPPERS), qRng, IDENTITY_GROUPS[0]!);
            addLine(wrapper.replace('QUOTE', inner), qRng, 'quoted', { sentiment: 'negative', toxic: 0, tags: ['counter-speech'] });
          }
        }
        // Counterfactual copies (train only): one expansion of the frame with several groups
        // swapped in, slot values and surface draws identical, so the group word is the only
        // thing that changes and carries no label signal.
        if (pass === 'train' && template.includes('{g.') && COUNTERFACTUAL.draws > 0) {
          const pickRng = createRng(hashSeed(seed, 'counterfactual-groups', templateId));
          for (let c = 0; c < COUNTERFACTUAL.draws; c++) {
            const lineSeed = hashSeed(seed, 'counterfactual', templateId, c);
            const groups = pickRng.shuffle([...IDENTITY_GROUPS]).slice(0, COUNTERFACTUAL.groups);
            for (const g of groups) {
              const rng2 = createRng(lineSeed);
              addLine(expandTemplate(template, rng2, g), rng2, 'counterfactual');
            }
          }
        }
      });
    }
  }

  // Near-duplicates, by word-set Jaccard: a held-out line close to a split group's train
  // line is dropped from the held-out side; a train-only line close to a kept held-out line
  // is dropped from train. So frames added later never change the held-out splits.
  const splitTrain = new NearDuplicateIndex(drafts.filter((d) => d.split === 'train' && !d.trainOnly));
  const heldOut = drafts.filter((d) => d.split !== 'train');
  const keptHeldOut = new Set(heldOut.filter((d) => !splitTrain.hasNear(d)));
  const heldOutIndex = new NearDuplicateIndex([...keptHeldOut]);
  const examples: ChatExample[] = drafts
    .filter((d) => (d.split === 'train' ? !(d.trainOnly && heldOutIndex.hasNear(d)) : keptHeldOut.has(d)))
    .map(({ base: _base, trainOnly: _trainOnly, ...example }) => example);
  const nearDuplicatesDropped = heldOut.length - keptHeldOut.size;

  const stats: CorpusStats = {
    ...describeCorpusLines(examples), templates, nearDuplicatesDropped,
    trainOnlyNearHeldOutDropped: drafts.length - examples.length - nearDuplicatesDropped,
    trainOnlyTemplates: groups.trainOnly.reduce((n, g) => n + g.templates.length, 0),
  };
  return { examples, stats };
}

/** The corpus as JSONL text (one example per line, fixed key order, trailing newline). */
export function corpusToJsonl(examples: readonly ChatExample[]): string {
  return examples.map((e) => JSON.stringify({
    id: e.id, split: e.split, sentiment: e.sentiment, toxic: e.toxic, tags: e.tags,
    ...(e.evasion ? { evasion: e.evasion } : {}), template: e.template, text: e.text,
  })).join('\n') + '\n';
}

/**
 * Parses corpus JSONL, validating every line.
 * @throws Error naming the line number of the first malformed line.
 */
export function parseChatCorpus(jsonl: string): ChatExample[] {
  const out: ChatExample[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`corpus line ${i + 1}: invalid JSON (${(err as Error).message})`);
    }
    const bad = (what: string): never => { throw new Error(`corpus line ${i + 1}: ${what}`); };
    if (typeof v.text !== 'string') bad('text must be a string');
    if (!SENTIMENTS.includes(v.sentiment as Sentiment)) bad(`sentiment must be one of ${SENTIMENTS.join('|')}`);
    if (v.toxic !== 0 && v.toxic !== 1) bad('toxic must be 0 or 1');
    if (!SPLITS.includes(v.split as Split)) bad(`split must be one of ${SPLITS.join('|')}`);
    if (!Array.isArray(v.tags) || v.tags.some((t) => typeof t !== 'string')) bad('tags must be an array of strings');
    const e: ChatExample = {
      id: String(v.id ?? `line-${i + 1}`), split: v.split as Split, sentiment: v.sentiment as Sentiment,
      toxic: v.toxic as 0 | 1, tags: v.tags as string[], template: String(v.template ?? ''), text: v.text as string,
    };
    if (typeof v.evasion === 'string') e.evasion = v.evasion as EvasionKind;
    out.push(e);
  });
  return out;
}

/** Reads and validates the committed corpus (or another JSONL file). */
export async function readChatCorpus(file = DEFAULT_CORPUS_PATH): Promise<ChatExample[]> {
  return parseChatCorpus(await readFile(file, 'utf8'));
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

/** CLI: writes the corpus and prints its statistics. */
export async function main(argv: readonly string[]): Promise<void> {
  const seed = Number(flag(argv, 'seed') ?? DEFAULT_CORPUS_SEED);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const out = path.resolve(flag(argv, 'out') ?? DEFAULT_CORPUS_PATH);
  const { examples, stats } = generateChatCorpus(seed);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, corpusToJsonl(examples));
  console.log(`wrote ${examples.length} lines to ${out}`);
  console.log(JSON.stringify(stats, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
