/**
 * Chat tokenizer: normalized words → fixed-length rows of vocabulary ids, the exact input
 * of the chat model. The vocabulary is built from the training split when the model is
 * trained and saved beside it as `vocab.json`; serving loads that file, so training and
 * serving share one {@link ChatTokenizer} and one {@link ChatVocabulary}.
 *
 * Words the vocabulary lacks are first repaired with the vocabulary's help (the
 * normalizer knows no words, so it leaves some evasions half undone), then mapped to the
 * out-of-vocabulary id:
 *  - doubled letters left by the normalizer are undoubled (fuuck → fuck, nicee → nice);
 *  - l33t digits at the end of a word are mapped (a55 → ass) — the normalizer keeps them
 *    because "ak47" and "mp5" are words too;
 *  - words run together are split into the fewest known words (urtrash → ur trash,
 *    youaretrash → you are trash, and "u r a b i t c h" → "urabitch" → ur a bitch).
 */
import { LEET, chatWords } from './normalize.js';

/** Id 0: padding (the model masks it). */
export const PAD_TOKEN = '<pad>';
/** Id 1: any word the vocabulary does not know. */
export const OOV_TOKEN = '<oov>';
/** Id 2: any number ("wave 12", "3 kills"). */
export const NUM_TOKEN = '<num>';
/** The reserved tokens, in id order. */
export const RESERVED_TOKENS: readonly string[] = [PAD_TOKEN, OOV_TOKEN, NUM_TOKEN];
export const PAD_ID = 0;
export const OOV_ID = 1;
export const NUM_ID = 2;

/** Format version of vocab.json; bump on any change to how text becomes ids. */
export const CHAT_VOCABULARY_VERSION = 1;

/** Contents of vocab.json. */
export interface ChatVocabulary {
  version: typeof CHAT_VOCABULARY_VERSION;
  /** Ids per message; shorter messages are padded, longer ones cut. */
  sequenceLength: number;
  /** Padding goes before the words, so the last LSTM step is always a real word. */
  padding: 'pre';
  /** Long messages keep their first `sequenceLength` words. */
  truncation: 'post';
  /** Token of each id: the {@link RESERVED_TOKENS} first, then words by falling frequency. */
  tokens: string[];
}

/** Options of {@link buildChatVocabulary}. */
export interface ChatVocabularyOptions {
  /** Largest vocabulary, reserved tokens included (≥ 4). */
  maxSize: number;
  /** A word needs this many occurrences to get an id (≥ 1). */
  minCount: number;
  /** Ids per message (1…512). */
  sequenceLength: number;
}

function requireInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/**
 * Builds the vocabulary from training texts (raw; they are normalized here). Ties in
 * frequency are broken alphabetically, so the result depends only on the texts.
 * @throws RangeError on out-of-range options.
 */
export function buildChatVocabulary(texts: Iterable<string>, options: ChatVocabularyOptions): ChatVocabulary {
  const maxSize = requireInt('maxSize', options.maxSize, RESERVED_TOKENS.length + 1, 1_000_000);
  const minCount = requireInt('minCount', options.minCount, 1, Number.MAX_SAFE_INTEGER);
  const sequenceLength = requireInt('sequenceLength', options.sequenceLength, 1, 512);
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const w of chatWords(text)) {
      if (/^\d+$/.test(w)) continue;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const words = [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxSize - RESERVED_TOKENS.length)
    .map(([w]) => w);
  return { version: CHAT_VOCABULARY_VERSION, sequenceLength, padding: 'pre', truncation: 'post', tokens: [...RESERVED_TOKENS, ...words] };
}

/**
 * Checks that parsed JSON is a usable vocabulary (e.g. a vocab.json read from disk).
 * @throws Error naming the first problem found.
 */
export function parseChatVocabulary(json: unknown): ChatVocabulary {
  if (typeof json !== 'object' || json === null) throw new Error('chat vocabulary must be a JSON object');
  const v = json as Record<string, unknown>;
  if (v.version !== CHAT_VOCABULARY_VERSION) {
    throw new Error(`chat vocabulary version ${String(v.version)} is not supported (expected ${CHAT_VOCABULARY_VERSION})`);
  }
  requireInt('sequenceLength', v.sequenceLength, 1, 512);
  if (v.padding !== 'pre' || v.truncation !== 'post') throw new Error("chat vocabulary must use padding 'pre' and truncation 'post'");
  if (!Array.isArray(v.tokens) || v.tokens.some((t) => typeof t !== 'string' || t === '')) {
    throw new Error('chat vocabulary tokens must be an array of non-empty strings');
  }
  const tokens = v.tokens as string[];
  RESERVED_TOKENS.forEach((t, i) => {
    if (tokens[i] !== t) throw new Error(`chat vocabulary token ${i} must be '${t}', got '${String(tokens[i])}'`);
  });
  if (new Set(tokens).size !== tokens.length) throw new Error('chat vocabulary has duplicate tokens');
  return { version: CHAT_VOCABULARY_VERSION, sequenceLength: v.sequenceLength as number, padding: 'pre', truncation: 'post', tokens: [...tokens] };
}

/** Single letters that may be pieces of a run-together word ("urabitch" → ur a bitch). */
const ONE_LETTER_PIECES = new Set(['a', 'i', 'u', 'r', 'y']);

/** Encodes chat messages for the chat model. Immutable; safe to share across rooms. */
export class ChatTokenizer {
  readonly vocabulary: ChatVocabulary;
  readonly sequenceLength: number;
  private readonly ids: ReadonlyMap<string, number>;

