import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { lstmBackwardKernel } from '../../src/kernels/lstm-backward';
import { LSTM_BACKWARD, LSTM_FORWARD } from '../../src/kernels/lstm-kernels';
import {
  ensureLstmKernels,
  lstmKernelConfigs,
  lstmSequence,
  type LstmSequenceArgs,
} from '../../src/kernels/lstm-op';
import { lstmSequenceReference } from '../../src/kernels/lstm-reference';
import {
  type Data,
  expectNoLeaks,
  expectScaledClose,
  normal,
  runOn,
  tensor,
} from './kernel-helpers';

interface LstmCase {
  units: number[];
  returnSequences: boolean;
  masked: boolean;
  dropout: boolean;
}

const BATCH = 3;
const TIME = 6;
const FEATURES = 2;

/** Real steps per row: padding at the end, at the start and in between. */
const MASK = [
  [1, 1, 1, 1, 0, 0],
  [0, 0, 1, 1, 1, 1],
  [1, 0, 1, 1, 0, 1],
];

const CASES: LstmCase[] = [
  { units: [5], returnSequences: false, masked: false, dropout: false },
  { units: [5], returnSequences: true, masked: true, dropout: false },
  { units: [5, 4], returnSequences: true, masked: false, dropout: true },
  { units: [6, 3, 4], returnSequences: false, masked: true, dropout: true },
];

/** Input, weights (kernels, recurrent kernels, biases) and output weights. */
function caseData(c: LstmCase): Data[] {
  let features = FEATURES;
  const kernels = c.units.map((u, l) => {
    const k = normal([features, 4 * u], 10 + l);
    features = u;
    return k;
  });
  const top = c.units[c.units.length - 1] as number;
  return [
    normal([BATCH, TIME, FEATURES], 1),
    ...kernels,
    ...c.units.map((u, l) => normal([u, 4 * u], 20 + l)),
    ...c.units.map((u, l) => normal([4 * u], 30 + l)),
    normal(c.returnSequences ? [BATCH, TIME, top] : [BATCH, top], 5),
  ];
}

/** Dropout masks (0 or 1/0.7) for every layer but the top, per step. */
function dropoutMasks(c: LstmCase): tf.Tensor[][] | null {
  if (!c.dropout) return null;
  return c.units.slice(0, -1).map((u, l) =>
    Array.from({ length: TIME }, (_, t) => {
      const uniform = tensor(normal([BATCH, u], 100 * l + t));
      return tf.mul(tf.cast(tf.greater(uniform, -0.5), 'float32'), 1 / 0.7);
    }),
  );
}

/**
 * The output and the gradients of `sum(output * w)` with respect to the
 * input and every weight, through `fn`.
 */
function valueAndGrads(
  c: LstmCase,
  fn: (args: LstmSequenceArgs) => tf.Tensor,
): (...xs: tf.Tensor[]) => tf.Tensor[] {
  return (x, ...rest) =>
    tf.tidy(() => {
      const n = c.units.length;
      const w = rest[3 * n] as tf.Tensor;
      const mask = c.masked ? tf.tensor2d(MASK, undefined, 'bool') : null;
      const dropout = dropoutMasks(c);
      const run = (input: tf.Tensor, ...weights: tf.Tensor[]) =>
        fn({
          x: input,
          kernels: weights.slice(0, n),
          recurrentKernels: weights.slice(n, 2 * n),
          biases: weights.slice(2 * n),
          mask,
          dropoutMasks: dropout,
          returnSequences: c.returnSequences,
        });
      const weights = rest.slice(0, 3 * n);
      const output = run(x as tf.Tensor, ...weights);
      const grads = tf.grads((...xs: tf.Tensor[]) =>
        tf.sum(tf.mul(run(xs[0] as tf.Tensor, ...xs.slice(1)), w)),
      )([x as tf.Tensor, ...weights]);
      return [output, ...grads];
    });
}

/** Registers the backward kernel with the other composition, for a test. */
function useJointInputProducts(backend: string, joint: boolean): void {
  tf.unregisterKernel(LSTM_BACKWARD, backend);
  tf.registerKernel({
    kernelName: LSTM_BACKWARD,
    backendName: backend,
    kernelFunc: lstmBackwardKernel(backend, { jointInputProducts: joint }),
  });
}

function restoreKernels(backend: string): void {
  for (const config of lstmKernelConfigs(backend)) {
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel(config);
  }
}

