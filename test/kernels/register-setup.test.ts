// Runs in its own file: the wasm backend must not be initialized before it.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { installKernels, uninstallKernels } from '../../src/kernels';
import './kernel-helpers';

describe('uninstallKernels on a backend initialized after installation', () => {
  it('runs the stock kernels setup so they work without another setBackend', async () => {
    expect(tf.engine().registry['wasm']).toBeUndefined();
    installKernels('wasm');
    await tf.setBackend('wasm'); // sets up only the kernels registered now
    uninstallKernels('wasm');

    // The stock MaxPoolGrad needs its setup to run.
    const x = tf.tensor4d([1, 3, 2, 0], [1, 2, 2, 1]);
    const dx = tf.grad((a: tf.Tensor) =>
      tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')),
    )(x);
    expect(Array.from(dx.dataSync())).toEqual([0, 1, 0, 0]);
    tf.dispose([x, dx]);
    await tf.setBackend('cpu');
  });
});
