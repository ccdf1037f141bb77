/**
 * The co-learning example's models: an LSTM over the price window, an MLP
 * over the hashed headlines, and both fused by concatenation.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

import type { CoTrainingView } from '../../src/colearning';
import { lstmEncoder, mlpEncoder } from '../../src/encoders';
import { Random } from '../../src/internal/random';
import { buildModel } from '../../src/model';
import { PRICE_FEATURES } from './dataset';
import type { CoLearningOptions } from './options';

/** The two views' model factories and training settings. */
export function viewSpecs(
  options: CoLearningOptions,
): Record<string, CoTrainingView> {
  const fit = { epochs: options.epochs, batchSize: 32, learningRate: 2e-3 };
  return {
    price: {
      build: (seed) => {
        const rng = new Random(seed);
        return buildModel({
          modalities: {
            price: {
              shape: [options.window, PRICE_FEATURES.length],
              encoder: lstmEncoder({ units: [16], seed: rng.seed() }),
            },
          },
          heads: { name: 'up', outputActivation: 'sigmoid' },
          seed: rng.seed(),
        });
      },
      fit,
    },
    news: {
      build: (seed) => {
        const rng = new Random(seed);
        return buildModel({
          modalities: {
            news: {
              shape: [options.textDim],
              encoder: mlpEncoder({
                units: [32],
                dropout: 0.2,
                seed: rng.seed(),
              }),
            },
          },
          heads: { name: 'up', outputActivation: 'sigmoid' },
          seed: rng.seed(),
        });
      },
      fit,
    },
  };
}

/** Both views through their encoders, concatenated, one sigmoid head. */
export function fusedModel(
  options: CoLearningOptions,
  seed: number,
): tfl.LayersModel {
  const rng = new Random(seed);
  return buildModel({
    modalities: {
      price: {
        shape: [options.window, PRICE_FEATURES.length],
        encoder: lstmEncoder({ units: [16], seed: rng.seed() }),
      },
      news: {
        shape: [options.textDim],
        encoder: mlpEncoder({ units: [32], dropout: 0.2, seed: rng.seed() }),
      },
    },
    heads: { name: 'up', outputActivation: 'sigmoid' },
    seed: rng.seed(),
  });
}
