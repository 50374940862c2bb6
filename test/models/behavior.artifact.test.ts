/**
 * The committed behavior artifact (models/behavior/v1): it loads fast, matches the frame
 * encoding it was trained on, and still recognises every bot style in freshly generated
 * held-out play — so a broken model, a changed encoding or a broken recording path fails here.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRAME_FEATURE_NAMES, FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEHAVIOR_CLASSES, type BehaviorStyle } from '../../models/src/behavior/classes.js';
import { BehaviorClassifier, WINDOW_FLOATS } from '../../models/src/behavior/classifier.js';
import { episodeSeed, runEpisode } from '../../models/src/behavior/dataset.js';
import type { BehaviorMetadata } from '../../models/src/behavior/eval.js';
import { initBackend, tf } from '../../models/src/runtime/index.js';

const V1 = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models/behavior/v1');

let classifier: BehaviorClassifier;
let loadMs: number;

beforeAll(async () => {
  await initBackend('wasm');
  const t0 = performance.now();
  classifier = await BehaviorClassifier.load(V1);
  loadMs = performance.now() - t0;
});

afterAll(() => classifier?.dispose());

describe('behavior model v1', () => {
  it('loads in under a second', () => {
    expect(loadMs).toBeLessThan(1000);
  });

  it('is small, documented, and describes the encoding this code produces', async () => {
    const meta = JSON.parse(await readFile(path.join(V1, 'metadata.json'), 'utf8')) as BehaviorMetadata;
    expect(meta.classes).toEqual([...BEHAVIOR_CLASSES]);
    expect(meta.window).toBe(FRAME_WINDOW);
    expect(meta.features).toBe(FRAME_FEATURES);
    expect(meta.featureNames).toEqual([...FRAME_FEATURE_NAMES]);
    expect(meta.params).toBe(classifier.model.countParams());
    const weights = await readFile(path.join(V1, 'weights.bin'));
    expect(createHash('sha256').update(weights).digest('hex')).toBe(meta.weightsSha256);
    const size = weights.length + (await stat(path.join(V1, 'model.json'))).size;
    expect(size).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(meta.metrics?.heldout.meetsTargets).toBe(true);
    const card = await readFile(path.join(V1, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain(meta.training!.command);
    expect(card).toContain('Confusion matrix');
  });

  it('recognises each bot style in fresh held-out episodes', () => {
    // Held-out seeds far past those the model card was measured on: play nobody has seen.
    const perStyle = new Map<BehaviorStyle, { right: number; total: number }>();
    let index = 500_000;
    for (const style of BEHAVIOR_CLASSES) {
      const windows: Float32Array[] = [];
      const labels: BehaviorStyle[] = [];
      for (let i = 0; i < 2; i++) {
        const ep = runEpisode(episodeSeed('heldout', index++), { players: 2, styles: [style, style], ticks: 900, stride: 32, switches: false });
        windows.push(...ep.windows);
        labels.push(...ep.labels);
      }
      const batch = new Float32Array(windows.length * WINDOW_FLOATS);
      windows.forEach((w, i) => batch.set(w, i * WINDOW_FLOATS));
      const predictions = classifier.classify(batch);
      const right = predictions.filter((p, i) => p.style === labels[i]).length;
      perStyle.set(style, { right, total: windows.length });
    }
    let right = 0, total = 0;
    for (const [style, r] of perStyle) {
      expect(r.total, `${style} windows`).toBeGreaterThanOrEqual(20);
      expect(r.right / r.total, `${style} recall`).toBeGreaterThanOrEqual(0.75);
      right += r.right;
      total += r.total;
    }
    expect(right / total).toBeGreaterThanOrEqual(0.88);
  });

  it('does not confuse a standing, unarmed player with anything active', () => {
    // A hand-built AFK window: no input at all, full health, an enemy closing in.
    const w = new Float32Array(WINDOW_FLOATS);
    const f = (name: (typeof FRAME_FEATURE_NAMES)[number]): number => FRAME_FEATURE_NAMES.indexOf(name);
    for (let t = 0; t < FRAME_WINDOW; t++) {
      const row = t * FRAME_FEATURES;
      w[row + f('aimCos')] = 1;
      w[row + f('hp')] = 1;
      w[row + f('ammo')] = 1;
      w[row + f('alive')] = 1;
      w[row + f('enemyDist')] = 0.4 - t * 0.003;
      w[row + f('enemyAimError')] = 0.5;
      w[row + f('pickupDist')] = 1;
    }
    expect(classifier.classify(w)[0]!.style).toBe('idle');
    expect(tf.getBackend()).toBe('wasm');
  });
});
