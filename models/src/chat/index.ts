/**
 * The chat model's public surface for the server: load an artifact and score messages.
 * The text normalizer and tokenizer live in the shared package (shared/src/chat/), which
 * the server imports directly to normalize and filter messages before scoring.
 * Training code (corpus, train, eval, baselines) is not exported here.
 */
export { ChatClassifier, DEFAULT_CHAT_MODEL_DIR, type ChatModelMetadata, type ChatScore } from './classifier.js';
export { SENTIMENTS, type Sentiment } from './corpusTemplates.js';
export { namesIdentityGroup } from './identity.js';
export { createChatModel, SENTIMENT_LABELS, type ChatModelOptions } from './model.js';
