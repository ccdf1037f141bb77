// The browser page of test/browser: bundled with modalfuse's ESM build and
// the tfjs cpu and webgl backends, it exposes `window.modalfusePage` for
// browser.test.ts to drive through page.evaluate.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';

import { explainModalities } from '../../src/index';
import {
  SERIES_SHAPE,
  TABLE_FEATURES,
  fixtureData,
  fixtureModel,
  loadFromWire,
  predictWire,
  saveToWire,
  toTensors,
  trainFixture,
  type WireArtifacts,
  type WireInputs,
} from './fixture-model';

/** What one train, save, reload and explain run reports. */
export interface RoundTripReport {
  /** Backend that ran it. */
  backend: string;
  /** Whether the backend renders to float32 textures (webgl only). */
  float32: boolean | null;
  /** Training loss per epoch. */
  losses: number[];
  /** Keys that `tf.io.listModels` shows after the IndexedDB save. */
  storedModels: string[];
  /** Largest |prediction difference| after reloading from IndexedDB. */
  indexedDbMaxDiff: number;
  /** Largest |prediction difference| after reloading from memory. */
  memoryMaxDiff: number;
  /** The reloaded model's explanation of sample 0. */
  explanation: {
    labels: string[];
    values: number[];
    baseValue: number;
    fx: number;
    prediction: number;
  };
  /** Tensors left behind by the explanation (0 when it tidies up). */
  leakedTensors: number;
}

/** What the page offers the test. */
export interface PageApi {
  /** Trains the fixture, saves, reloads and explains on a backend. */
  roundTrip(backend: string, seed: number): Promise<RoundTripReport>;
  /** Loads wire artifacts on a backend and predicts on the inputs. */
  predictFromWire(
    backend: string,
    artifacts: WireArtifacts,
    inputs: WireInputs,
  ): Promise<number[]>;
  /** Trains the fixture on a backend and returns it saved to memory. */
  trainToWire(
    backend: string,
    seed: number,
  ): Promise<{
    artifacts: WireArtifacts;
    inputs: WireInputs;
    predictions: number[];
  }>;
}

declare global {
  interface Window {
    /** Set once the page's module has run. */
    modalfusePage?: PageApi;
  }
}

async function useBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) {
    throw new Error(`page: backend ${name} failed to initialize`);
  }
  await tf.ready();
}

function maxDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

async function roundTrip(
  backend: string,
  seed: number,
): Promise<RoundTripReport> {
  await useBackend(backend);
  const model = fixtureModel();
  const losses = await trainFixture(model, seed);
  const { inputs } = fixtureData(seed + 1);
  const before = predictWire(model, inputs);

  const url = `indexeddb://modalfuse-browser-${backend}`;
  await model.save(url);
  const storedModels = Object.keys(await tf.io.listModels());
  const fromDb = await tfl.loadLayersModel(url);
  const indexedDbMaxDiff = maxDiff(before, predictWire(fromDb, inputs));
  await tf.io.removeModel(url);

  const fromMemory = await loadFromWire(await saveToWire(model));
  const memoryMaxDiff = maxDiff(before, predictWire(fromMemory, inputs));

  // Explain sample 0 of the reloaded model against an all-zero baseline.
  const [steps, features] = SERIES_SHAPE;
  const all = toTensors(inputs);
  const sample = {
    series: tf.slice(all.series!, [0, 0, 0], [1, steps, features]),
    table: tf.slice(all.table!, [0, 0], [1, TABLE_FEATURES]),
  };
  const baseline = {
    series: tf.zeros([1, steps, features]),
    table: tf.zeros([1, TABLE_FEATURES]),
  };
  const tensorsBefore = tf.memory().numTensors;
  const parts = await explainModalities(fromDb, sample, { baseline });
  const leakedTensors = tf.memory().numTensors - tensorsBefore;
  tf.dispose([...Object.values(all), ...Object.values(sample)]);
  tf.dispose(Object.values(baseline));
  for (const m of [model, fromDb, fromMemory]) m.dispose();

  return {
    backend,
    float32:
      backend === 'webgl'
        ? tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')
        : null,
    losses,
    storedModels,
    indexedDbMaxDiff,
    memoryMaxDiff,
    explanation: {
      labels: parts.labels,
      values: parts.values[0]!,
      baseValue: parts.baseValues[0]!,
      fx: parts.fx[0]!,
      prediction: before[0]!,
    },
    leakedTensors,
  };
}

window.modalfusePage = {
  roundTrip,
  async predictFromWire(backend, artifacts, inputs) {
    await useBackend(backend);
    const model = await loadFromWire(artifacts);
    const predictions = predictWire(model, inputs);
    model.dispose();
    return predictions;
  },
  async trainToWire(backend, seed) {
    await useBackend(backend);
    const model = fixtureModel();
    await trainFixture(model, seed);
    const { inputs } = fixtureData(seed + 1);
    const predictions = predictWire(model, inputs);
    const artifacts = await saveToWire(model);
    model.dispose();
    return { artifacts, inputs, predictions };
  },
};
