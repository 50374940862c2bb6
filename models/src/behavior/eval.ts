/**
 * Evaluates a behavior artifact on held-out seeds (worlds and bots training never saw):
 *
 *   npm run eval -- behavior [--model models/behavior/v1] [--episodes 60] [--stride 32] [--no-write]
 *
 * Reports accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix —
 * on all kept windows, and split by context (windows with a style switch inside, windows
 * with no enemy around) — plus load time and inference throughput. Unless --no-write,
 * the results go into the artifact's metadata.json and MODEL_CARD.md is regenerated.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FRAME_FEATURE_NAMES, FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import { describeBackend, initBackend, MODEL_JSON, tf, WEIGHTS_BIN, type BackendChoice } from '../runtime/index.js';
import { BEHAVIOR_CLASS_DESCRIPTIONS, BEHAVIOR_CLASSES } from './classes.js';
import { BehaviorClassifier } from './classifier.js';
import { generateWindows, SPLIT_SEED_BASE, type WindowSet } from './dataset.js';
import { enemyPresentFraction, MIN_ALIVE_FRACTION } from './windows.js';
import {
  argmaxRows, classificationReport, confusionMarkdown, perClassMarkdown, reportText, type ClassificationReport,
} from '../metrics.js';

/** Targets the model is held to (the card says whether it meets them). */
export const TARGETS = { macroF1: 0.9, minRecall: 0.8 } as const;

export interface SubsetMetrics {
  windows: number;
  accuracy: number;
  macroF1: number;
}

export interface HeldoutMetrics {
  episodes: number;
  stride: number;
  /** First and last world seed evaluated. */
  seeds: [number, number];
  windows: number;
  accuracy: number;
  macroF1: number;
  meetsTargets: boolean;
  perClass: Record<string, { precision: number; recall: number; f1: number; windows: number }>;
  /** confusion[true][predicted], classes in BEHAVIOR_CLASSES order. */
  confusion: number[][];
  subsets: {
    /** Windows produced by a single style throughout (no switch inside). */
    pure: SubsetMetrics;
    /** Windows with an enemy on the map for at least half the ticks. */
    combat: SubsetMetrics;
    /** Windows with no enemy for more than half the ticks (between waves). */
    quiet: SubsetMetrics;
  };
}

export interface InferenceMetrics {
  backend: string;
  loadMs: number;
  windowsPerSecondBatch32: number;
  msPerCallBatch1: number;
}

/** metadata.json of a behavior artifact. */
export interface BehaviorMetadata {
  name: 'behavior';
  version: string;
  classes: string[];
  window: number;
  features: number;
  featureNames?: string[];
  params: number;
  weightsSha256?: string;
  artifactBytes?: number;
  training?: Record<string, unknown> & { command: string; trainSeconds?: number };
  /** Conv blocks and head as saved in model.json (read back by {@link writeArtifactDocs}). */
  architecture?: { conv: Array<{ filters: number; kernel: number; stride: number }>; dense: number };
  metrics?: { heldout: HeldoutMetrics; inference: InferenceMetrics };
}

export interface EvaluateOptions {
  episodes: number;
  stride?: number;
  firstEpisode?: number;
  /** Metadata to extend (default: the folder's metadata.json). */
  metadata?: BehaviorMetadata;
  /** Write metadata.json and MODEL_CARD.md into the folder. */
  write: boolean;
  verbose?: boolean;
}

function subset(set: WindowSet, keep: (i: number) => boolean): number[] {
  const idx: number[] = [];
  for (let i = 0; i < set.count; i++) if (keep(i)) idx.push(i);
  return idx;
}

function reportOn(idx: number[], truth: Uint8Array, pred: Uint8Array): ClassificationReport {
  return classificationReport(idx.map((i) => truth[i]!), idx.map((i) => pred[i]!), BEHAVIOR_CLASSES);
}

const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;

