/**
 * Saving and loading Layers models as `model.json` + `weights.bin` in a folder, without
 * tfjs-node (its `file://` handler is the only built-in one for Node). The format is
 * TensorFlow.js's own, so the same folder also loads in a browser with
 * `tf.loadLayersModel('…/model.json')`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** What {@link saveModel} wrote. */
export interface SavedModelInfo {
  dir: string;
  modelJsonBytes: number;
  weightBytes: number;
}

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * Writes `model` to `dir` (created if needed) as model.json + weights.bin. Each file is
 * written to a temporary name and renamed, so a crash never leaves half a file behind.
 * @param metadata optional JSON-able values stored as `userDefinedMetadata` in model.json.
 */
export async function saveModel(
  model: tf.LayersModel, dir: string, metadata?: Record<string, unknown>,
): Promise<SavedModelInfo> {
  await mkdir(dir, { recursive: true });
  let info: SavedModelInfo | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightData = artifacts.weightData === undefined
      ? new ArrayBuffer(0)
      : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    const modelJson: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as object,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    };
    if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
    if (metadata) modelJson.userDefinedMetadata = metadata as Record<string, {}>;
    const jsonText = JSON.stringify(modelJson);
    await writeAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
    await writeAtomic(path.join(dir, MODEL_JSON), jsonText);
    info = { dir, modelJsonBytes: Buffer.byteLength(jsonText), weightBytes: weightData.byteLength };
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
  if (!info) throw new Error(`saving the model to ${dir} produced no artifacts`);
  return info;
}

/**
 * Reads a saved folder into tfjs ModelArtifacts (topology + weight specs + one weight
 * buffer). Useful on its own to read files on one thread and build the model in a
 * worker: the artifacts' `weightData` ArrayBuffer can be transferred.
 * @throws Error with the file path if model.json is missing or malformed, or a weight
 *   file is missing or lies outside `dir`.
 */
export async function loadModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = path.join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${jsonPath}: ${(err as Error).message}`);
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (err) {
    throw new Error(`${jsonPath} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof modelJson !== 'object' || modelJson === null || !modelJson.modelTopology) {
    throw new Error(`${jsonPath} has no modelTopology: not a TensorFlow.js layers model`);
  }
  if (!Array.isArray(modelJson.weightsManifest)) {
    throw new Error(`${jsonPath} has no weightsManifest`);
  }
  const root = path.resolve(dir);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      for (const p of group.paths) {
        const file = path.resolve(root, p);
        if (!file.startsWith(root + path.sep)) throw new Error(`weight path '${p}' in ${jsonPath} leaves ${dir}`);
        let data: Buffer;
        try {
          data = await readFile(file);
        } catch (err) {
          throw new Error(`cannot read weights ${file}: ${(err as Error).message}`);
        }
        buffers.push(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
      }
      specs.push(...group.weights);
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
}

/** Builds a Layers model from artifacts (e.g. ones transferred to a worker). */
export async function loadModelFromArtifacts(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Loads a model saved by {@link saveModel} (or any TF.js layers-model folder).
 * @throws Error as {@link loadModelArtifacts} does.
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return loadModelFromArtifacts(await loadModelArtifacts(dir));
}

/** Reads `userDefinedMetadata` from a saved folder's model.json without building the model. */
export async function readModelMetadata(dir: string): Promise<Record<string, unknown> | null> {
  const modelJson = JSON.parse(await readFile(path.join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  return (modelJson.userDefinedMetadata as Record<string, unknown> | undefined) ?? null;
}
