/**
 * The committed chat model artifact (models/chat/v4): small, quick to load, and still
 * scoring held-out chat the way its model card says.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeChatText } from '@pulse-arena/shared/chat';
import { ChatClassifier, DEFAULT_CHAT_MODEL_DIR, type ChatModelMetadata } from '../../models/src/chat/classifier.js';
import { describeCorpusLines, readChatCorpus, type ChatExample } from '../../models/src/chat/corpus.js';
import { compareChat, evaluateChat, renderModelCard } from '../../models/src/chat/eval.js';
import { initBackend, tf } from '../../models/src/runtime/index.js';
import { DEFAULT_CHAT_POLICY } from '../../server/src/moderation/chatPipeline.js';

const DIR = DEFAULT_CHAT_MODEL_DIR;
let chat: ChatClassifier;
let loadMs: number;
let corpus: ChatExample[];

beforeAll(async () => {
  await initBackend('wasm');
  const t0 = performance.now();
  chat = await ChatClassifier.load(DIR);
  loadMs = performance.now() - t0;
  corpus = await readChatCorpus();
});
afterAll(() => chat?.dispose());

/**
 * Written for this test, after training: none of these lines is in the corpus (checked
 * below). Each is labelled the way the corpus policy labels it.
 */
const FRESH: Array<{ text: string; toxic: boolean; sentiment?: 'positive' | 'neutral' | 'negative' }> = [
  { text: 'you are such a useless idiot, uninstall already', toxic: true, sentiment: 'negative' },
  { text: 'k y s loser', toxic: true },
  { text: 'ez clap, you scrubs never stood a chance', toxic: true },
  { text: 'shut the f*ck up you moron', toxic: true },
  { text: 'Y0U R TR4SH', toxic: true },
  { text: 'muslims should be banned from this game', toxic: true },
  { text: 'nobody wants women in ranked', toxic: true },
  { text: 'what a garbage teammate, worst player ever', toxic: true },
  { text: 'great clutch at the end, well played', toxic: false, sentiment: 'positive' },
  { text: 'my sister is gay and she loves this map', toxic: false },
  { text: 'proud to be black and gaming', toxic: false, sentiment: 'positive' },
  { text: 'holy shit that dash was insane', toxic: false, sentiment: 'positive' },
  { text: 'where is the railgun spawn?', toxic: false, sentiment: 'neutral' },
  { text: 'this lag is terrible today', toxic: false, sentiment: 'negative' },
  { text: 'thanks for the revive, you are awesome', toxic: false, sentiment: 'positive' },
  { text: 'kill the drones near the bridge first', toxic: false, sentiment: 'neutral' },
  { text: 'happy diwali to everyone celebrating', toxic: false, sentiment: 'positive' },
  { text: 'is there a mode for deaf players?', toxic: false, sentiment: 'neutral' },
];

