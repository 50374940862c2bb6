/**
 * @pulse-arena/models: the project's TensorFlow.js models. Import the light subpaths
 * (`@pulse-arena/models/behavior/windows`) from code that must not load TensorFlow.
 */
export * from './runtime/index.js';
export * from './behavior/index.js';
