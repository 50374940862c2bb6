/**
 * The shared chat normalizer and tokenizer: what the server runs on every message and the
 * trainer on every corpus line.
 */
import { describe, expect, it } from 'vitest';
import {
  buildChatVocabulary, ChatTokenizer, chatWords, MAX_NORMALIZED_INPUT, NUM_ID, normalizeChatText, OOV_ID, OOV_TOKEN,
  PAD_ID, parseChatVocabulary, type ChatVocabulary,
} from '@pulse-arena/shared/chat';

describe('normalizeChatText', () => {
  it.each([
    // l33t and symbols inside words
    ['sh!t', 'shit'], ['$hit', 'shit'], ['n00b', 'noob'], ['b!tch', 'bitch'], ['a$$hole', 'asshole'],
    ['@ss', 'ass'], ['h4x0r', 'haxor'], ['1d10t', 'idiot'], ['l0s3r', 'loser'], ['7r4sh', 'trash'],
    ['f*ck', 'fck'], ["don't", 'dont'],
    // spacing, dots, dashes
    ['f u c k you', 'fuck you'], ['F.U.C.K', 'fuck'], ['f-u-c-k', 'fuck'], ['f_u_c_k', 'fuck'], ['k y s', 'kys'],
    ['t r a s h', 'trash'],
    // repeated letters → at most two
    ['fuuuuuck', 'fuuck'], ['gggggg wp', 'gg wp'], ['niceeeee', 'nicee'], ['noooob', 'noob'],
    // Unicode tricks
    ['ｆｕｃｋ', 'fuck'], ['𝐟𝐮𝐜𝐤', 'fuck'], ['ⓕⓤⓒⓚ', 'fuck'], ['tr\u200bash', 'trash'], ['tr\u00adash', 'trash'],
    ['tr\u0430sh', 'trash'], ['\u0456d\u0456\u043et', 'idiot'], ['fück', 'fuck'], ['tråsh', 'trash'],
    ['FuCk YoU', 'fuck you'], ['GG EZ', 'gg ez'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeChatText(input)).toBe(expected);
  });

  it('keeps game words with digits and separates punctuation', () => {
    expect(normalizeChatText('1v1 me, ak47 is op!!! wave 12 incoming...')).toBe('1v1 me ak47 is op wave 12 incoming');
    expect(normalizeChatText('3rd wave, 100hp left')).toBe('3rd wave 100hp left');
    expect(normalizeChatText('ok.lets go')).toBe('ok lets go');
  });

  it('does not join one-letter chat words', () => {
    expect(normalizeChatText('u r a noob')).toBe('u r a noob');
    expect(normalizeChatText('i like it')).toBe('i like it');
  });

  it('treats a leading @ as a mention', () => {
    expect(normalizeChatText('@jake nice shot!')).toBe('jake nice shot');
  });

  it('leaves identity terms untouched', () => {
    const line = 'proud to be gay muslim black trans jewish disabled deaf asian latino women lesbian queer';
    expect(normalizeChatText(line)).toBe(line);
    expect(normalizeChatText("I'm GAY and Muslim, LGBTQ+ folks welcome!")).toBe('im gay and muslim lgbtq folks welcome');
  });

  it('is idempotent', () => {
    for (const s of ['Y0U  R  Tr\u0430\u0430\u0430sh!!!', 'f u c k', 'n00b', 'ｇｇ ｅｚ', 'a.b.c.d', 'sh!!!t']) {
      const once = normalizeChatText(s);
      expect(normalizeChatText(once)).toBe(once);
    }
  });

  it('handles empty, symbol-only and huge input', () => {
    expect(normalizeChatText('')).toBe('');
    expect(normalizeChatText('!!! ??? ... 🎮')).toBe('');
    expect(chatWords('  ')).toEqual([]);
    const huge = 'a '.repeat(MAX_NORMALIZED_INPUT * 5);
    const t0 = performance.now();
    expect(normalizeChatText(huge).length).toBeLessThanOrEqual(MAX_NORMALIZED_INPUT);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe('ChatTokenizer', () => {
  const training = [
    'fuck you', 'you are trash', 'you are a bitch', 'nice shot', 'nice try', 'gg wp', 'gg ez', 'you idiot',
    'shut up noob', 'you are trash', 'fuck you', 'gg wp', 'nice shot', 'you idiot', 'bitch', 'ass', 'ass',
    'shut up noob', 'nice try', 'gg ez', 'a noob', 'u r a noob', 'u r a noob', 'ur trash', 'ur trash', 'gay', 'gay',
    'muslim', 'muslim', 'wave 12', 'wave 3',
  ];
  const vocab = buildChatVocabulary(training, { maxSize: 100, minCount: 2, sequenceLength: 8 });
  const tok = new ChatTokenizer(vocab);

  it('builds a deterministic vocabulary: reserved tokens, then by frequency, ties alphabetical', () => {
    expect(vocab.tokens.slice(0, 3)).toEqual(['<pad>', '<oov>', '<num>']);
    expect(buildChatVocabulary([...training].reverse(), { maxSize: 100, minCount: 2, sequenceLength: 8 })).toEqual(vocab);
    expect(vocab.tokens).not.toContain('12'); // numbers share <num>
    const counts = vocab.tokens.slice(3);
    expect(counts[0]).toBe('you'); // most frequent word
    expect(buildChatVocabulary(training, { maxSize: 5, minCount: 1, sequenceLength: 8 }).tokens).toHaveLength(5);
  });

  it('pre-pads and keeps the first words', () => {
    const ids = tok.encode('nice shot');
    expect(ids).toBeInstanceOf(Int32Array);
    expect(ids.length).toBe(8);
    expect(Array.from(ids.slice(0, 6))).toEqual([PAD_ID, PAD_ID, PAD_ID, PAD_ID, PAD_ID, PAD_ID]);
    expect(tok.tokens('nice shot')).toEqual(['nice', 'shot']);
    const long = tok.encode('you are trash you are trash you are trash you idiot');
    expect(tok.tokens('you are trash you are trash you are trash you idiot')).toHaveLength(11);
    expect(Array.from(long)).toEqual(Array.from(tok.encode('you are trash you are trash you are'))); // words 9+ are cut
    expect(Array.from(tok.encode(''))).toEqual(new Array(8).fill(PAD_ID));
  });

  it('maps unknown words to OOV and numbers to <num>', () => {
    expect(tok.tokens('xylophone')).toEqual([OOV_TOKEN]);
    expect(Array.from(tok.encode('wave 99')).slice(-1)).toEqual([NUM_ID]);
    expect(tok.encode('zzzz').at(-1)).toBe(OOV_ID);
  });

  it.each([
    ['f u c k you', 'fuck you'],
    ['FUUUUCK YOU', 'fuck you'],
    ['ｆｕｃｋ ｙｏｕ', 'fuck you'],
    ['f.u.c.k y.o.u', 'fuck you'],
    ['y0u 4re tr4sh', 'you are trash'],
    ['you are trasssssh', 'you are trash'],
    ['you are tr\u0430sh', 'you are trash'],
    ['youaretrash', 'you are trash'],
    ['urtrash', 'ur trash'],
    ['u r a b i t c h', 'ur a bitch'],
    ['a55', 'ass'],
    ['Y O U   I D I O T', 'you idiot'],
    ['you idiooooot', 'you idiot'],
    ['shut up n00b', 'shut up noob'],
    ['niceeee shot!!!', 'nice shot'],
    ['nicetry', 'nice try'],
  ])('evasion %j encodes like %j', (evaded, plain) => {
    expect(Array.from(tok.encode(evaded))).toEqual(Array.from(tok.encode(plain)));
  });

  it('encodes identity terms as themselves', () => {
    expect(tok.tokens('gay')).toEqual(['gay']);
    expect(tok.tokens('Muslim!')).toEqual(['muslim']);
  });

  it('encodeBatch concatenates rows', () => {
    const batch = tok.encodeBatch(['gg wp', 'fuck you', '']);
    expect(batch.length).toBe(24);
    expect(Array.from(batch.subarray(8, 16))).toEqual(Array.from(tok.encode('fuck you')));
  });

  it('validates vocabularies and options', () => {
    expect(() => buildChatVocabulary([], { maxSize: 2, minCount: 1, sequenceLength: 8 })).toThrow(RangeError);
    expect(() => buildChatVocabulary([], { maxSize: 10, minCount: 0, sequenceLength: 8 })).toThrow(/minCount/);
    expect(() => buildChatVocabulary([], { maxSize: 10, minCount: 1, sequenceLength: 0 })).toThrow(/sequenceLength/);
    expect(() => parseChatVocabulary(null)).toThrow(/object/);
    expect(() => parseChatVocabulary({ ...vocab, version: 2 })).toThrow(/version/);
    expect(() => parseChatVocabulary({ ...vocab, tokens: ['<oov>', '<pad>', '<num>'] })).toThrow(/token 0/);
    expect(() => parseChatVocabulary({ ...vocab, tokens: [...vocab.tokens, 'gg'] })).toThrow(/duplicate/);
    expect(() => new ChatTokenizer({ ...vocab, sequenceLength: 1.5 } as ChatVocabulary)).toThrow(/sequenceLength/);
    expect(parseChatVocabulary(JSON.parse(JSON.stringify(vocab)))).toEqual(vocab);
  });
});
