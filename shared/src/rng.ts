/**
 * Deterministic PRNG (mulberry32). The state is a plain number stored in the world, so a
 * world snapshot replays identically on any machine.
 */
export function nextRandom(state: { rng: number }): number {
  let t = (state.rng = (state.rng + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Standard normal sample (Box–Muller) from the same deterministic stream. */
export function nextGaussian(state: { rng: number }): number {
  const u = Math.max(nextRandom(state), 1e-12);
  const v = nextRandom(state);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
