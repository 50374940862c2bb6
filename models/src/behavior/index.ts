/**
 * The behavior model's public surface for the server: the class list, the window gate
 * and the classifier. Training code (bots, dataset, train, eval) is not exported here.
 */
export { BEHAVIOR_CLASS_DESCRIPTIONS, BEHAVIOR_CLASSES, classIndex, isBehaviorStyle, type BehaviorStyle } from './classes.js';
export { aliveFraction, enemyPresentFraction, isClassifiable, MIN_ALIVE_FRACTION } from './windows.js';
export { BehaviorClassifier, WINDOW_FLOATS, type BehaviorPrediction } from './classifier.js';
export { createBehaviorModel, type BehaviorModelOptions } from './model.js';