function summary(r: ClassificationReport): SubsetMetrics {
  return { windows: r.count, accuracy: r4(r.accuracy), macroF1: r4(r.macroF1) };
}

/** Rebuilds a report (for the Markdown tables) from the compact metrics in metadata.json. */
function reportFromMetrics(h: HeldoutMetrics): ClassificationReport {
  return {
    count: h.windows, accuracy: h.accuracy, macroF1: h.macroF1, confusion: h.confusion,
    perClass: BEHAVIOR_CLASSES.map((name) => {
      const c = h.perClass[name]!;
      return { name, precision: c.precision, recall: c.recall, f1: c.f1, support: c.windows };
    }),
  };
}

/** Measures windows/s at batch 32 and latency at batch 1 (after a warm-up). */
function measureInference(classifier: BehaviorClassifier, set: WindowSet): { perSecond: number; batch1Ms: number } {
  const floats = FRAME_WINDOW * FRAME_FEATURES;
  const batch = set.x.subarray(0, Math.min(32, set.count) * floats);
  for (let i = 0; i < 5; i++) classifier.predict(batch);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1500) {
    classifier.predict(batch);
    n += batch.length / floats;
  }
  const perSecond = n / ((performance.now() - t0) / 1000);
  const one = set.x.subarray(0, floats);
  const t1 = performance.now();
  for (let i = 0; i < 200; i++) classifier.predict(one);
  return { perSecond, batch1Ms: (performance.now() - t1) / 200 };
}

/**
 * Evaluates the artifact in `dir` on held-out episodes and (optionally) records the
 * results in its metadata.json and MODEL_CARD.md. Uses the current tfjs backend.
 * @returns the updated metadata.
 */
export async function evaluateArtifact(dir: string, options: EvaluateOptions): Promise<BehaviorMetadata> {
  const verbose = options.verbose ?? true;
  const stride = options.stride ?? 32;
  const first = options.firstEpisode ?? 0;
  const metadata = options.metadata
    ?? JSON.parse(await readFile(path.join(dir, 'metadata.json'), 'utf8')) as BehaviorMetadata;

  const t0 = performance.now();
  const classifier = await BehaviorClassifier.load(dir);
  const loadMs = performance.now() - t0;
  try {
    const set = generateWindows({ split: 'heldout', episodes: options.episodes, firstEpisode: first, stride });
    const probs = classifier.predict(set.x);
    const pred = argmaxRows(probs, BEHAVIOR_CLASSES.length);
    const allIdx = subset(set, () => true);
    const combatIdx = subset(set, (i) => enemyPresentFraction(set.x, i * FRAME_WINDOW * FRAME_FEATURES) >= 0.5);
    const combatSet = new Set(combatIdx);
    const all = reportOn(allIdx, set.y, pred);
    const heldout: HeldoutMetrics = {
      episodes: options.episodes,
      stride,
      seeds: [SPLIT_SEED_BASE.heldout + first, SPLIT_SEED_BASE.heldout + first + options.episodes - 1],
      windows: all.count,
      accuracy: r4(all.accuracy),
      macroF1: r4(all.macroF1),
      meetsTargets: all.macroF1 >= TARGETS.macroF1 && all.perClass.every((c) => c.recall >= TARGETS.minRecall),
      perClass: Object.fromEntries(all.perClass.map((c) => [c.name, {
        precision: r4(c.precision), recall: r4(c.recall), f1: r4(c.f1), windows: c.support,
      }])),
      confusion: all.confusion,
      subsets: {
        pure: summary(reportOn(subset(set, (i) => set.purity[i] === 1), set.y, pred)),
        combat: summary(reportOn(combatIdx, set.y, pred)),
        quiet: summary(reportOn(subset(set, (i) => !combatSet.has(i)), set.y, pred)),
      },
    };
    const speed = measureInference(classifier, set);
    metadata.metrics = {
      heldout,
      inference: {
        backend: tf.getBackend(),
        loadMs: Math.round(loadMs),
        windowsPerSecondBatch32: Math.round(speed.perSecond),
        msPerCallBatch1: Math.round(speed.batch1Ms * 100) / 100,
      },
    };
    if (verbose) {
      console.log(`held-out seeds ${heldout.seeds[0]}–${heldout.seeds[1]} (${options.episodes} episodes, stride ${stride})`);
      console.log(reportText(all));
      const sub = heldout.subsets;
      console.log(`macro-F1 on windows with one style throughout ${pct(sub.pure.macroF1)}  |  in combat ${pct(sub.combat.macroF1)}  |  between waves ${pct(sub.quiet.macroF1)}`);
      console.log(`load ${Math.round(loadMs)} ms, ${Math.round(speed.perSecond)} windows/s at batch 32, ${speed.batch1Ms.toFixed(2)} ms at batch 1 (${tf.getBackend()})`);
      console.log(heldout.meetsTargets
        ? `meets targets (macro-F1 ≥ ${TARGETS.macroF1}, every recall ≥ ${TARGETS.minRecall})`
        : `BELOW targets (macro-F1 ≥ ${TARGETS.macroF1}, every recall ≥ ${TARGETS.minRecall})`);
    }
    if (options.write) await writeArtifactDocs(dir, metadata);
    return metadata;
  } finally {
    classifier.dispose();
  }
}

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