describe('chat model artifact', () => {
  it('is small and loads in under a second', async () => {
    let total = 0;
    for (const f of ['model.json', 'weights.bin', 'vocab.json', 'metadata.json', 'MODEL_CARD.md', 'ngrams.bin', 'ngrams-sentiment.bin']) {
      const { size } = await stat(path.join(DIR, f));
      expect(size, f).toBeGreaterThan(0);
      total += size;
    }
    expect(total).toBeLessThanOrEqual(2 * 1024 * 1024); // the whole artifact, n-gram readers included
    expect(loadMs).toBeLessThan(1000);
  });

  it('scores fresh sentences correctly', () => {
    const known = new Set(corpus.map((e) => normalizeChatText(e.text)));
    for (const f of FRESH) expect(known.has(normalizeChatText(f.text)), f.text).toBe(false);
    const scores = chat.score(FRESH.map((f) => f.text));
    const toxicRight = FRESH.filter((f, i) => scores[i]!.toxic === f.toxic).length;
    const withSentiment = FRESH.map((f, i) => [f, scores[i]!] as const).filter(([f]) => f.sentiment);
    const sentimentRight = withSentiment.filter(([f, s]) => s.sentiment === f.sentiment).length;
    // A broken model (constant output, shuffled vocabulary, wrong threshold) fails these.
    expect(toxicRight / FRESH.length).toBeGreaterThanOrEqual(0.85);
    expect(sentimentRight / withSentiment.length).toBeGreaterThanOrEqual(0.75);
  });

  it('scores the held-out test split as its card says, above both baselines', async () => {
    const e = evaluateChat(chat, corpus, 'test');
    const meta = JSON.parse(await readFile(path.join(DIR, 'metadata.json'), 'utf8')) as ChatModelMetadata & {
      evaluation: { model: { sentimentMacroF1: number; toxicity: { f1: number }; identityFpr: number }; intervals: typeof e.intervals };
    };
    // The card's intervals are reproducible (a seeded bootstrap) and hold the figure they bracket.
    expect(e.intervals).toEqual(meta.evaluation.intervals);
    for (const [figure, iv] of [[e.model.sentimentMacroF1!, e.intervals.sentimentMacroF1], [e.model.toxicity.f1, e.intervals.toxicityF1], [e.model.identityFpr, e.intervals.identityFpr]] as const) {
      expect(iv.low).toBeLessThan(figure);
      expect(iv.high).toBeGreaterThan(figure);
    }
    expect(e.model.sentimentMacroF1).toBeCloseTo(meta.evaluation.model.sentimentMacroF1, 4);
    expect(e.model.toxicity.f1).toBeCloseTo(meta.evaluation.model.toxicity.f1, 4);
    expect(e.model.identityFpr).toBeCloseTo(meta.evaluation.model.identityFpr, 4);
    // Floors a little under the artifact's measured figures, so a broken or regressed artifact fails.
    // The card marks each figure against the targets (CHAT_TARGETS), which it does not all meet.
    expect(e.model.sentimentMacroF1).toBeGreaterThanOrEqual(0.78);
    expect(e.model.toxicity.f1).toBeGreaterThanOrEqual(0.78);
    expect(e.model.identityFpr).toBeLessThanOrEqual(0.2);
    expect(e.model.toxicity.f1).toBeGreaterThan(Math.max(e.afinn.toxicity.f1, e.obscenity.toxicity.f1));
    expect(e.model.sentimentMacroF1!).toBeGreaterThan(e.afinn.sentimentMacroF1!);
    expect(e.model.identityFpr).toBeLessThan(e.afinn.identityFpr);
  });

  it('compares two artifacts on the same lines: no difference with itself, a real one with a worse model', () => {
    const same = compareChat(chat, chat, corpus, 'val');
    for (const x of Object.values(same.figures)) expect([x.model - x.other, x.difference.low, x.difference.high]).toEqual([0, 0, 0]);
    // The same weights calling almost nothing toxic: a loss the paired interval must see (it excludes 0).
    const timid = new ChatClassifier(chat.model, chat.tokenizer, 0.995, 0.999);
    const worse = compareChat(timid, chat, corpus, 'val').figures.toxicityF1;
    expect(worse.model).toBeLessThan(worse.other);
    expect(worse.difference.high).toBeLessThan(0);
    expect(worse.difference.low).toBeLessThanOrEqual(worse.model - worse.other);
  });

  it("sets the chat policy's mask thresholds: the server masks what the model calls toxic", async () => {
    const meta = JSON.parse(await readFile(path.join(DIR, 'metadata.json'), 'utf8')) as ChatModelMetadata;
    expect(DEFAULT_CHAT_POLICY.maskAt).toBe(meta.toxicThreshold);
    expect(DEFAULT_CHAT_POLICY.maskIdentityAt).toBe(meta.identityToxicThreshold ?? meta.toxicThreshold);
    expect(DEFAULT_CHAT_POLICY.holdAt).toBeGreaterThan(DEFAULT_CHAT_POLICY.maskAt);
    expect(DEFAULT_CHAT_POLICY.holdAt).toBeGreaterThanOrEqual(DEFAULT_CHAT_POLICY.maskIdentityAt);
    expect(DEFAULT_CHAT_POLICY.blockAt).toBeGreaterThan(DEFAULT_CHAT_POLICY.holdAt);
  });

  it('does not leak tensors over 10,000 predictions', () => {
    chat.score(['warm up']);
    const before = tf.memory().numTensors;
    const batch = Array.from({ length: 100 }, (_, i) => ['gg wp', 'you are trash', 'need ammo left', 'nice shot!'][i % 4]!);
    for (let i = 0; i < 99; i++) chat.score(batch);
    for (let i = 0; i < 100; i++) chat.score([batch[i]!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('answers one message in a few milliseconds', () => {
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) chat.score(['nice shot bro']);
    expect((performance.now() - t0) / 20).toBeLessThan(50);
  });

  it("describes a corpus given with --corpus by its own lines, not the generator's", async () => {
    const meta = JSON.parse(await readFile(path.join(DIR, 'metadata.json'), 'utf8')) as ChatModelMetadata;
    const ownCard = await readFile(path.join(DIR, 'MODEL_CARD.md'), 'utf8');
    const e = evaluateChat(chat, corpus, 'test');
    // The committed corpus: the card is the generator's story, rendered again identically.
    expect(renderModelCard(meta, e)).toBe(ownCard);

    const given = corpus.filter((x) => !x.tags.includes('counterfactual')).slice(0, 5000);
    const lines = describeCorpusLines(given);
    expect(lines.lines).toBe(5000);
    expect(lines.counterfactual).toBe(0);
    expect(lines.bySplit.train + lines.bySplit.val + lines.bySplit.test).toBe(5000);
    const card = renderModelCard({
      ...meta,
      corpus: {
        path: 'studio/chat.jsonl', sha256: 'abc', lines: lines.lines, generated: false, templates: lines.templates,
        bySplit: lines.bySplit, counterfactualLines: 0, quotedLines: 0,
      },
    }, e);
    expect(card).toContain(`\`studio/chat.jsonl\` — 5000 labelled lines from ${lines.templates} templates, given with \`--corpus\``);
    expect(card).toContain(`Lines: train ${lines.bySplit.train}, val ${lines.bySplit.val}, test ${lines.bySplit.test}.`);
    expect(card).toContain('--corpus studio/chat.jsonl --out models/chat/v4');
    // Nothing the generator alone knows, and no claim that the file is the generated corpus.
    expect(card).not.toContain('Jaccard');
    expect(card).not.toContain('regenerates the committed corpus');
    expect(card).not.toContain(String((meta.corpus as { templates: number }).templates));
  });
});
