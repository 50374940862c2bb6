/**
 * The shared chat normalizer and tokenizer, as the chat model's code imports them: one
 * implementation (shared/src/chat/), used by training and serving alike.
 */
export * from '@pulse-arena/shared/chat';
