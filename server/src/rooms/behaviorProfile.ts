/**
 * A player's behavior profile: the behavior model's class probabilities, smoothed with an
 * exponential moving average so one odd window does not flip the read.
 */

/**
 * Weight of the newest classification. At one classification a second over a 3.2 s window,
 * 0.5 lets a real change of style dominate ~3 s after it starts (the director must react
 * within 5 s), while one outlier moves the read only halfway and the next read pulls it back.
 */
export const PROFILE_SMOOTHING = 0.5;

export class BehaviorProfile {
  private readonly smoothed: Float32Array;
  private samples = 0;

  constructor(readonly classes: readonly string[]) {
    this.smoothed = new Float32Array(classes.length);
  }

  /** Folds in one classification; a vector of the wrong length is ignored. */
  update(probabilities: Float32Array): void {
    if (probabilities.length !== this.smoothed.length) return;
    const a = this.samples === 0 ? 1 : PROFILE_SMOOTHING;
    for (let i = 0; i < this.smoothed.length; i++) {
      this.smoothed[i] = (1 - a) * this.smoothed[i]! + a * probabilities[i]!;
    }
    this.samples++;
  }

  /** Classifications folded in so far. */
  get count(): number {
    return this.samples;
  }

  /** The most likely class and its smoothed probability (null before the first update). */
  top(): { style: string; confidence: number } | null {
    if (this.samples === 0) return null;
    let best = 0;
    for (let i = 1; i < this.smoothed.length; i++) if (this.smoothed[i]! > this.smoothed[best]!) best = i;
    return { style: this.classes[best]!, confidence: this.smoothed[best]! };
  }

  probabilities(): Record<string, number> {
    const out: Record<string, number> = {};
    this.classes.forEach((name, i) => { out[name] = this.smoothed[i]!; });
    return out;
  }
}
