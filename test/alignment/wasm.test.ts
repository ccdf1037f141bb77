import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deepCcaCorrelation } from '../../src/alignment';
import { expectClose } from '../helpers';
import { checkContrastiveFixture, checkDeepCcaFixture } from './fixture-checks';
import { correlatedViews, deepCcaReference } from './reference';

describe('alignment losses on the wasm backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('match dcca.json (total, top-2, degenerate) on wasm', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const errors = await checkDeepCcaFixture();
    for (const e of Object.values(errors)) expect(e).toBeLessThan(1e-5);
  });

  it('match contrastive.json (cases A, B, C) on wasm', async () => {
    const errors = await checkContrastiveFixture();
    for (const e of Object.values(errors)) expect(e).toBeLessThan(1e-5);
  });

  it('match a float64 reference for unequal output sizes and top-k on wasm', () => {
    const { h1, h2 } = correlatedViews(64, 3, 7, 28);
    const ref = deepCcaReference(h1, h2, 1e-3, 1e-3, 2);
    const got = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
        deepCcaCorrelation(a, b, { k: 2 }),
      )([tf.tensor2d(h1), tf.tensor2d(h2)]);
      return [value.dataSync()[0]!, grads[0]!.dataSync(), grads[1]!.dataSync()];
    }) as [number, Float32Array, Float32Array];
    expectClose(got[0], ref.corr, { atol: 1e-5, rtol: 1e-5 });
    expectClose(got[1], ref.dH1, { atol: 1e-5, rtol: 1e-4 });
    expectClose(got[2], ref.dH2, { atol: 1e-5, rtol: 1e-4 });
  });
});
