/**
 * The model-serving HTTP API, in TensorFlow Serving's REST shape:
 *
 *   GET  /v1/models                         the served models
 *   GET  /v1/models/{name}                  model_version_status + backend, classes, signature
 *   GET  /v1/models/{name}/metadata         model_spec + signature
 *   POST /v1/models/{name}:predict          {"instances": [...]} → {"predictions": [...]}
 *   (also /v1/models/{name}/versions/{version}[:predict|/metadata])
 *
 * Instances — behavior: a FRAME_WINDOW × FRAME_FEATURES nested array, a flat array of that
 * many numbers, or `{ "frames": … }`; chat: a string or `{ "text": "…" }`. Predictions —
 * behavior: `{ class, confidence, probabilities: { <class>: p } }`; chat:
 * `{ sentiment: { negative, neutral, positive }, toxicity }`.
 *
 * Every request needs `Authorization: Bearer <key>` (MODEL_API_KEY, or a random key logged
 * at start: never open by default). Bodies are limited (413), batches are limited (400),
 * and a malformed instance gets a 400 naming the first offending element, e.g.
 * `{ "error": "instances[3][12][5]: must be a finite number" }`. Predictions go through the
 * same InferenceService (and micro-batcher) as the game.
 */
import { randomBytes } from 'node:crypto';
import { requireBearer } from './bearerAuth.js';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import { MAX_CHAT_CHARS, WINDOW_FLOATS } from '../inference/host.js';
import { SENTIMENT_CLASSES, type InferenceService, type InferenceStatus, type ModelName, type ModelStatus } from '../inference/types.js';
import { log } from '../log.js';

/**
 * Largest request body. JSON is parsed on the game's thread: 1 MiB parses in ~4 ms here,
 * short next to a 50 ms tick. That is ~43 behavior windows at full float precision
 * (~24 KB each) or 256 chat lines; clients with more send several requests.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Most instances per request: four of the host's default batches; bigger jobs should page. */
export const DEFAULT_MAX_INSTANCES = 256;
/** Environment variable holding the API key. */
export const MODEL_API_KEY_ENV = 'MODEL_API_KEY';

export interface ModelApiOptions {
  inference: InferenceService;
  /** Bearer key; default $MODEL_API_KEY, else a random key that is logged once. */
  apiKey?: string;
  maxBodyBytes?: number;
  maxInstances?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** A malformed request; `message` starts with the path of the offending value. */
export class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const MODEL_NAMES: readonly ModelName[] = ['behavior', 'chat'];
const FLOAT32_MAX = 3.4028234663852886e38;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new RequestError(400, `${where}: unknown key '${key}' (expected ${allowed.map((k) => `"${k}"`).join(' or ')})`);
    }
  }
}

function finiteFloat(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RequestError(400, `${where}: must be a finite number`);
  if (Math.abs(v) > FLOAT32_MAX) throw new RequestError(400, `${where}: must be a finite number within float32 range`);
  return v;
}

/**
 * An instance is either the bare value or `{ [key]: value }`; returns the value and its path.
 * @throws RequestError (400) for an object with other keys or without `key`.
 */
function unwrap(value: unknown, key: string, where: string): { value: unknown; at: string } {
  if (!isPlainObject(value)) return { value, at: where };
  onlyKeys(value, [key], where);
  if (!(key in value)) throw new RequestError(400, `${where}: missing "${key}"`);
  return { value: value[key], at: `${where}.${key}` };
}

/**
 * Reads one behavior instance into `out` at `offset` (WINDOW_FLOATS floats).
 * @throws RequestError (400) naming the first offending element.
 */
export function readBehaviorInstance(value: unknown, where: string, out: Float32Array, offset: number): void {
  const { value: frames, at } = unwrap(value, 'frames', where);
  const shape = `a ${FRAME_WINDOW} × ${FRAME_FEATURES} array of numbers or a flat array of ${WINDOW_FLOATS} numbers`;
  if (!Array.isArray(frames)) throw new RequestError(400, `${at}: must be ${shape}`);
  if (frames.length === WINDOW_FLOATS) {
    for (let i = 0; i < WINDOW_FLOATS; i++) out[offset + i] = finiteFloat(frames[i], `${at}[${i}]`);
    return;
  }
  if (frames.length !== FRAME_WINDOW) {
    throw new RequestError(400, `${at}: has ${frames.length} elements; must be ${shape}`);
  }
  for (let t = 0; t < FRAME_WINDOW; t++) {
    const row: unknown = frames[t];
    if (!Array.isArray(row)) throw new RequestError(400, `${at}[${t}]: must be an array of ${FRAME_FEATURES} numbers`);
    if (row.length !== FRAME_FEATURES) throw new RequestError(400, `${at}[${t}]: has ${row.length} values, expected ${FRAME_FEATURES}`);
    for (let f = 0; f < FRAME_FEATURES; f++) out[offset + t * FRAME_FEATURES + f] = finiteFloat(row[f], `${at}[${t}][${f}]`);
  }
}

