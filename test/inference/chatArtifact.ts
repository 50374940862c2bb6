/**
 * The chat artifact for inference tests and the benchmark: the committed one
 * (models/chat/v4) when it exists, else a stand-in with the same architecture (the chat
 * model factory's defaults), an untrained seeded model and a synthetic 4,000-token
 * vocabulary, written to a temporary folder in the artifact format the server loads.
 * The stand-in exercises every step of the serving path (tokenizer, both heads, label
 * order) and costs the same to run, but its scores mean nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHAT_VOCABULARY_VERSION, RESERVED_TOKENS, type ChatVocabulary } from '@pulse-arena/shared/chat';
import { createChatModel, SENTIMENT_LABELS, type ChatModelOptions } from '../../models/src/chat/model.js';
import { saveModel } from '../../models/src/runtime/index.js';
import { DEFAULT_CHAT_DIR } from '../../server/src/inference/host.js';

export interface ChatArtifact {
  dir: string;
  /** False when this is the untrained stand-in. */
  real: boolean;
  remove(): Promise<void>;
}

const WORDS = 'gg wp nice shot good game ez noob trash you are so bad lol lmao thanks help me heal here behind left right go push wait team'.split(' ');

/** Uses the committed chat artifact, or writes a stand-in (needs a tfjs backend initialised). */
export async function chatArtifact(): Promise<ChatArtifact> {
  if (existsSync(path.join(DEFAULT_CHAT_DIR, 'model.json')) && existsSync(path.join(DEFAULT_CHAT_DIR, 'vocab.json'))) {
    return { dir: DEFAULT_CHAT_DIR, real: true, remove: async () => undefined };
  }
  return writeChatStandIn();
}

/**
 * Writes an untrained chat artifact (vocab.json, model.json, weights.bin, metadata.json) with
 * the factory's default architecture, or with `options` overriding it (e.g. `pooling`).
 */
export async function writeChatStandIn(options: Partial<ChatModelOptions> = {}): Promise<ChatArtifact> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pulse-chat-standin-'));
  const sequenceLength = 32;
  const words = [...new Set(WORDS)];
  for (let i = 0; words.length + RESERVED_TOKENS.length < 4000; i++) words.push(`w${i}`);
  const vocab: ChatVocabulary = { version: CHAT_VOCABULARY_VERSION, sequenceLength, padding: 'pre', truncation: 'post', tokens: [...RESERVED_TOKENS, ...words] };
  const model = createChatModel({ vocabSize: vocab.tokens.length, sequenceLength, seed: 7, ...options });
  await saveModel(model, dir);
  model.dispose();
  await writeFile(path.join(dir, 'vocab.json'), JSON.stringify(vocab));
  await writeFile(path.join(dir, 'metadata.json'), JSON.stringify({
    name: 'chat', version: 1, sentimentLabels: SENTIMENT_LABELS, toxicThreshold: 0.5, note: 'untrained stand-in for tests',
  }));
  return { dir, real: false, remove: () => rm(dir, { recursive: true, force: true }) };
}
