/**
 * Chat text normalizer: turns what a player typed into the plain lowercase ASCII words the
 * chat model (and any word filter) sees. The server runs it on every chat message and the
 * trainer runs it on every corpus line, so both see exactly the same words.
 *
 * It undoes the usual ways of hiding a word from a filter, in this order:
 *  1. Unicode NFKC (fullwidth ｆｕｃｋ, 𝐟𝐮𝐜𝐤, ⓕⓤⓒⓚ → fuck), lowercase, invisible characters
 *     (zero-width spaces/joiners, soft hyphens) removed;
 *  2. common homoglyphs (Cyrillic/Greek look-alikes: tr\u0430sh → trash) and accents
 *     (fück → fuck) folded to ASCII;
 *  3. per chunk between separators: dotted single letters joined (f.u.c.k → fuck),
 *     l33t symbols and digits inside a word mapped (sh!t, $hit, n00b, @ss), every other
 *     symbol inside a word dropped (f*ck → fck, don't → dont, f-u-c-k → fuck);
 *  4. runs of three or more single letters joined (f u c k → fuck), unless every letter of
 *     the run is a common one-letter chat word (u r a noob stays as it is);
 *  5. a letter repeated three or more times cut to two (fuuuuck → fuuck, gggg → gg).
 *
 * What it deliberately does not do: it knows no words (the tokenizer, which has the
 * model's vocabulary, repairs what is left, e.g. fuuck → fuck), it never changes letters
 * that are already plain ASCII (identity terms such as gay, muslim, black, trans pass
 * through untouched), and it keeps no non-Latin letters (the model is English-only).
 *
 * Pure, allocation-light, O(length); input beyond {@link MAX_NORMALIZED_INPUT} characters is
 * ignored so a hostile message cannot cost more than a bounded amount of CPU.
 */

/**
 * Characters of input looked at. Chat messages are capped far below this by the protocol;
 * the cap only bounds the work if something longer ever gets here.
 */
export const MAX_NORMALIZED_INPUT = 2000;

/** Zero-width and other invisible format characters that are deleted (not turned into spaces). */
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/gu;

/**
 * Look-alike letters folded to the ASCII letter they imitate (after lowercasing).
 * Only letters people actually use to dodge filters: Cyrillic, Greek, a few IPA/Latin
 * extended ones whose accents NFD cannot strip.
 */
export const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  '\u0430': 'a', '\u0432': 'b', '\u0435': 'e', '\u0451': 'e', '\u0456': 'i', '\u0457': 'i',
  '\u0458': 'j', '\u043a': 'k', '\u043c': 'm', '\u043d': 'h', '\u043e': 'o', '\u0440': 'p',
  '\u0441': 'c', '\u0442': 't', '\u0443': 'y', '\u0445': 'x', '\u0455': 's', '\u0501': 'd',
  '\u04bb': 'h', '\u0475': 'v', '\u0461': 'w', '\u04cf': 'l', '\u0433': 'r',
  // Greek
  '\u03b1': 'a', '\u03b2': 'b', '\u03b5': 'e', '\u03b7': 'n', '\u03b9': 'i', '\u03ba': 'k',
  '\u03bd': 'v', '\u03bf': 'o', '\u03c1': 'p', '\u03c4': 't', '\u03c5': 'u', '\u03c7': 'x',
  '\u03c9': 'w', '\u03c2': 's', '\u03c3': 'o', '\u03bc': 'u', '\u03b3': 'y',
  // Latin letters NFD does not decompose
  '\u0131': 'i', '\u0142': 'l', '\u00f8': 'o', '\u0111': 'd', '\u0127': 'h', '\u00df': 'ss',
  '\u00e6': 'ae', '\u0153': 'oe', '\u0261': 'g', '\u0269': 'i', '\u028f': 'y', '\u0251': 'a',
  '\u01c0': 'l', '\u0138': 'k',
};

/**
 * L33t substitutions applied to characters inside a word. Digits only map when a letter
 * follows them in the same word (so "ak47", "mp5" and "wave 3" keep their digits).
 */
export const LEET: Readonly<Record<string, string>> = {
  '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g',
  '@': 'a', '$': 's', '!': 'i', '\u20ac': 'e', '\u00a3': 'l',
};

/**
 * Characters that always separate words. Everything else that is not a letter or digit is
 * "inside the word" and is either l33t-mapped or dropped.
 */