interface SavedLayer { class_name: string; config: { filters?: number; kernel_size?: number[]; strides?: number[]; units?: number } }

/** The conv blocks and hidden dense layer of a saved model.json, so the card describes what was saved. */
function savedArchitecture(modelJson: { modelTopology?: { config?: { layers?: SavedLayer[] } } }): NonNullable<BehaviorMetadata['architecture']> {
  const layers = modelJson.modelTopology?.config?.layers ?? [];
  const conv = layers.filter((l) => l.class_name === 'Conv1D')
    .map((l) => ({ filters: l.config.filters ?? 0, kernel: l.config.kernel_size?.[0] ?? 0, stride: l.config.strides?.[0] ?? 1 }));
  const dense = layers.filter((l) => l.class_name === 'Dense').at(-2)?.config.units ?? 0;
  return { conv, dense };
}

/** Writes metadata.json and regenerates MODEL_CARD.md from it. */
export async function writeArtifactDocs(dir: string, metadata: BehaviorMetadata): Promise<void> {
  metadata.featureNames = [...FRAME_FEATURE_NAMES];
  const sizes = await Promise.all([MODEL_JSON, WEIGHTS_BIN].map(async (f) => (await stat(path.join(dir, f))).size));
  metadata.artifactBytes = sizes[0]! + sizes[1]!;
  metadata.architecture = savedArchitecture(JSON.parse(await readFile(path.join(dir, MODEL_JSON), 'utf8')));
  await writeFile(path.join(dir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  await writeFile(path.join(dir, 'MODEL_CARD.md'), modelCard(metadata));
}

/** The three largest off-diagonal cells, as "true → predicted: n (x % of true)". */
function largestConfusions(h: HeldoutMetrics): string[] {
  const cells: Array<{ t: number; p: number; n: number }> = [];
  h.confusion.forEach((row, t) => row.forEach((n, p) => { if (t !== p && n > 0) cells.push({ t, p, n }); }));
  cells.sort((a, b) => b.n - a.n);
  return cells.slice(0, 3).map(({ t, p, n }) => {
    const support = h.confusion[t]!.reduce((a, b) => a + b, 0);
    return `${BEHAVIOR_CLASSES[t]} → ${BEHAVIOR_CLASSES[p]} ${n} (${pct(n / support)} of ${BEHAVIOR_CLASSES[t]})`;
  });
}

/** "Conv1D blocks of 24, 32 and 48 filters (kernel 5, ReLU; the first with stride 4, max-pool between blocks)". */
function architectureText(m: BehaviorMetadata): string {
  const conv = m.architecture?.conv ?? [];
  if (conv.length === 0) return 'Conv1D blocks (ReLU, max-pool between blocks)';
  const filters = conv.map((c) => String(c.filters));
  const list = filters.length > 1 ? `${filters.slice(0, -1).join(', ')} and ${filters.at(-1)!}` : filters[0]!;
  const kernels = [...new Set(conv.map((c) => c.kernel))].join('/');
  const stride = conv[0]!.stride > 1 ? `; the first with stride ${conv[0]!.stride}` : '';
  return `Conv1D blocks of ${list} filters (kernel ${kernels}, ReLU${stride}, max-pool between blocks)`;
}

function modelCard(m: BehaviorMetadata): string {
  const t = m.training ?? { command: '(unknown)' };
  const h = m.metrics?.heldout;
  const inf = m.metrics?.inference;
  const history = (t.history as Array<{ epoch: number; loss: number; valMacroF1: number; seconds: number }> | undefined) ?? [];
  const counts = (t.trainClassCounts as number[] | undefined) ?? [];
  const lines: string[] = [];
  lines.push(`# Behavior model ${m.version} — model card`, '');
  lines.push(
    'A small 1-D CNN that reads the last 3.2 s of one player\'s input frames and says which play',
    'style it looks like. The director uses it to personalise difficulty; `inhuman` goes to the',
    'moderator queue as a cheat *signal* for a human to review, never as an automatic ban.', '',
  );
  lines.push('## Input and output', '');
  lines.push(
    `- Input: \`[batch, ${m.window}, ${m.features}]\` float32 — ${m.window} ticks (20 Hz) of the frame encoding in`,
    '  `shared/src/inputFrame.ts` (`encodeInputFrame`, read with `FrameRing.latest(FRAME_WINDOW)`), features in order:',
    `  ${FRAME_FEATURE_NAMES.map((f) => `\`${f}\``).join(', ')}.`,
    `- Output: softmax over ${m.classes.length} classes, in this order:`, '',
  );
  for (const c of BEHAVIOR_CLASSES) lines.push(`  - \`${c}\` — ${BEHAVIOR_CLASS_DESCRIPTIONS[c]}`);
  lines.push('');
  lines.push(
    `- Architecture: ${architectureText(m)} → mean- and max-over-time`,
    `  pooling → dense ${m.architecture?.dense ?? '?'} → softmax; ${m.params.toLocaleString('en')} parameters, artifact ${((m.artifactBytes ?? 0) / 1024).toFixed(0)} KiB`,
    `  (model.json + weights.bin, TensorFlow.js layers format; weights sha256 \`${(m.weightsSha256 ?? '').slice(0, 16)}…\`).`,
    `- Gate: only act on windows where the player was alive for ≥ ${MIN_ALIVE_FRACTION * 100} % of the ticks`,
    '  (`isClassifiable()` in `models/src/behavior/windows.ts`); dead time says nothing about play style and',
    '  such windows were neither trained on nor evaluated.', '',
  );
  lines.push('## Data', '');
  lines.push(
    'Generated here, nothing downloaded: scripted bots (`models/src/behavior/bots.ts`) play the real shared',
    'simulation (`createWorld` / `addPlayer` / `stepWorld`) headless, and every tick is recorded with the',
    'server\'s own call (`FrameRing.record(world, player, input ?? idleInput(…))`), windows read with',
    '`FrameRing.latest(64)` as the inference host reads them.', '',
    '- 1–4 bots per world; each player\'s main style dealt from a shuffled deck (balanced); 35 % of players',
    '  take 1–2 detours of 10–30 s into another style (going AFK, starting to rush, an aimbot switched off).',
    '  A window\'s label is the style that produced most of its ticks.',
    '- Each bot draws its skill per episode: reaction delay, aim noise, aim speed, fire discipline, dash',
    '  habits, key-hold time, preferred range and a style quirk (health seeking, pickup greed, fightiness…).',
    '  Humans steer with 8-way keys held for a few ticks and a rate-limited, wobbling mouse; the inhuman',
    '  bot has a human movement style (aggressive, evasive or collector) plus a perfect, instant aimbot',
    '  that leads its target and holds fire whenever locked on. With no enemy on the map the aimbot has',
    '  nothing to do; those ticks are labelled with the movement style it is playing.',
    '- Worlds vary: world seed, player count and join times, difficulty knobs for the room and each player',
    '  (default, ±40 %, or anywhere within `KNOB_BOUNDS`), director-like knob nudges every 10 s,',
    '  0–3 % dropped input packets (recorded as the server records them: `idleInput`).',
    `- Seeds are split: train worlds ${SPLIT_SEED_BASE.train}+i, validation (epoch selection) ${SPLIT_SEED_BASE.validation}+i,`,
    `  held-out (the metrics below) ${SPLIT_SEED_BASE.heldout}+i. No held-out world or bot was seen in training.`, '',
  );
  lines.push('## Training', '');
  lines.push(
    `- Command: \`${t.command}\` (from the repository root; deterministic: same command, same machine`,
    '  type → the same weights.bin).',
    `- Backend ${String(t.backend ?? 'wasm')} (TF.js ${String(t.tfjs ?? '')}, single thread, SIMD) with the runtime's JS gradient kernels.`,
    `- Seed ${String(t.seed)}, ${String(t.episodes)} training episodes → ${String(t.trainWindows)} windows (stride ${String(t.stride)} ticks;`,
    `  ${BEHAVIOR_CLASSES.map((c, i) => `${c} ${counts[i] ?? '?'}`).join(', ')}), ${String(t.valEpisodes)} validation episodes → ${String(t.valWindows)} windows.`,
    '- Each training window is mirrored left↔right and/or up↔down at random (the arena and its waves are',
    '  symmetric), so the model cannot lean on a bot\'s absolute-direction habits.',
    `- Adam, learning rate ${String(t.learningRate)} with cosine decay to 5 %, batch ${String(t.batchSize)}, class-balanced batches,`,
    `  ${String(t.epochs)} epochs; kept epoch ${String(t.bestEpoch)} (best validation macro-F1).`,
    `- Time on this project's 2-core dev machine: ${String(t.dataSeconds)} s generating data, ${String(t.trainSeconds)} s training.`, '',
  );
  if (history.length) {
    lines.push('| epoch | loss | validation macro-F1 | seconds |', '|---:|---:|---:|---:|');
    for (const e of history) lines.push(`| ${e.epoch} | ${e.loss.toFixed(4)} | ${pct(e.valMacroF1)} | ${e.seconds.toFixed(0)} |`);
    lines.push('');
  }
  if (h) {
    const report = reportFromMetrics(h);
    lines.push('## Measured on held-out seeds', '');
    lines.push(
      `Worlds ${h.seeds[0]}–${h.seeds[1]} (${h.episodes} episodes, a window every ${h.stride} ticks per player,`,
      `${h.windows} windows). Reproduce with \`npm run eval -- behavior --model models/behavior/${m.version} --episodes ${h.episodes}\`.`, '',
      `**Accuracy ${pct(h.accuracy)}, macro-F1 ${pct(h.macroF1)}** — targets (macro-F1 ≥ ${pct(TARGETS.macroF1)},`,
      `every class recall ≥ ${pct(TARGETS.minRecall)}): ${h.meetsTargets ? '**met**' : '**not met**'}.`, '',
      perClassMarkdown(report), '',
      'Confusion matrix (rows: true style, columns: predicted):', '',
      confusionMarkdown(report), '',
      `Largest confusions: ${largestConfusions(h).join('; ')}.`, '',
      '| subset | windows | accuracy | macro-F1 |', '|---|---:|---:|---:|',
      `| all | ${h.windows} | ${pct(h.accuracy)} | ${pct(h.macroF1)} |`,
      `| one style throughout (no switch inside the window) | ${h.subsets.pure.windows} | ${pct(h.subsets.pure.accuracy)} | ${pct(h.subsets.pure.macroF1)} |`,
      `| enemies on the map ≥ half the window | ${h.subsets.combat.windows} | ${pct(h.subsets.combat.accuracy)} | ${pct(h.subsets.combat.macroF1)} |`,
      `| quiet (between waves) | ${h.subsets.quiet.windows} | ${pct(h.subsets.quiet.accuracy)} | ${pct(h.subsets.quiet.macroF1)} |`, '',
    );
  }
  if (inf) {
    lines.push('## Inference', '');
    lines.push(
      `Measured by the eval command on the ${inf.backend} backend (one thread): load ${inf.loadMs} ms,`,
      `${inf.windowsPerSecondBatch32.toLocaleString('en')} windows/s at batch 32, ${inf.msPerCallBatch1} ms per single-window call.`, '',
    );
  }
  lines.push('## Known limits', '');
  lines.push(
    '- Trained on bots only. Real people mix styles more finely, and keyboard/mouse habits differ',
    '  (gamepads, trackpads, very high or low sensitivity); expect lower accuracy on live players than above',
    '  and validate on labelled recordings of real play before trusting a class for anything but soft',
    '  difficulty changes. Smooth predictions over several windows, as the inference host is designed to.',
    '- A window that spans a change of style is labelled by its majority; predictions lag a change by up',
    '  to ~2 s.',
    '- `inhuman` is learned from one kind of cheat: a blatant, instant aimbot. A "humanised" aimbot (smoothed,',
    '  randomised) or a triggerbot alone will mostly read as a skilled human. When no enemy is on the map the',
    '  aimbot is invisible by construction. Never ban on this output; a moderator reviews.',
    '- Between waves (no enemies) the styles that differ in how they fight have little to show; the',
    '  "quiet" row above measures how much that costs.',
    '- Only as stable as the frame encoding: any change to `FRAME_FEATURE_NAMES`, the scaling in',
    '  `encodeInputFrame`, `FRAME_WINDOW`, the tick rate or the game constants that shape play (speeds,',
    '  cooldowns) requires retraining and a new version folder.', '',
  );
  lines.push('## Files', '');
  lines.push(
    '- `model.json`, `weights.bin` — TensorFlow.js layers model (`loadModel(dir)` in `models/src/runtime`,',
    '  or `BehaviorClassifier.load(dir)` in `models/src/behavior/classifier.ts`).',
    '- `metadata.json` — classes, window, features, training settings and the metrics above, machine-readable.',
    '- This card is generated by the eval command from metadata.json; edit the generator, not the card.', '',
  );
  return lines.join('\n');
}

const USAGE = 'usage: npm run eval -- behavior [--model DIR] [--episodes N] [--first N] [--stride N] [--no-write] [--backend wasm|cpu|…]';

/** CLI entry. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' }, episodes: { type: 'string' }, first: { type: 'string' }, stride: { type: 'string' },
      'no-write': { type: 'boolean' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const int = (v: string | undefined, fallback: number, name: string, min: number): number => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${v}'\n${USAGE}`);
    return n;
  };
  const dir = path.resolve(values.model ?? 'models/behavior/v1');
  await initBackend(values.backend ? [values.backend as BackendChoice] : 'wasm');
  const info = await describeBackend();
  process.stderr.write(`backend ${info.name}\n`);
  await evaluateArtifact(dir, {
    episodes: int(values.episodes, 60, 'episodes', 1),
    firstEpisode: int(values.first, 0, 'first', 0),
    stride: int(values.stride, 32, 'stride', 1),
    write: !values['no-write'],
  });
}
