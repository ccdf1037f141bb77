import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import type { FitHistory } from '../../src/index';
import { runGuideExample } from './snippets';

describe('docs/guides/getting-started.md', () => {
  it('trains its two-modality model as written', async () => {
    const { model, history, prediction, target } = (await runGuideExample(
      'getting-started',
      ['model', 'history', 'prediction', 'target'],
    )) as {
      model: tfl.LayersModel;
      history: FitHistory;
      prediction: tf.Tensor;
      target: tf.Tensor;
    };

    expect(tf.getBackend()).toBe('cpu');
    expect(model.inputNames).toEqual(['series', 'table']);
    expect(prediction.shape).toEqual([200, 1]);
    expect(history.epochs).toHaveLength(10);

    // The target has variance 2; the model learns most of it.
    const first = history.epochs[0]!.loss;
    const last = history.epochs.at(-1)!.loss;
    expect(first).toBeGreaterThan(1);
    expect(last).toBeLessThan(first / 10);
    const mse = tf.losses.meanSquaredError(target, prediction).dataSync()[0]!;
    expect(mse).toBeLessThan(0.2);
  });
});