const SEPARATORS = /[\s,;:?/\\()[\]{}<>"=~^`|\u2026\u2013\u2014\u00b7\u3001\u3002]+/u;

/** Letters that are words on their own in chat ("u r a noob", "y u no", "k"). */
const ONE_LETTER_WORDS = new Set(['a', 'i', 'u', 'r', 'y', 'k']);

/** Words with digits that are game talk, not l33t: 1v1, 3rd, 100hp, 60fps, 2k, 5x, 10s… */
const NUMERIC_WORD = /^\d+(?:v\d+|st|nd|rd|th|k|x|s|hp|ms|fps|min|mins|m|h|hr|hrs|sec|secs|am|pm|d|v|p|g|gb)$/;

const ASCII_LETTER = /^[a-z]$/;

function foldChar(ch: string): string {
  const mapped = CONFUSABLES[ch];
  if (mapped !== undefined) return mapped;
  if (ch.charCodeAt(0) < 0x80) return ch;
  // Strip accents: NFD splits "ü" into "u" + combining mark; drop the marks.
  return ch.normalize('NFD').replace(/\p{M}/gu, '');
}

function isLetter(ch: string | undefined): boolean {
  return ch !== undefined && ch >= 'a' && ch <= 'z';
}

/** L33t-maps and strips one chunk (no separators inside). Returns '' when nothing is left. */
function normalizeWord(chunk: string): string {
  if (NUMERIC_WORD.test(chunk)) return chunk;
  const chars = Array.from(chunk);
  // A letter somewhere after position i: digits only map inside/at the start of a word.
  const letterAfter: boolean[] = new Array<boolean>(chars.length + 1).fill(false);
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i]!;
    letterAfter[i] = letterAfter[i + 1]! || isLetter(c);
  }
  const hasLetter = letterAfter[0]!;
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (isLetter(c)) {
      out += c;
      continue;
    }
    const leet = LEET[c];
    if (c >= '0' && c <= '9') {
      out += leet !== undefined && hasLetter && letterAfter[i + 1] ? leet : c;
      continue;
    }
    if (leet === undefined || !hasLetter) continue; // a symbol inside a word: dropped
    if (c === '@' && out === '') {
      // A leading '@' is a mention (@jake); "@ss…" is the one l33t spelling common enough to keep.
      if (chunk.startsWith('@ss')) out += 'a';
      continue;
    }
    if (c === '!' && (out === '' || !letterAfter[i + 1])) continue; // "!report", "nice!!"
    out += leet;
  }
  return out;
}

/** Splits a chunk on '.', joining the parts when they are all single characters (f.u.c.k). */
function splitDots(chunk: string): string[] {
  if (!chunk.includes('.')) return [chunk];
  const parts = chunk.split('.').filter((p) => p !== '');
  if (parts.length >= 2 && parts.every((p) => Array.from(p).length === 1)) return [parts.join('')];
  return parts;
}

/** Joins runs of ≥ 3 single letters ("f u c k" → "fuck"), in place in the array it returns. */
function joinSpacedLetters(words: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < words.length) {
    let j = i;
    while (j < words.length && ASCII_LETTER.test(words[j]!)) j++;
    const run = j - i;
    if (run >= 3 && words.slice(i, j).some((w) => !ONE_LETTER_WORDS.has(w))) {
      out.push(words.slice(i, j).join(''));
      i = j;
    } else if (run > 0) {
      for (let k = i; k < j; k++) out.push(words[k]!);
      i = j;
    } else {
      out.push(words[i]!);
      i++;
    }
  }
  return out;
}

/**
 * Normalizes one chat message to space-separated lowercase ASCII words (letters and
 * digits only). Deterministic and idempotent: `normalizeChatText(normalizeChatText(s))`
 * equals `normalizeChatText(s)`.
 *
 * @example normalizeChatText('Y0U  R  Tr\u0430\u0430\u0430sh!!!') === 'you r traash'
 */
export function normalizeChatText(text: string): string {
  let s = text.length > MAX_NORMALIZED_INPUT ? text.slice(0, MAX_NORMALIZED_INPUT) : text;
  s = s.normalize('NFKC').toLowerCase().replace(INVISIBLE, '');
  let folded = '';
  for (const ch of s) folded += foldChar(ch);
  const words: string[] = [];
  for (const chunk of folded.split(SEPARATORS)) {
    if (chunk === '') continue;
    for (const part of splitDots(chunk)) {
      const w = normalizeWord(part);
      if (w !== '') words.push(w);
    }
  }
  return joinSpacedLetters(words)
    .map((w) => w.replace(/([a-z])\1{2,}/g, '$1$1'))
    .join(' ');
}

/** {@link normalizeChatText} split into words (an empty array for an empty message). */
export function chatWords(text: string): string[] {
  const n = normalizeChatText(text);
  return n === '' ? [] : n.split(' ');
}
