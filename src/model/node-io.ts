/**
 * Saving and loading models on the local file system in Node, without
 * tfjs-node.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';
const SCHEME = 'file://';

/**
 * An IO handler that stores a model as `model.json` plus `weights.bin` in a
 * directory, the layout tfjs-node and `tf.loadLayersModel` over HTTP use.
 *
 * @param path - For saving, the directory (created if needed). For loading,
 *   the directory or the path of its `model.json`.
 * @returns A handler for `model.save(...)` and `tf.loadLayersModel(...)`.
 */
export function fileSystem(path: string): tf.io.IOHandler {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(
      `fileSystem: expected a non-empty path, received ${JSON.stringify(path)}`,
    );
  }
  return {
    save: (artifacts) => saveArtifacts(resolve(path), artifacts),
    load: () => loadArtifacts(resolve(path)),
  };
}

/**
 * Saves a model into a directory as `model.json` and `weights.bin`.
 *
 * @param model - The model.
 * @param dir - The directory; created if needed, files in it replaced.
 * @returns tfjs's save result.
 */
export function saveModel(
  model: tfl.LayersModel,
  dir: string,
): Promise<tf.io.SaveResult> {
  return model.save(fileSystem(dir));
}

/**
 * Loads a model saved by {@link saveModel}, by `model.save('file://...')` or
 * by tfjs-node. Import the modalfuse layers the model uses first (importing
 * `modalfuse` does), or loading fails with "Unknown layer".
 *
 * @param path - The directory or its `model.json`.
 * @returns The model.
 */
export function loadModel(path: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(fileSystem(path));
}

let routed = false;

/**
 * Lets `model.save('file://dir')` and `tf.loadLayersModel('file://dir')`
 * work in Node. Does nothing when a `file://` handler already exists (tfjs-
 * node registers its own). Called when `modalfuse/node` is imported.
 */
export function registerFileRouter(): void {
  if (routed) return;
  routed = true;
  const probe = `${SCHEME}probe`;
  if (tf.io.getSaveHandlers(probe).length === 0) {
    tf.io.registerSaveRouter(route);
  }
  if (tf.io.getLoadHandlers(probe).length === 0) {
    tf.io.registerLoadRouter(route);
  }
}

/**
 * tfjs's router type omits null, but null is how a router declines a URL
 * (tfjs's own routers do the same).
 */
function route(url: string | string[]): tf.io.IOHandler {
  const single = Array.isArray(url) ? url[0] : url;
  if (typeof single !== 'string' || !single.startsWith(SCHEME)) {
    return null as unknown as tf.io.IOHandler;
  }
  return fileSystem(single.slice(SCHEME.length));
}

async function saveArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new TypeError(
      'fileSystem: saving binary model topologies is not supported; ' +
        'save a tfjs-layers model',
    );
  }
  await mkdir(dir, { recursive: true });
  const weightData = artifacts.weightData
    ? tf.io.CompositeArrayBuffer.join(artifacts.weightData)
    : new ArrayBuffer(0);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [
      { paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] },
    ],
    ...(artifacts.trainingConfig
      ? { trainingConfig: artifacts.trainingConfig }
      : {}),
    ...(artifacts.userDefinedMetadata
      ? { userDefinedMetadata: artifacts.userDefinedMetadata }
      : {}),
  };

  // Write beside the targets, then rename, so a crash never leaves a
  // model.json that points at half-written weights.
  const weightsPath = join(dir, WEIGHTS_FILE);
  const modelPath = join(dir, MODEL_FILE);
  await writeFile(`${weightsPath}.tmp`, new Uint8Array(weightData));
  await writeFile(`${modelPath}.tmp`, JSON.stringify(modelJson));
  await rename(`${weightsPath}.tmp`, weightsPath);
  await rename(`${modelPath}.tmp`, modelPath);

  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
      weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
      weightDataBytes: weightData.byteLength,
    },
  };
}

async function loadArtifacts(path: string): Promise<tf.io.ModelArtifacts> {
  const modelPath = (await isDirectory(path)) ? join(path, MODEL_FILE) : path;
  let text: string;
  try {
    text = await readFile(modelPath, 'utf8');
  } catch (error) {
    throw new Error(
      `fileSystem: cannot read the model file '${modelPath}' ` +
        `(${(error as Error).message})`,
    );
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(
      `fileSystem: '${modelPath}' is not valid JSON ` +
        `(${(error as Error).message})`,
    );
  }
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new Error(
      `fileSystem: '${modelPath}' is not a tfjs model.json: expected ` +
        `modelTopology and weightsManifest, received keys ` +
        `[${Object.keys(modelJson).join(', ')}]`,
    );
  }
  const base = dirname(modelPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers: ArrayBuffer[] = [];
    const files: string[] = [];
    for (const group of manifest) {
      for (const file of group.paths) {
        const path = join(base, file);
        files.push(path);
        let bytes: Buffer;
        try {
          bytes = await readFile(path);
        } catch (error) {
          throw new Error(
            `fileSystem: cannot read the weights file '${path}' that ` +
              `'${modelPath}' lists (${(error as Error).message})`,
          );
        }
        // A copy into a fresh ArrayBuffer (Node may pool file buffers).
        buffers.push(new Uint8Array(bytes).buffer);
      }
    }
    // Check the size before tfjs builds the model, so a truncated file
    // gives a clear error and leaves no half-loaded weights behind.
    const data = tf.io.CompositeArrayBuffer.join(buffers);
    const expected = specs.reduce((sum, spec) => sum + specBytes(spec), 0);
    if (data.byteLength !== expected) {
      throw new Error(
        `fileSystem: the weights in ${files.map((f) => `'${f}'`).join(', ')} ` +
          `hold ${data.byteLength} bytes, but '${modelPath}' describes ` +
          `${expected} bytes; the files are truncated or do not belong ` +
          `to this model.json`,
      );
    }
    return [specs, data];
  });
}

/** Bytes a weight occupies in the file (quantized weights included). */
function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const width: Record<string, number> = {
    float32: 4,
    int32: 4,
    bool: 1,
    uint8: 1,
    uint16: 2,
    float16: 2,
    complex64: 8,
  };
  return count * (width[stored] ?? 4);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
