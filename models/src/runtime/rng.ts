/**
 * Seeded randomness for training and data generation. Everything that must replay
 * identically (bot decisions, episode set-up, batch shuffling, weight initialisers)
 * draws from one of these, never from `Math.random`.
 */

/** A deterministic pseudo-random stream (mulberry32: 32-bit state, fast, good enough for ML plumbing). */
export interface Rng {
  /** The seed this stream started from. */
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). @throws RangeError if maxExclusive is not a positive integer. */
  int(maxExclusive: number): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Standard normal sample (Box–Muller). */
  gaussian(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly. @throws RangeError on an empty list. */
  pick<T>(items: readonly T[]): T;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** An independent stream derived from this stream's seed and `salt` (does not advance this one). */
  fork(salt: number | string): Rng;
  /** A fresh 31-bit integer, e.g. to seed a tfjs initializer. Advances the stream. */
  nextSeed(): number;
}

/**
 * Mixes any number of integers/strings into one 32-bit seed (FNV-1a over the parts,
 * then a murmur3 finaliser), so `hashSeed(base, 'episode', 17)` gives well-spread,
 * reproducible seeds for named sub-streams.
 */
export function hashSeed(...parts: ReadonlyArray<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = typeof part === 'number' ? `n${part}` : `s${part}`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

class Mulberry32 implements Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed | 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) {
      throw new RangeError(`int() needs a positive integer bound, got ${maxExclusive}`);
    }
    return Math.floor(this.next() * maxExclusive);
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  gaussian(): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[this.int(items.length)]!;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  fork(salt: number | string): Rng {
    return new Mulberry32(hashSeed(this.seed, salt));
  }

  nextSeed(): number {
    return Math.floor(this.next() * 0x7fffffff);
  }
}

/** A deterministic stream from a 32-bit seed. @throws RangeError if seed is not a finite number. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return new Mulberry32(seed >>> 0);
}