describe('LSTM sequence kernels', () => {
  afterAll(async () => {
    restoreKernels('cpu');
    restoreKernels('wasm');
    await tf.setBackend('cpu');
  });

  describe.each(['cpu', 'wasm'])('on %s', (backend) => {
    it.each(
      CASES.flatMap((c) => [true, false].map((joint) => ({ ...c, joint }))),
    )(
      'equal the autodiff reference to 1e-5: units $units, ' +
        'sequences $returnSequences, mask $masked, dropout $dropout, ' +
        'joint input products $joint',
      async ({ joint, ...c }) => {
        await tf.setBackend(backend);
        ensureLstmKernels(backend);
        useJointInputProducts(backend, joint);
        const data = caseData(c);
        const ours = await runOn(backend, data, valueAndGrads(c, lstmSequence));
        const reference = await runOn(
          backend,
          data,
          valueAndGrads(c, lstmSequenceReference),
        );
        expect(ours).toHaveLength(2 + 3 * c.units.length);
        ours.forEach((values, k) =>
          expectScaledClose(values, reference[k] as Float32Array),
        );
        restoreKernels(backend);
      },
    );

    it('leak neither tensors nor backend memory, forward or backward', async () => {
      await tf.setBackend(backend);
      const c = CASES[3] as LstmCase;
      const xs = caseData(c).map(tensor);
      const fn = valueAndGrads(c, lstmSequence);
      expectNoLeaks(() => tf.dispose(fn(...xs)));
      tf.dispose(xs);
    });

    it('reject masks and dropout masks of the wrong shape', async () => {
      await tf.setBackend(backend);
      ensureLstmKernels(backend);
      const x = tf.ones([2, 4, 3]);
      const weights = (units: number, features: number) => ({
        kernel: tf.ones([features, 4 * units]),
        recurrent: tf.ones([units, 4 * units]),
        bias: tf.zeros([4 * units]),
      });
      const [a, b] = [weights(5, 3), weights(2, 5)];
      const args = (over: Partial<LstmSequenceArgs>): LstmSequenceArgs => ({
        x,
        kernels: [a.kernel, b.kernel],
        recurrentKernels: [a.recurrent, b.recurrent],
        biases: [a.bias, b.bias],
        mask: null,
        dropoutMasks: null,
        returnSequences: false,
        ...over,
      });
      expect(() =>
        lstmSequence(args({ mask: tf.ones([8, 4], 'bool') })),
      ).toThrow(/expected a mask \[2,4\], received \[8,4\]/);
      const steps = (shape: number[]) =>
        Array.from({ length: 4 }, () => tf.ones(shape));
      expect(() =>
        lstmSequence(args({ dropoutMasks: [steps([2, 7])] })),
      ).toThrow(/dropout mask 0, step 0 of shape \[2,5\], received \[2,7\]/);
      const ok = lstmSequence(args({ dropoutMasks: [steps([2, 5])] }));
      expect(ok.shape).toEqual([2, 2]);
    });

    it('run as one forward and one backward kernel', async () => {
      await tf.setBackend(backend);
      const c = CASES[2] as LstmCase;
      const xs = caseData(c).map(tensor);
      const profile = await tf.profile(() =>
        tf.dispose(valueAndGrads(c, lstmSequence)(...xs)),
      );
      const names = profile.kernels.map((k) => k.name);
      expect(names.filter((k) => k === LSTM_FORWARD)).toHaveLength(2);
      expect(names.filter((k) => k === LSTM_BACKWARD)).toHaveLength(1);
      tf.dispose(xs);
    });
  });

  it('are registered only for the backends they are tested on', () => {
    expect(ensureLstmKernels('cpu')).toBe(true);
    expect(tf.getKernel(LSTM_FORWARD, 'cpu')).toBeDefined();
    expect(ensureLstmKernels('webgl')).toBe(false);
    expect(tf.getKernel(LSTM_FORWARD, 'webgl')).toBeUndefined();
  });

  it('reject weights that do not fit the input, naming both shapes', async () => {
    await tf.setBackend('cpu');
    const x = tf.zeros([2, 3, 4]);
    expect(() =>
      lstmSequence({
        x,
        kernels: [tf.zeros([5, 8])],
        recurrentKernels: [tf.zeros([2, 8])],
        biases: [tf.zeros([8])],
        returnSequences: false,
      }),
    ).toThrow(
      /expected x \[batch, time >= 1, features\] and layer 0 weights \[4,8\], \[2,8\], \[8\], received x \[2,3,4\] and \[5,8\], \[2,8\], \[8\]/,
    );
  });
});