/**
 * Reads one chat instance: a string or `{ "text": string }`.
 * @throws RequestError (400) naming the offending value.
 */
export function readChatInstance(value: unknown, where: string): string {
  if (!isPlainObject(value) && typeof value !== 'string') {
    throw new RequestError(400, `${where}: must be a string or { "text": string }`);
  }
  const { value: text, at } = unwrap(value, 'text', where);
  if (typeof text !== 'string') throw new RequestError(400, `${at}: must be a string`);
  if (text.length > MAX_CHAT_CHARS) throw new RequestError(400, `${at}: longer than ${MAX_CHAT_CHARS} characters`);
  return text;
}

/**
 * Checks a predict body and returns its instances.
 * @throws RequestError (400) for a body that is not `{ "instances": [...] }` with 1…maxInstances entries.
 */
export function readInstances(body: unknown, maxInstances: number): unknown[] {
  if (!isPlainObject(body)) throw new RequestError(400, 'body: must be a JSON object with "instances"');
  onlyKeys(body, ['instances', 'signature_name'], 'body');
  if ('signature_name' in body && body.signature_name !== 'serving_default') {
    throw new RequestError(400, `signature_name: only "serving_default" is served`);
  }
  if (!('instances' in body)) throw new RequestError(400, 'body: missing "instances" (the columnar "inputs" format is not supported)');
  const instances = body.instances;
  if (!Array.isArray(instances)) throw new RequestError(400, 'instances: must be an array');
  if (instances.length === 0) throw new RequestError(400, 'instances: must not be empty');
  if (instances.length > maxInstances) {
    throw new RequestError(400, `instances: at most ${maxInstances} per request, got ${instances.length}`);
  }
  return instances;
}

/** Resolves the API key: explicit, else $MODEL_API_KEY, else random (`generated: true`). */
export function resolveModelApiKey(explicit?: string, env: NodeJS.ProcessEnv = process.env): { key: string; generated: boolean } {
  const key = explicit ?? env[MODEL_API_KEY_ENV]?.trim();
  if (key) return { key, generated: false };
  return { key: randomBytes(24).toString('base64url'), generated: true };
}

function findModel(status: InferenceStatus, name: string, version: string | undefined): ModelStatus {
  const model = status.models.find((m) => m.name === name);
  if (!model) throw new RequestError(404, `model '${name}' not found; served models: ${MODEL_NAMES.join(', ')}`);
  if (version !== undefined && version !== model.version) {
    throw new RequestError(404, `model '${name}' has no version '${version}' (served: ${model.version})`);
  }
  return model;
}

function versionStatus(model: ModelStatus, backend: string | null): object {
  return {
    model_version_status: [{
      version: model.version,
      state: model.state,
      status: model.state === 'AVAILABLE'
        ? { error_code: 'OK', error_message: '' }
        : { error_code: 'UNAVAILABLE', error_message: model.error ?? 'not loaded' },
    }],
    backend,
    classes: model.classes,
    signature: model.signature ?? null,
  };
}

function metadata(model: ModelStatus): object {
  return {
    model_spec: { name: model.name, signature_name: '', version: model.version },
    metadata: { signature_def: { signature_def: { serving_default: model.signature ?? null } } },
  };
}

/** `behavior:predict` → ['behavior', 'predict']; `behavior` → ['behavior', undefined]. */
function splitVerb(spec: string): [string, string | undefined] {
  const i = spec.indexOf(':');
  return i < 0 ? [spec, undefined] : [spec.slice(0, i), spec.slice(i + 1)];
}

async function predict(inference: InferenceService, model: ModelStatus, instances: unknown[]): Promise<object[]> {
  if (model.name === 'behavior') {
    const windows = new Float32Array(instances.length * WINDOW_FLOATS);
    instances.forEach((inst, i) => readBehaviorInstance(inst, `instances[${i}]`, windows, i * WINDOW_FLOATS));
    if (model.state !== 'AVAILABLE') throw new RequestError(503, `model 'behavior' is unavailable: ${model.error ?? 'not loaded'}`);
    const results = await Promise.all(instances.map((_, i) =>
      inference.classifyBehavior(windows.slice(i * WINDOW_FLOATS, (i + 1) * WINDOW_FLOATS))));
    if (results.some((r) => !r.scored)) throw new RequestError(503, "model 'behavior' could not answer (worker restarting or overloaded); retry");
    return results.map((r) => {
      const probabilities: Record<string, number> = {};
      let best = 0;
      model.classes.forEach((c, k) => {
        probabilities[c] = r.probabilities[k]!;
        if (r.probabilities[k]! > r.probabilities[best]!) best = k;
      });
      return { class: model.classes[best], confidence: r.probabilities[best], probabilities };
    });
  }
  const texts = instances.map((inst, i) => readChatInstance(inst, `instances[${i}]`));
  if (model.state !== 'AVAILABLE') throw new RequestError(503, `model 'chat' is unavailable: ${model.error ?? 'not loaded'}`);
  const results = await Promise.all(texts.map((t) => inference.scoreChat(t)));
  if (results.some((r) => !r.scored)) throw new RequestError(503, "model 'chat' could not answer (worker restarting or overloaded); retry");
  return results.map((r) => ({
    sentiment: Object.fromEntries(SENTIMENT_CLASSES.map((c, k) => [c, r.sentiment[k]])),
    toxicity: r.toxicity,
  }));
}