  /** @throws Error if `vocabulary` is not valid (see {@link parseChatVocabulary}). */
  constructor(vocabulary: ChatVocabulary) {
    this.vocabulary = parseChatVocabulary(vocabulary);
    this.sequenceLength = this.vocabulary.sequenceLength;
    this.ids = new Map(this.vocabulary.tokens.map((t, i) => [t, i]));
  }

  /** Number of ids (the model's embedding input size). */
  get size(): number {
    return this.vocabulary.tokens.length;
  }

  /** Ids of already normalized words, repairs included, before padding/truncation. */
  wordIds(words: readonly string[]): number[] {
    const out: number[] = [];
    for (const w of words) this.pushWord(w, out);
    return out;
  }

  /**
   * Vocabulary tokens a raw message becomes, before padding/truncation (for debugging
   * and moderator "why" views): unknown words appear as {@link OOV_TOKEN}.
   */
  tokens(text: string): string[] {
    return this.wordIds(chatWords(text)).map((id) => this.vocabulary.tokens[id]!);
  }

  /** One message as `sequenceLength` ids: padding first, the message's first words after it. */
  encode(text: string): Int32Array {
    const out = new Int32Array(this.sequenceLength);
    this.encodeInto(text, out, 0);
    return out;
  }

  /** A batch as one row-major `[texts.length × sequenceLength]` buffer (a tensor's data). */
  encodeBatch(texts: readonly string[]): Int32Array {
    const out = new Int32Array(texts.length * this.sequenceLength);
    texts.forEach((t, i) => this.encodeInto(t, out, i * this.sequenceLength));
    return out;
  }

  private encodeInto(text: string, out: Int32Array, offset: number): void {
    const ids = this.wordIds(chatWords(text));
    const n = Math.min(ids.length, this.sequenceLength);
    const start = offset + this.sequenceLength - n;
    out.fill(PAD_ID, offset, start);
    for (let i = 0; i < n; i++) out[start + i] = ids[i]!;
  }

  private pushWord(word: string, out: number[]): void {
    if (/^\d+$/.test(word)) {
      out.push(NUM_ID);
      return;
    }
    const direct = this.ids.get(word);
    if (direct !== undefined) {
      out.push(direct);
      return;
    }
    const repaired = this.repair(word);
    if (repaired) out.push(...repaired);
    else out.push(OOV_ID);
  }

  /** In-vocabulary ids for an unknown word, or null. Order of attempts: see the file comment. */
  private repair(word: string): number[] | null {
    const single = this.known(undouble(word)) ?? this.known(leetTail(word));
    if (single !== undefined) return [single];
    return this.segment(word);
  }

  private known(candidates: readonly string[] | string | null): number | undefined {
    if (candidates === null) return undefined;
    for (const c of typeof candidates === 'string' ? [candidates] : candidates) {
      const id = this.ids.get(c);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  /** Id of one piece of a run-together word: a known word of ≥ 2 letters (doubles undone) or a one-letter chat word. */
  private piece(s: string): number | undefined {
    if (s.length === 1) return ONE_LETTER_PIECES.has(s) ? this.ids.get(s) : undefined;
    return this.ids.get(s) ?? this.known(undouble(s));
  }

  /**
   * Splits a run-together word into the fewest known pieces (at most {@link MAX_PIECES}),
   * breaking ties towards the longest piece: "youaretrash" → you are trash. Null if none.
   */
  private segment(word: string): number[] | null {
    const n = word.length;
    if (n < 4 || n > MAX_SEGMENTED_LENGTH) return null;
    // best[i]: fewest pieces covering word[0, i), the longest piece among them, and the ids.
    const best: Array<{ pieces: number; longest: number; ids: number[] } | null> = new Array(n + 1).fill(null);
    best[0] = { pieces: 0, longest: 0, ids: [] };
    for (let i = 1; i <= n; i++) {
      for (let j = 0; j < i; j++) {
        const prev = best[j];
        if (!prev || prev.pieces >= MAX_PIECES) continue;
        const id = this.piece(word.slice(j, i));
        if (id === undefined) continue;
        const cand = { pieces: prev.pieces + 1, longest: Math.max(prev.longest, i - j), ids: [...prev.ids, id] };
        const cur = best[i];
        if (!cur || cand.pieces < cur.pieces || (cand.pieces === cur.pieces && cand.longest > cur.longest)) best[i] = cand;
      }
    }
    const whole = best[n];
    return whole && whole.pieces >= 2 ? whole.ids : null;
  }
}

/** Most pieces a run-together word is split into ("u r a bitch" is 4). */
const MAX_PIECES = 4;
/** Longer unknown words are not segmented (bounds the quadratic search). */
const MAX_SEGMENTED_LENGTH = 32;

/**
 * Spellings of `word` with doubled letters undoubled, one double at a time first, then all
 * of them ("goodd" → ["godd", "good", "god"]: "good" wins before "god" is tried). Empty when
 * the word has no double letter. At most 8 doubles are considered.
 */
function undouble(word: string): string[] {
  const doubles: number[] = [];
  for (let i = 1; i < word.length && doubles.length < 8; i++) {
    if (word[i] === word[i - 1] && word[i] !== word[i - 2]) doubles.push(i);
  }
  if (doubles.length === 0) return [];
  const variants = doubles.map((i) => word.slice(0, i) + word.slice(i + 1));
  if (doubles.length > 1) variants.push(word.replace(/([a-z])\1/g, '$1'));
  return variants;
}

/** `word` with trailing l33t digits mapped (a55 → ass), or null if it has none. */
function leetTail(word: string): string | null {
  const m = /^([a-z]+)(\d+)$/.exec(word);
  if (!m) return null;
  let tail = '';
  for (const d of m[2]!) {
    const l = LEET[d];
    if (l === undefined) return null;
    tail += l;
  }
  return m[1]! + tail;
}
