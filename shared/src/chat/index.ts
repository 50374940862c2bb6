/**
 * Chat text → model input, shared by the server's chat pipeline (per message) and the
 * chat model's trainer (per corpus line), so both see identical tokens.
 */
export * from './normalize.js';
export * from './tokenize.js';
