// The model, data and wire format that the browser page and Node share.
// In the page, '../../src/index' is redirected to the built ESM entry (see
// bundle-page.ts); in Node it is the sources.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  Random,
  buildModel,
  fitModel,
  gatedFusion,
  lstmEncoder,
  mlpEncoder,
  orderInputs,
} from '../../src/index';

/** Samples in the fixture data set. */
export const SAMPLES = 48;
/** Time steps and features of the series modality. */
export const SERIES_SHAPE = [6, 2] as const;
/** Features of the table modality. */
export const TABLE_FEATURES = 4;

/** Fixture inputs as nested arrays, so they cross the page boundary. */
export interface WireInputs {
  /** `[samples, 6, 2]` as a flat array. */
  series: number[];
  /** `[samples, 4]` as a flat array. */
  table: number[];
  /** Number of samples. */
  samples: number;
}

/** Model artifacts with the weights as base64, for page.evaluate. */
export interface WireArtifacts {
  /** The model.json topology. */
  modelTopology: object;
  /** Weight manifest entries. */
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** All weights, concatenated, as base64. */
  weightData: string;
}

/**
 * Seeded two-modality data: a target that depends on the last step of the
 * series and on the first table column, so a few steps of training lower
 * the loss.
 */
export function fixtureData(seed: number): {
  inputs: WireInputs;
  targets: number[];
} {
  const rng = new Random(seed);
  const [steps, features] = SERIES_SHAPE;
  const series: number[] = [];
  const table: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const row: number[] = [];
    for (let j = 0; j < steps * features; j++) row.push(rng.normal());
    const cells: number[] = [];
    for (let j = 0; j < TABLE_FEATURES; j++) cells.push(rng.normal());
    series.push(...row);
    table.push(...cells);
    targets.push(0.6 * row[(steps - 1) * features]! + 0.4 * cells[0]!);
  }
  return { inputs: { series, table, samples: SAMPLES }, targets };
}

/** The fixture inputs as a record of tensors keyed by modality. */
export function toTensors(inputs: WireInputs): Record<string, tf.Tensor> {
  const [steps, features] = SERIES_SHAPE;
  return {
    series: tf.tensor3d(inputs.series, [inputs.samples, steps, features]),
    table: tf.tensor2d(inputs.table, [inputs.samples, TABLE_FEATURES]),
  };
}

/** An LSTM series encoder and an MLP table encoder joined by gated fusion. */
export function fixtureModel(): tfl.LayersModel {
  return buildModel({
    modalities: {
      series: {
        shape: [...SERIES_SHAPE],
        encoder: lstmEncoder({ units: [8], seed: 1 }),
      },
      table: {
        shape: [TABLE_FEATURES],
        encoder: mlpEncoder({ units: [8], seed: 2 }),
      },
    },
    fusion: gatedFusion({ modalities: ['series', 'table'], units: 8, seed: 3 }),
    heads: { name: 'y', hidden: [8] },
    seed: 4,
  });
}

/** Trains the fixture model for a few seeded steps; returns epoch losses. */
export async function trainFixture(
  model: tfl.LayersModel,
  seed: number,
): Promise<number[]> {
  const { inputs, targets } = fixtureData(seed);
  const x = toTensors(inputs);
  const y = tf.tensor2d(targets, [targets.length, 1]);
  try {
    const history = await fitModel(model, x, y, {
      epochs: 3,
      batchSize: 16,
      learningRate: 0.01,
      seed,
    });
    return history.epochs.map((e) => e.loss);
  } finally {
    tf.dispose([...Object.values(x), y]);
  }
}

/** Predictions of a one-output model on wire inputs, as a flat array. */
export function predictWire(
  model: tfl.LayersModel,
  inputs: WireInputs,
): number[] {
  const x = toTensors(inputs);
  const y = model.predict(orderInputs(model, x)) as tf.Tensor;
  const values = Array.from(y.dataSync());
  tf.dispose([...Object.values(x), y]);
  return values;
}

/** Saves a model into wire artifacts (memory, no IO handler registry). */
export async function saveToWire(
  model: tfl.LayersModel,
): Promise<WireArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
        },
      };
    }),
  );
  if (!saved?.weightData || !saved.weightSpecs || !saved.modelTopology) {
    throw new Error('saveToWire: the save handler received no weights');
  }
  const bytes = new Uint8Array(
    tf.io.CompositeArrayBuffer.join(saved.weightData),
  );
  return {
    modelTopology: saved.modelTopology,
    weightSpecs: saved.weightSpecs,
    weightData: toBase64(bytes),
  };
}

/** Loads a model from wire artifacts. */
export function loadFromWire(
  artifacts: WireArtifacts,
): Promise<tfl.LayersModel> {
  const bytes = fromBase64(artifacts.weightData);
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightSpecs,
      weightData: bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ),
    }),
  );
}

function toBase64(bytes: Uint8Array): string {
  let text = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    text += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(text);
}

function fromBase64(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
