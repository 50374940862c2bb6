/**
 * The play styles the behavior model tells apart, in output order. Kept free of
 * TensorFlow so the server (director, moderator queue) can import it cheaply.
 */
export const BEHAVIOR_CLASSES = ['aggressive', 'evasive', 'collector', 'novice', 'idle', 'inhuman'] as const;

export type BehaviorStyle = (typeof BEHAVIOR_CLASSES)[number];

/** One line per class, for model cards, the designer console and moderators. */
export const BEHAVIOR_CLASS_DESCRIPTIONS: Readonly<Record<BehaviorStyle, string>> = {
  aggressive: 'rushes enemies, fires a lot, dashes into fights',
  evasive: 'keeps its distance, kites while shooting, dashes away from threats',
  collector: 'goes for pickups and explores, fights only when something gets close',
  novice: 'erratic movement, poor aim, wasted shots and dashes, walks into damage',
  idle: 'away from keyboard: mostly no input, an occasional tiny move',
  inhuman: 'machine-perfect instant aim on the nearest enemy: a cheat signal for moderators',
};

export function isBehaviorStyle(s: string): s is BehaviorStyle {
  return (BEHAVIOR_CLASSES as readonly string[]).includes(s);
}

/** Index of a style in the model's output. */
export function classIndex(style: BehaviorStyle): number {
  return BEHAVIOR_CLASSES.indexOf(style);
}
