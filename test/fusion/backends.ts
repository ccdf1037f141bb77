/** Runs a describe block once per backend: cpu (the default) and wasm. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe } from 'vitest';

import { installKernels } from '../../src/kernels';

/** The backends that fixtures are checked on. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/**
 * Declares `body` under `describe(title on backend)` for each backend,
 * switching to it before the block and back to cpu after.
 */
export function describeOnBackends(
  title: string,
  body: (backend: (typeof BACKENDS)[number]) => void,
): void {
  for (const backend of BACKENDS) {
    describe(`${title} on ${backend}`, () => {
      beforeAll(async () => {
        await tf.setBackend(backend);
        await tf.ready();
        installKernels();
      });
      afterAll(async () => {
        await tf.setBackend('cpu');
      });
      body(backend);
    });
  }
}
