/**
 * The committed chat corpus: reproducible from its script, split without leaks, and
 * covering what the model must learn (slang, evasions, negation, identity terms in every
 * kind of frame).
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatWords, normalizeChatText } from '@pulse-arena/shared/chat';
import {
  corpusToJsonl, DEFAULT_CORPUS_PATH, expandTemplate, generateChatCorpus, NEAR_DUPLICATE_JACCARD, parseChatCorpus,
  type ChatExample,
} from '../../models/src/chat/corpus.js';
import { IDENTITY_GROUPS, type TemplateGroup } from '../../models/src/chat/corpusTemplates.js';
import { createRng } from '../../models/src/runtime/rng.js';

let committed: string;
let corpus: ChatExample[];
beforeAll(async () => {
  committed = await readFile(DEFAULT_CORPUS_PATH, 'utf8');
  corpus = parseChatCorpus(committed);
});

const bySplit = (split: string): ChatExample[] => corpus.filter((e) => e.split === split);

describe('chat corpus', () => {
  it('is exactly what the seeded generator writes', () => {
    const { examples } = generateChatCorpus();
    expect(corpusToJsonl(examples)).toBe(committed);
  });

  it('has several thousand lines in every split, with every label', () => {
    expect(corpus.length).toBeGreaterThan(5000);
    for (const split of ['train', 'val', 'test']) {
      const lines = bySplit(split);
      expect(lines.length).toBeGreaterThan(split === 'train' ? 5000 : 800);
      for (const s of ['positive', 'neutral', 'negative']) expect(lines.some((e) => e.sentiment === s)).toBe(true);
      const toxicShare = lines.filter((e) => e.toxic === 1).length / lines.length;
      expect(toxicShare).toBeGreaterThan(0.15);
      expect(toxicShare).toBeLessThan(0.45);
    }
  });

  it('splits by template: no template and no normalized line is on both sides', () => {
    const trainTemplates = new Set(bySplit('train').map((e) => e.template));
    const trainTexts = new Set(bySplit('train').map((e) => normalizeChatText(e.text)));
    for (const e of [...bySplit('val'), ...bySplit('test')]) {
      expect(trainTemplates.has(e.template)).toBe(false);
      expect(trainTexts.has(normalizeChatText(e.text))).toBe(false);
    }
  });

  it('holds out no near-duplicates of train lines (sampled check)', () => {
    const train = bySplit('train').filter((e) => !e.tags.includes('evasion')).map((e) => new Set(chatWords(e.text)));
    const test = bySplit('test').filter((e) => !e.tags.includes('evasion'));
    const rng = createRng(3);
    let worst = 0;
    for (let k = 0; k < 150; k++) {
      const words = new Set(chatWords(rng.pick(test).text));
      for (const t of train) {
        let inter = 0;
        for (const w of words) if (t.has(w)) inter++;
        worst = Math.max(worst, inter / (words.size + t.size - inter));
      }
    }
    // The generator checks lines before fillers ("lol", "bro") are added, hence the slack.
    expect(worst).toBeLessThan(NEAR_DUPLICATE_JACCARD + 0.05 + 1e-9);
  });

  it('keeps the held-out lines exactly as they are when train-only frames are added', () => {
    const split: TemplateGroup[] = [
      { name: 'nice', sentiment: 'positive', toxic: 0, tags: [], templates: Array.from({ length: 12 }, (_, i) => `(nice|great|clean) (shot|save|run) {player} number ${i}`) },
      { name: 'mean', sentiment: 'negative', toxic: 1, tags: ['insult'], templates: Array.from({ length: 12 }, (_, i) => `you are (a|an) {insult_noun} ${i} times over`) },
    ];
    const before = generateChatCorpus(7, { split, trainOnly: [] });
    const heldOut = (examples: readonly ChatExample[]): ChatExample[] => examples.filter((e) => e.split !== 'train');
    expect(heldOut(before.examples).length).toBeGreaterThan(20);
    // Train-only frames that repeat every held-out frame word for word, and one that nearly does.
    const trainOnly: TemplateGroup[] = [
      { name: 'nice_extra', sentiment: 'positive', toxic: 0, tags: [], templates: [...split[0]!.templates, '(nice|great|clean) (shot|save|run) {player} number 3 lol'] },
      { name: 'mean_extra', sentiment: 'negative', toxic: 1, tags: ['insult'], templates: split[1]!.templates },
    ];
    const after = generateChatCorpus(7, { split, trainOnly });
    expect(heldOut(after.examples)).toEqual(heldOut(before.examples));
    expect(after.stats.nearDuplicatesDropped).toBe(before.stats.nearDuplicatesDropped);
    expect(after.stats.trainOnlyNearHeldOutDropped).toBeGreaterThan(0);
    // What stays of the train-only lines is no closer to a held-out line than the filter allows.
    const heldOutTexts = new Set(heldOut(after.examples).map((e) => normalizeChatText(e.text)));
    const extra = after.examples.filter((e) => e.template.includes('_extra/'));
    expect(extra.length).toBeGreaterThan(0);
    for (const e of extra) expect(heldOutTexts.has(normalizeChatText(e.text))).toBe(false);
  });

  it('uses every identity group in clean and in hateful lines, in train and test', () => {
    for (const split of ['train', 'test']) {
      const lines = bySplit(split).filter((e) => e.tags.includes('identity'));
      for (const g of IDENTITY_GROUPS) {
        const mentions = lines.filter((e) => chatWords(e.text).includes(g.adj) || normalizeChatText(e.text).includes(g.plural));
        expect(mentions.some((e) => e.toxic === 0), `${g.adj} clean in ${split}`).toBe(true);
        expect(mentions.some((e) => e.toxic === 1), `${g.adj} hateful in ${split}`).toBe(true);
      }
    }
    const identity = corpus.filter((e) => e.tags.includes('identity'));
    const clean = identity.filter((e) => e.toxic === 0).length;
    expect(clean / identity.length).toBeGreaterThan(0.45); // naming a group is mostly not toxic
  });

  it('covers slang, negation, profanity without abuse, and every evasion', () => {
    const find = (pred: (e: ChatExample) => boolean): ChatExample[] => corpus.filter(pred);
    const has = (e: ChatExample, w: string): boolean => chatWords(e.text).includes(w);
    expect(find((e) => normalizeChatText(e.text) === 'gg ez').every((e) => e.toxic === 1)).toBe(true);
    expect(find((e) => normalizeChatText(e.text) === 'gg wp').every((e) => e.toxic === 0 && e.sentiment === 'positive')).toBe(true);
    expect(find((e) => has(e, 'noob') && e.toxic === 0).length).toBeGreaterThan(20);
    expect(find((e) => has(e, 'noob') && e.toxic === 1).length).toBeGreaterThan(20);
    expect(find((e) => e.tags.includes('negation') && e.toxic === 0 && has(e, 'not')).length).toBeGreaterThan(100);
    expect(find((e) => e.tags.includes('profanity') && e.toxic === 0).length).toBeGreaterThan(200);
    const kinds = new Set(corpus.map((e) => e.evasion).filter(Boolean));
    expect([...kinds].sort()).toEqual(['accents', 'homoglyph', 'leet', 'mask', 'mixed-case', 'repeat', 'run-together', 'spacing', 'zero-width']);
    expect(find((e) => e.tags.includes('evasion') && e.toxic === 0).length).toBeGreaterThan(300);
  });

  it('expands template syntax', () => {
    const rng = createRng(1);
    const g = IDENTITY_GROUPS[0]!;
    expect(expandTemplate('(a|b|c)', rng, g)).toMatch(/^[abc]$/);
    expect(expandTemplate('im {g.be}, {g.a_one} among {g.plural}', rng, g)).toBe(`im ${g.be}, a ${g.one} among ${g.plural}`);
    expect(() => expandTemplate('{nope}', rng, g)).toThrow(/unknown slot/);
    expect(() => expandTemplate('(a|b', rng, g)).toThrow(/unclosed/);
  });

  it('rejects malformed corpus lines with their line number', () => {
    expect(() => parseChatCorpus('{"text":"hi","sentiment":"happy","toxic":0,"split":"train","tags":[]}')).toThrow(/line 1: sentiment/);
    expect(() => parseChatCorpus('\n{"text":"hi","sentiment":"neutral","toxic":2,"split":"train","tags":[]}')).toThrow(/line 2: toxic/);
    expect(() => parseChatCorpus('not json')).toThrow(/line 1: invalid JSON/);
  });
});
