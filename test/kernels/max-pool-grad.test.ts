import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { installKernels, uninstallKernels } from '../../src/kernels';
import { maxPoolGradKernel } from '../../src/kernels/max-pool-grad';
import {
  data,
  type Data,
  expectNoLeaks,
  expectScaledClose,
  normal,
  runOn,
  stockCpu,
  tensor,
} from './kernel-helpers';

type Pair = number | [number, number];

interface PoolCase {
  x: [number, number, number, number];
  k: Pair;
  s: Pair;
  p: 'same' | 'valid' | number;
}

/**
 * Tiled (stride = window) and overlapping or gapped windows. Numeric
 * padding only with square windows and strides, as in the conv tests.
 */
const CASES: PoolCase[] = [
  { x: [2, 8, 8, 3], k: 2, s: 2, p: 'valid' },
  { x: [2, 7, 5, 3], k: 2, s: 2, p: 'valid' },
  { x: [2, 7, 5, 3], k: 2, s: 2, p: 'same' },
  { x: [1, 9, 9, 2], k: 3, s: 3, p: 1 },
  { x: [2, 6, 9, 2], k: [2, 3], s: [2, 3], p: 'same' },
  { x: [2, 7, 5, 3], k: 3, s: 2, p: 'same' },
  { x: [2, 7, 5, 3], k: 3, s: 1, p: 'same' },
  { x: [1, 9, 9, 2], k: [3, 2], s: [2, 1], p: 'valid' },
  { x: [1, 9, 8, 2], k: [2, 3], s: [1, 2], p: 'same' },
  { x: [1, 8, 8, 2], k: 3, s: 2, p: 1 },
  { x: [2, 6, 6, 4], k: 1, s: 2, p: 'valid' },
  { x: [3, 5, 5, 1], k: 5, s: 1, p: 'same' },
];

/** Values with many negative-only windows and many ties. */
const KINDS = {
  random: (shape: number[], seed: number): Data => normal(shape, seed),
  negative: (shape: number[], seed: number): Data => {
    const d = normal(shape, seed);
    d.values = d.values.map((v) => -Math.abs(v) - 0.01);
    return d;
  },
  ties: (shape: number[], seed: number): Data => {
    const d = normal(shape, seed);
    d.values = d.values.map((v) => Math.round(v));
    return d;
  },
};

function pooledShape(c: PoolCase): number[] {
  return tf.backend_util.computePool2DInfo(c.x, c.k, c.s, 1, c.p).outShape;
}

function poolGrad(c: PoolCase) {
  return (x: tf.Tensor, r: tf.Tensor) =>
    tf.grad((a: tf.Tensor) =>
      tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.p), r)),
    )(x);
}

afterAll(() => {
  uninstallKernels();
});

describe('MaxPoolGrad built from backend kernels', () => {
  const grid = CASES.flatMap((c) =>
    (Object.keys(KINDS) as (keyof typeof KINDS)[]).map((kind) => ({
      ...c,
      kind,
    })),
  );

  it.each(grid)(
    'equals the cpu stock gradient on wasm for $kind x $x, window $k, strides $s, pad $p',
    async (c) => {
      const inputs = [KINDS[c.kind](c.x, 21), normal(pooledShape(c), 22)];
      const [expected] = await stockCpu(inputs, poolGrad(c));

      installKernels('wasm');
      const [actual] = await runOn('wasm', inputs, poolGrad(c));
      expectScaledClose(actual as Float32Array, expected as Float32Array);
    },
  );

  it.each(CASES.slice(0, 8))(
    'equals the cpu stock kernel when run on cpu for x $x, window $k, strides $s, pad $p',
    async (c) => {
      const inputs = [KINDS.ties(c.x, 23), normal(pooledShape(c), 24)];
      const attrs = { filterSize: c.k, strides: c.s, pad: c.p };
      const [expected] = await stockCpu(
        inputs,
        (x, dy) =>
          tf
            .engine()
            .runKernel(
              'MaxPoolGrad',
              { dy, input: x, output: dy },
              attrs,
            ) as tf.Tensor,
      );
      const [actual] = await runOn('cpu', inputs, (x, dy) => {
        const out = maxPoolGradKernel('cpu')({
          inputs: { dy, input: x, output: dy },
          backend: tf.backend(),
          attrs,
        }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(out);
      });
      expectScaledClose(actual as Float32Array, expected as Float32Array);
    },
  );

  it('sends each window gradient to its maximum when all values are negative', async () => {
    installKernels('wasm');
    // One 2x2 window per channel: maxima -1 at (0,1) and -2 at (1,0).
    const x = data([-3, -5, -1, -7, -4, -2, -2, -9], [1, 2, 2, 2]);
    const dy = data([10, 20], [1, 1, 1, 2]);
    const [dx] = await runOn('wasm', [x, dy], (xs, dys) =>
      tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dys)),
      )(xs),
    );
    expect(Array.from(dx as Float32Array)).toEqual([0, 0, 10, 0, 0, 20, 0, 0]);
  });

  it('sends a tied window gradient to the first maximum in row-major order', async () => {
    installKernels('wasm');
    // Windows [[1, 1], [1, 1]], [[0, 2], [2, 1]] and [[0, 0], [0, 0]].
    const x = data([1, 1, 0, 2, 0, 0, 1, 1, 2, 1, 0, 0], [1, 2, 6, 1]);
    const dy = data([1, 2, 3], [1, 1, 3, 1]);
    const [dx] = await runOn('wasm', [x, dy], (xs, dys) =>
      tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dys)),
      )(xs),
    );
    expect(Array.from(dx as Float32Array)).toEqual([
      1, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('adds the gradients of overlapping windows that share a maximum', async () => {
    installKernels('wasm');
    // 3x3 input, 2x2 windows at stride 1: the centre is every window's max.
    const x = data([0, 0, 0, 0, 5, 0, 0, 0, 0], [1, 3, 3, 1]);
    const dy = data([1, 2, 3, 4], [1, 2, 2, 1]);
    const [dx] = await runOn('wasm', [x, dy], (xs, dys) =>
      tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 1, 'valid'), dys)),
      )(xs),
    );
    expect(Array.from(dx as Float32Array)).toEqual([
      0, 0, 0, 0, 10, 0, 0, 0, 0,
    ]);
  });

  it.each([CASES[0], CASES[6]] as PoolCase[])(
    'leaves no tensors or backend data behind on wasm for window $k, strides $s',
    async (c) => {
      installKernels('wasm');
      await tf.setBackend('wasm');
      const x = tensor(KINDS.ties(c.x, 25));
      const r = tf.ones(pooledShape(c));
      expectNoLeaks(() => poolGrad(c)(x, r).dispose());
      tf.dispose([x, r]);
    },
  );
});
