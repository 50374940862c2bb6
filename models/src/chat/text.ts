/**
 * The shared chat normalizer and tokenizer, as the chat model's code imports them.
 *
 * Re-exported from the shared package's source folder because `@pulse-arena/shared` does
 * not export `./chat` yet (the lead adds `export * from './chat/index.js'` to
 * shared/src/index.ts); once it does, this file can import from '@pulse-arena/shared'.
 * Either way there is one implementation, used by training and serving alike.
 */
export * from '../../../shared/src/chat/index.js';
