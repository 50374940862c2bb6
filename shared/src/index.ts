export * from './constants.js';
export * from './difficulty.js';
export * from './rng.js';
export * from './sim.js';
export * from './inputFrame.js';
export * from './protocol.js';
export * from './stateView.js';
