/**
 * Decision-level fusion of trained unimodal models.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { ShapeError, describe, formatShape } from '../internal/errors';
import { checkModalities } from '../fusion/fusion-layer';
import { type LateFusionArgs, lateFusion } from '../fusion/late-fusion';

/** Options of {@link decisionFusionModel}. */
export interface DecisionFusionArgs {
  /**
   * The unimodal (or any) models to fuse, keyed by a name that the fusion
   * weights refer to. Each must have exactly one output, all of one shape.
   */
  models: Record<string, tfl.LayersModel>;
  /** Fixed weights per model (see `LateFusionArgs.weights`). */
  weights?: LateFusionArgs['weights'];
  /** Learn the weights by training. @defaultValue false */
  learnable?: boolean;
  /** Model name. */
  name?: string;
}

/**
 * Builds one model that runs several trained models side by side on their
 * own inputs and fuses their predictions with a {@link LateFusion} layer.
 *
 * The new model's inputs are the union of the models' inputs, matched by
 * input name (two models with an input of the same name share it), in
 * sorted name order. Each model is nested as a copy whose layers are
 * renamed `<key>_<layer>` (so two models built with the same head names can
 * be saved together) and whose weights equal the model's weights at the
 * time of the call; training the fused model leaves the originals alone.
 *
 * @param args - See {@link DecisionFusionArgs}.
 * @returns The fused model.
 * @throws ShapeError when the models' outputs or shared inputs disagree.
 */
export function decisionFusionModel(args: DecisionFusionArgs): tfl.LayersModel {
  const where = 'decisionFusionModel';
  const keys = checkModalities(where, Object.keys(args.models ?? {}));

  // The union of inputs by name, with shapes checked for agreement.
  const shapes = new Map<string, (number | null)[]>();
  for (const key of keys) {
    const model = args.models[key] as tfl.LayersModel;
    // Duck-typed: a bundler may load a second copy of tfjs-layers.
    const looksLikeModel =
      typeof (model as { apply?: unknown })?.apply === 'function' &&
      Array.isArray((model as { outputs?: unknown })?.outputs);
    if (!looksLikeModel) {
      throw new TypeError(
        `${where}: expected model '${key}' to be a tf.LayersModel, ` +
          `received ${describe(model)}`,
      );
    }
    if (model.outputs.length !== 1) {
      throw new ShapeError(
        `${where}: expected model '${key}' to have one output, received ` +
          `${model.outputs.length}`,
      );
    }
    model.inputs.forEach((input, i) => {
      const name = model.inputNames[i] as string;
      const known = shapes.get(name);
      if (known && formatShape(known) !== formatShape(input.shape)) {
        throw new ShapeError(
          `${where}: input '${name}' has shape ${formatShape(known)} in one ` +
            `model and ${formatShape(input.shape)} in model '${key}'`,
        );
      }
      shapes.set(name, input.shape);
    });
  }
  const inputNames = [...shapes.keys()].sort();
  // Each model becomes a nested layer named after its key, beside the
  // input layers and the fusion layer: tfjs needs the names distinct.
  const clash = keys.find(
    (k) => inputNames.includes(k) || k === 'decision_fusion',
  );
  if (clash !== undefined) {
    throw new TypeError(
      `${where}: expected model keys that differ from the input names ` +
        `[${inputNames.join(', ')}] and from 'decision_fusion', received ` +
        `the key '${clash}'; rename the key (e.g. '${clash}_model')`,
    );
  }
  const inputs = new Map(
    inputNames.map((name) => [
      name,
      tfl.input({ shape: (shapes.get(name) as number[]).slice(1), name }),
    ]),
  );

  const predictions: Record<string, tfl.SymbolicTensor> = {};
  for (const key of keys) {
    const model = renamedCopy(args.models[key] as tfl.LayersModel, key);
    const own = model.inputNames.map(
      (n) => inputs.get(n) as tfl.SymbolicTensor,
    );
    predictions[key] = model.apply(
      own.length === 1 ? (own[0] as tfl.SymbolicTensor) : own,
    ) as tfl.SymbolicTensor;
  }
  const fused = lateFusion({
    modalities: keys,
    ...(args.weights === undefined ? {} : { weights: args.weights }),
    ...(args.learnable === undefined ? {} : { learnable: args.learnable }),
    name: 'decision_fusion',
  }).applyRecord(predictions);
  return tfl.model({
    inputs: inputNames.map((n) => inputs.get(n) as tfl.SymbolicTensor),
    outputs: fused,
    ...(args.name === undefined ? {} : { name: args.name }),
  });
}

interface LayerEntry {
  name: string;
  className: string;
  config: { name?: string };
  inboundNodes: [string, number, number, unknown][][];
}

interface ModelConfig {
  name: string;
  layers: LayerEntry[];
  inputLayers: [string, number, number][];
  outputLayers: [string, number, number][];
}

/**
 * A copy of `model` named `key` whose non-input layers are renamed
 * `<key>_<name>`, with the same weight values.
 */
function renamedCopy(model: tfl.LayersModel, key: string): tfl.LayersModel {
  const config = JSON.parse(JSON.stringify(model.getConfig())) as ModelConfig;
  const inputs = new Set(config.inputLayers.map(([name]) => name));
  const rename = (name: string) => (inputs.has(name) ? name : `${key}_${name}`);

  config.name = key;
  for (const layer of config.layers) {
    layer.name = rename(layer.name);
    if (layer.config.name !== undefined) layer.config.name = layer.name;
    for (const node of layer.inboundNodes) {
      for (const edge of node) edge[0] = rename(edge[0]);
    }
  }
  config.outputLayers = config.outputLayers.map(([n, i, j]) => [
    rename(n),
    i,
    j,
  ]);

  const copy = tfl.LayersModel.fromConfig(
    tfl.LayersModel,
    config as unknown as tf.serialization.ConfigDict,
  ) as tfl.LayersModel;
  copy.setWeights(model.getWeights());
  return copy;
}
