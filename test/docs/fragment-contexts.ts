/**
 * The contexts of the guides' fragments that stand outside a runnable
 * section: the setup each one needs to run (see fragments.test.ts).
 */

/**
 * What a fragment of a guide needs around it to run: the fragments
 * continue a story the guide tells (a model, data or a trained object
 * from the text around them), so each gets a setup that builds small,
 * real objects of that story. The fragment's own imports, these imports,
 * then one async function: the setup, the fragment, and a return of the
 * names the test asserts on.
 */
export interface Context {
  /** What the fragment continues, for the test titles. */
  title: string;
  /** Imports of the setup (none the fragment imports itself). */
  imports: string;
  /** Statements that build what the fragment uses. */
  setup: string;
  /** Names returned to the test, from the setup or the fragment. */
  returns: string[];
}

/**
 * The contexts of the short `ts` fragments outside the runnable sections,
 * per guide, in the order of the fragments.
 */
export const CONTEXT: Record<string, Context[]> = {
  'docs/guides/colearning.md': [
    {
      title: 'resuming a co-training run',
      imports: `
import * as tf from '@tensorflow/tfjs-core';
import {
  CoTraining,
  Random,
  buildModel,
  type CoTrainingData,
} from 'modalfuse';
`,
      setup: `
// Two weak views of 40 samples (8 labelled), a logistic model each, and a
// run stopped after its first round of a possible two.
const rng = new Random(0);
const y = Array.from({ length: 40 }, (_, i) => i % 2);
const view = () =>
  tf.tensor2d(
    y.map((c) => Array.from({ length: 4 }, () => c - 0.5 + rng.normal())),
  );
const [a, b] = [view(), view()];
const rows = (x: tf.Tensor2D, from: number, to: number) =>
  tf.slice(x, [from, 0], [to - from, -1]);
const logistic = (name: string) => ({
  build: (seed: number) =>
    buildModel({
      modalities: { [name]: { shape: [4] } },
      heads: { name: 'p', outputActivation: 'sigmoid' },
      seed,
    }),
  fit: { epochs: 5, batchSize: 64, learningRate: 0.05 },
});
const views = { a: logistic('a'), b: logistic('b') };
const data: CoTrainingData = {
  labelled: {
    inputs: { a: rows(a, 0, 8), b: rows(b, 0, 8) },
    targets: y.slice(0, 8),
  },
  unlabelled: { inputs: { a: rows(a, 8, 40), b: rows(b, 8, 40) } },
};
const co = new CoTraining({
  views,
  threshold: 0.5,
  perRound: 4,
  maxRounds: 1,
  seed: 1,
});
await co.fit(data, { rounds: 1 });
`,
      returns: ['co', 'resumed', 'data'],
    },
    {
      title: 'freezing encoders',
      imports: `
import {
  buildModel,
  freezeLayers,
  lstmEncoder,
  mlpEncoder,
  unfreezeLayers,
} from 'modalfuse';
`,
      setup: `
// A price and a news encoder, named as the fragment names them.
const encoder = lstmEncoder({ units: [8], seed: 1, name: 'price_encoder' });
const model = buildModel({
  modalities: {
    price: { shape: [20, 5], encoder },
    news: {
      shape: [16],
      encoder: mlpEncoder({ units: [8], seed: 2, name: 'news_encoder' }),
    },
  },
  heads: { name: 'up', outputActivation: 'sigmoid' },
  seed: 3,
});
`,
      returns: ['model', 'encoder'],
    },
    {
      title: 'fine-tuning with a lower learning rate',
      imports: `
import * as tf from '@tensorflow/tfjs-core';
import {
  buildModel,
  fineTune as fineTuneModel,
  lstmEncoder,
  mlpEncoder,
  type GroupFitHistory,
} from 'modalfuse';
`,
      setup: `
// 16 samples of a price window [20, 5] and a news vector [512]; the
// target is whether the news vector's mean is positive.
const inputs = {
  price: tf.randomNormal([16, 20, 5], 0, 1, 'float32', 1),
  news: tf.randomNormal([16, 512], 0, 1, 'float32', 2),
};
const targets = tf.cast(
  tf.greater(tf.mean(inputs.news, 1, true), 0),
  'float32',
); // [16, 1]
// fineTune itself, keeping the history the fragment does not.
const histories: GroupFitHistory[] = [];
const fineTune = async (...args: Parameters<typeof fineTuneModel>) => {
  const history = await fineTuneModel(...args);
  histories.push(history);
  return history;
};
`,
      returns: ['encoder', 'fusion', 'histories'],
    },
    {
      title: 'distillation between modalities',
      imports: `
import * as tf from '@tensorflow/tfjs-core';
import {
  buildModel,
  fitDistillation,
  lstmEncoder,
  mlpEncoder,
  predictBatched,
} from 'modalfuse';
`,
      setup: `
// 32 paired samples: a price window for a sigmoid price model (the
// teacher) and a news vector for a linear news model (the student).
const priceInputs = {
  price: tf.randomNormal([32, 10, 3], 0, 1, 'float32', 1),
};
const newsInputs = { news: tf.randomNormal([32, 16], 0, 1, 'float32', 2) };
const priceModel = buildModel({
  modalities: {
    price: { shape: [10, 3], encoder: lstmEncoder({ units: [8], seed: 1 }) },
  },
  heads: { name: 'up', outputActivation: 'sigmoid' },
  seed: 3,
});
const newsStudent = buildModel({
  modalities: {
    news: { shape: [16], encoder: mlpEncoder({ units: [16], seed: 2 }) },
  },
  heads: { name: 'up' },
  seed: 4,
});
const studentBefore = newsStudent.predict(newsInputs.news) as tf.Tensor;
`,
      returns: ['teacher', 'newsStudent', 'newsInputs', 'studentBefore'],
    },
  ],
  'docs/guides/data.md': [
    {
      title: 'a scaler saved in the model metadata',
      imports: `
import {
  StandardScaler,
  buildModel,
  type StandardScalerJSON,
} from 'modalfuse';
import { loadModel, saveModel } from 'modalfuse/node';
`,
      setup: `
// A small model of three table features and the scaler of its rows.
const model = buildModel({
  modalities: { table: { shape: [3] } },
  heads: { name: 'y' },
  seed: 0,
});
const scaler = new StandardScaler().fit([
  [1, 10, 100],
  [3, 30, 300],
  [2, 50, 150],
]);
`,
      returns: ['scaler', 'again'],
    },
  ],
  'docs/guides/saving-and-loading.md': [
    {
      title: 'saving and loading in Node',
      imports: `
import * as tf from '@tensorflow/tfjs-core';
import {
  buildModel,
  createFusion,
  lstmEncoder,
  mlpEncoder,
} from 'modalfuse';
`,
      setup: `
// A fusion model with modalfuse layers and four samples to predict.
const model = buildModel({
  modalities: {
    prices: { shape: [5, 2], encoder: lstmEncoder({ units: 8, seed: 1 }) },
    table: { shape: [3], encoder: mlpEncoder({ units: [8], seed: 2 }) },
  },
  fusion: createFusion('gated', ['prices', 'table'], { units: 8, seed: 3 }),
  heads: { name: 'y' },
  seed: 4,
});
const inputs = [
  tf.randomNormal([4, 5, 2], 0, 1, 'float32', 5),
  tf.randomNormal([4, 3], 0, 1, 'float32', 6),
];
`,
      returns: ['model', 'again', 'inputs'],
    },
  ],
};