/**
 * The /v1 router. Mount it on the app (`app.use(createModelApiRouter({ inference }))`).
 * Logs the key once when it had to generate one.
 */
export function createModelApiRouter(options: ModelApiOptions): Router {
  const { inference } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxInstances = options.maxInstances ?? DEFAULT_MAX_INSTANCES;
  const { key, generated } = resolveModelApiKey(options.apiKey, options.env);
  if (generated) {
    (options.log ?? ((line: string) => log.child({ component: 'http' }).info(line)))(`model API: /v1/models needs "Authorization: Bearer ${key}" (generated; set ${MODEL_API_KEY_ENV} to choose one)`);
  }

  const router = express.Router();
  // Authentication before the body is read: an unauthenticated client cannot make us parse 1 MiB.
  router.use('/v1', requireBearer(key, 'models', 'API key'));
  router.use('/v1', express.json({ limit: maxBodyBytes, strict: false, type: () => true }));

  const wrap = (handler: (req: Request, res: Response) => Promise<void> | void) =>
    (req: Request, res: Response, next: NextFunction): void => {
      Promise.resolve(handler(req, res)).catch(next);
    };

  router.get('/v1/models', (_req, res) => {
    const status = inference.status();
    res.json({
      models: status.models.map((m) => ({ name: m.name, version: m.version, state: m.state, backend: status.backend, classes: m.classes })),
    });
  });

  const describe = (req: Request, res: Response, version: string | undefined, spec: string, meta: boolean): void => {
    const [name, verb] = splitVerb(spec);
    const status = inference.status();
    const model = findModel(status, name, version);
    if (verb !== undefined) {
      res.set('Allow', 'POST');
      throw new RequestError(405, `use POST for ${req.path}`);
    }
    res.json(meta ? metadata(model) : versionStatus(model, status.backend));
  };
  router.get('/v1/models/:spec', wrap((req, res) => describe(req, res, undefined, req.params.spec as string, false)));
  router.get('/v1/models/:name/metadata', wrap((req, res) => describe(req, res, undefined, req.params.name as string, true)));
  router.get('/v1/models/:name/versions/:spec', wrap((req, res) => {
    const [version, verb] = splitVerb(req.params.spec as string);
    describe(req, res, version, `${req.params.name as string}${verb === undefined ? '' : `:${verb}`}`, false);
  }));
  router.get('/v1/models/:name/versions/:version/metadata', wrap((req, res) =>
    describe(req, res, req.params.version as string, req.params.name as string, true)));

  const serve = async (res: Response, name: string, version: string | undefined, verb: string | undefined, body: unknown): Promise<void> => {
    const model = findModel(inference.status(), name, version);
    if (verb !== 'predict') {
      throw new RequestError(verb === undefined ? 405 : 404, verb === undefined
        ? `POST to /v1/models/${name}:predict`
        : `unknown method ':${verb}' (only :predict is served)`);
    }
    const instances = readInstances(body, maxInstances);
    res.json({ predictions: await predict(inference, model, instances) });
  };
  router.post('/v1/models/:spec', wrap(async (req, res) => {
    const [name, verb] = splitVerb(req.params.spec as string);
    await serve(res, name, undefined, verb, req.body);
  }));
  router.post('/v1/models/:name/versions/:spec', wrap(async (req, res) => {
    const [version, verb] = splitVerb(req.params.spec as string);
    await serve(res, req.params.name as string, version, verb, req.body);
  }));

  router.use('/v1', (req, res) => {
    res.status(404).json({ error: `no such endpoint: ${req.method} ${req.originalUrl}` });
  });

  // Errors of this router only (body parser, validation), always as JSON.
  router.use('/v1', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof RequestError) {
      if (err.status === 503) res.set('Retry-After', '1');
      res.status(err.status).json({ error: err.message });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: `request body is larger than ${maxBodyBytes} bytes` });
    } else if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: `body: not valid JSON (${e.message ?? 'parse error'})` });
    } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: e.message ?? 'bad request' });
    } else {
      res.status(500).json({ error: 'internal error' });
    }
  });
  return router;
}

/** The compact `inference` block of /health. */
export function inferenceHealth(inference: InferenceService | null | undefined): object | null {
  if (!inference) return null;
  const s = inference.status();
  return {
    backend: s.backend,
    workers: s.workers ?? null,
    restarts: s.restarts,
    queued: s.queued,
    models: s.models.map((m) => ({ name: m.name, version: m.version, state: m.state, ...(m.error ? { error: m.error } : {}) })),
    counters: s.counters ?? null,
  };
}
