/**
 * Thesis 2, spec S7 models built with modalfuse, and the text-encoder
 * variants that go past the thesis.
 */
import * as tfl from '@tensorflow/tfjs-layers';

import {
  Random,
  buildModel,
  concatFusion,
  crossAttentionFusion,
  decisionFusionModel,
  lstmEncoder,
  type HeadSpec,
} from '../../../src/index';
import type { InputName } from './dataset';

/** Two independent heads Dense(32, relu) - Dense(1) (spec S7). */
export const THESIS2_HEADS: HeadSpec[] = [
  { name: 'max', hidden: [32] },
  { name: 'min', hidden: [32] },
];

/** How the text variant joins headline embeddings and prices. */
export type TextFusion = 'cross-attention' | 'concat';

/** The neural models, in table order, with what they read. */
export const MODELS = {
  price: { name: 'LSTM price', inputs: ['price'] },
  priceNews: { name: 'LSTM price+news', inputs: ['features'] },
  featureFusion: { name: 'Feature fusion', inputs: ['news', 'price'] },
  news: { name: 'LSTM news', inputs: ['news'] },
  textConcat: { name: 'Text fusion (concat)', inputs: ['headlines', 'price'] },
  textAttention: {
    name: 'Text fusion (cross-attention)',
    inputs: ['headlines', 'price'],
  },
} as const satisfies Record<string, { name: string; inputs: InputName[] }>;

/** A key of {@link MODELS}. */
export type ModelKey = keyof typeof MODELS;

/** The decision fusion row. */
export const DECISION_FUSION = 'Decision fusion';

/**
 * spec S7 trunk(u): LSTM(u, sequence) - Dropout(0.2) - LSTM(u, last state)
 * - Dropout(0.2), one modalfuse layer.
 */
function trunk(units: number, rng: Random): tfl.layers.Layer {
  return lstmEncoder({ units: [units, units], dropout: 0.2, seed: rng.seed() });
}

/**
 * Builds one model of the table with seeds drawn from `seed`; the same
 * draws for the same key whatever order the models are built in.
 *
 * @param key - Which model.
 * @param shapes - `[window, width]` of each input.
 * @param seed - The run's seed.
 * @returns The model, inputs named after {@link InputName}.
 */
export function buildThesis2Model(
  key: ModelKey,
  shapes: Partial<Record<InputName, [number, number]>>,
  seed: number,
): tfl.LayersModel {
  const keys = Object.keys(MODELS) as ModelKey[];
  const rng = new Random(seed * 31 + keys.indexOf(key));
  const shape = (name: InputName) => {
    const s = shapes[name];
    if (!s)
      throw new Error(`thesis 2: no '${name}' input for ${MODELS[key].name}`);
    return [...s];
  };
  const name = MODELS[key].name.toLowerCase().replace(/[^a-z]+/g, '_');
  const common = { heads: THESIS2_HEADS, output: 'concat' as const, name };

  switch (key) {
    case 'price':
      return buildModel({
        modalities: {
          price: { shape: shape('price'), encoder: trunk(64, rng) },
        },
        ...common,
        seed: rng.seed(),
      });
    case 'priceNews':
      return buildModel({
        modalities: {
          features: { shape: shape('features'), encoder: trunk(64, rng) },
        },
        ...common,
        seed: rng.seed(),
      });
    case 'featureFusion':
    case 'textConcat': {
      const other = key === 'featureFusion' ? 'news' : 'headlines';
      const price = trunk(64, rng);
      const side = trunk(32, rng);
      return buildModel({
        modalities: {
          price: { shape: shape('price'), encoder: price },
          [other]: { shape: shape(other), encoder: side },
        },
        fusion: concatFusion({ modalities: ['price', other] }),
        ...common,
        seed: rng.seed(),
      });
    }
    case 'news':
      return buildModel({
        modalities: { news: { shape: shape('news'), encoder: trunk(32, rng) } },
        ...common,
        seed: rng.seed(),
      });
    case 'textAttention': {
      // The price trunk's state asks; the ten days' headline embeddings
      // (and the price state itself) answer.
      const price = trunk(64, rng);
      const fusion = crossAttentionFusion({
        modalities: ['headlines', 'price'],
        query: 'price',
        attendToQuery: true,
        heads: 2,
        embedDim: 32,
        seed: rng.seed(),
      });
      return buildModel({
        modalities: {
          price: { shape: shape('price'), encoder: price },
          headlines: { shape: shape('headlines') },
        },
        fusion,
        ...common,
        seed: rng.seed(),
      });
    }
  }
}

/**
 * spec S7 (4): y_k = w_k price_k + (1 − w_k) news_k with the weights fitted
 * on validation predictions.
 */
export function buildDecisionFusion(
  price: tfl.LayersModel,
  news: tfl.LayersModel,
  weights: { price: number[]; news: number[] },
): tfl.LayersModel {
  // Keys name the nested copies, so they must differ from the input names.
  return decisionFusionModel({
    models: { lstm_news: news, lstm_price: price },
    weights: { lstm_news: weights.news, lstm_price: weights.price },
    name: 'decision_fusion',
  });
}
