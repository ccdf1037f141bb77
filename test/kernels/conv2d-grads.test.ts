import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { installKernels, uninstallKernels } from '../../src/kernels';
import {
  type Data,
  expectNoLeaks,
  expectScaledClose,
  normal,
  runOn,
  stockCpu,
  tensor,
} from './kernel-helpers';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Pair = number | [number, number];

interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: Pair;
  p: Pad;
}

/**
 * Shapes, strides, paddings, kernel sizes, channels and batch sizes.
 * Numeric padding appears only with square strides and filters: tfjs 4.22
 * sizes it with the height's stride and filter for both axes, and the wasm
 * forward convolution then writes out of bounds.
 */
const CASES: ConvCase[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, p: 'same' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, p: 'valid' },
  { x: [2, 8, 8, 2], f: [3, 3, 2, 5], s: 2, p: 'same' },
  { x: [2, 9, 7, 2], f: [3, 3, 2, 3], s: 2, p: 'valid' },
  { x: [3, 9, 8, 1], f: [3, 2, 1, 4], s: [2, 1], p: 'same' },
  { x: [1, 9, 8, 4], f: [2, 3, 4, 2], s: [2, 1], p: 'valid' },
  { x: [2, 6, 6, 3], f: [1, 1, 3, 6], s: 1, p: 'same' },
  { x: [2, 7, 7, 3], f: [1, 1, 3, 2], s: 2, p: 'valid' },
  { x: [2, 7, 7, 3], f: [1, 1, 3, 2], s: 2, p: 'same' },
  { x: [2, 5, 6, 2], f: [1, 1, 2, 3], s: 1, p: 1 },
  { x: [2, 5, 6, 2], f: [1, 1, 2, 3], s: 2, p: 1 },
  { x: [1, 10, 10, 2], f: [5, 5, 2, 3], s: 1, p: 'same' },
  { x: [2, 11, 9, 2], f: [5, 5, 2, 2], s: 2, p: 'same' },
  { x: [2, 8, 8, 2], f: [3, 3, 2, 2], s: 1, p: 1 },
  { x: [2, 8, 7, 2], f: [3, 3, 2, 3], s: 2, p: 2 },
  { x: [1, 6, 6, 2], f: [3, 3, 2, 2], s: 1, p: 4 },
  {
    x: [2, 7, 8, 2],
    f: [3, 2, 2, 2],
    s: 1,
    p: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    x: [2, 8, 8, 3],
    f: [3, 3, 3, 2],
    s: [1, 2],
    p: [
      [0, 0],
      [2, 0],
      [1, 1],
      [0, 0],
    ],
  },
  { x: [5, 6, 6, 2], f: [3, 3, 2, 2], s: 1, p: 'same' },
  { x: [1, 5, 5, 8], f: [3, 3, 8, 16], s: 1, p: 'same' },
  { x: [2, 4, 4, 1], f: [4, 4, 1, 1], s: 2, p: 'same' },
];

function outShape(c: ConvCase): number[] {
  return tf.backend_util.computeConv2DInfo(c.x, c.f, c.s, 1, c.p).outShape;
}

/** [dx, dw] of sum(conv2d(x, w) * r), so dy = r. */
function convGrads(c: ConvCase) {
  return (x: tf.Tensor, w: tf.Tensor, r: tf.Tensor) =>
    tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.p), r),
      ),
    )([x, w]);
}

afterAll(() => {
  uninstallKernels();
});

describe('Conv2D gradients with modalfuse kernels', () => {
  it.each(CASES)(
    'equal the cpu stock gradients for x $x, filter $f, strides $s, pad $p',
    async (c) => {
      const inputs = [normal(c.x, 1), normal(c.f, 2), normal(outShape(c), 3)];
      const [dx, dw] = await stockCpu(inputs, convGrads(c));

      for (const backend of ['cpu', 'wasm']) {
        installKernels(backend);
        const [ox, ow] = await runOn(backend, inputs, convGrads(c));
        expectScaledClose(ox as Float32Array, dx as Float32Array);
        expectScaledClose(ow as Float32Array, dw as Float32Array);
      }
    },
  );

  it.each([
    { rounding: 'ceil', oh: 5 },
    { rounding: 'floor', oh: 4 },
    { rounding: 'round', oh: 5 },
  ] as const)(
    'honour dimRoundingMode $rounding (output height $oh) in both kernels',
    async ({ rounding, oh }) => {
      const attrs = {
        strides: 2,
        pad: 1,
        dataFormat: 'NHWC',
        dimRoundingMode: rounding,
      };
      const xShape = [1, 8, 8, 2];
      const inputs = [normal(xShape, 4), normal([1, oh, oh, 3], 5)];
      const filter = normal([3, 3, 2, 3], 6);
      const run = (x: tf.Tensor, dy: tf.Tensor, w: tf.Tensor) => [
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { ...attrs, filterShape: [3, 3, 2, 3] },
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy, filter: w },
            { ...attrs, inputShape: xShape },
          ) as tf.Tensor,
      ];
      const [dw, dx] = await stockCpu([...inputs, filter], run);

      installKernels('wasm');
      const [ow, ox] = await runOn('wasm', [...inputs, filter], run);
      expectScaledClose(ow as Float32Array, dw as Float32Array);
      expectScaledClose(ox as Float32Array, dx as Float32Array);
    },
  );

  it.each(['cpu', 'wasm'])(
    'handle NCHW data in the filter kernel on %s',
    async (backend) => {
      const attrs = {
        strides: [2, 1],
        pad: 'same',
        dataFormat: 'NCHW',
        filterShape: [3, 3, 3, 2],
      };
      const inputs = [normal([2, 3, 7, 6], 7), normal([2, 2, 4, 6], 8)];
      const run = (x: tf.Tensor, dy: tf.Tensor) =>
        tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
      const [expected] = await stockCpu(inputs, run);

      installKernels(backend);
      const [actual] = await runOn(backend, inputs, run);
      expectScaledClose(actual as Float32Array, expected as Float32Array);
    },
  );

  it('handle NCHW data in the input kernel on wasm', async () => {
    const attrs = {
      strides: 2,
      pad: 'valid',
      dataFormat: 'NCHW',
      inputShape: [2, 3, 7, 6],
    };
    const inputs = [normal([2, 2, 3, 2], 9), normal([3, 3, 3, 2], 10)];
    const run = (dy: tf.Tensor, filter: tf.Tensor) =>
      tf
        .engine()
        .runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor;
    const [expected] = await stockCpu(inputs, run);

    installKernels('wasm');
    const [actual] = await runOn('wasm', inputs, run);
    expectScaledClose(actual as Float32Array, expected as Float32Array);
  });

  it.each(['cpu', 'wasm'])(
    'leave no tensors or backend data behind on %s',
    async (backend) => {
      await tf.setBackend(backend);
      installKernels(backend);
      const c = CASES[2] as ConvCase;
      const inputs: Data[] = [normal(c.x, 11), normal(c.f, 12)];
      const [x, w] = inputs.map(tensor) as [tf.Tensor, tf.Tensor];
      const r = tf.ones(outShape(c));
      expectNoLeaks(() => tf.dispose(convGrads(c)(x, w, r)));
      tf.dispose([x, w, r]);
    },
  );
});

interface Conv1dCase {
  x: [number, number, number];
  f: [number, number, number];
  s: number;
  p: 'same' | 'valid';
}

// Numeric padding is left out: tfjs 4.22's conv1d also pads its dummy
// height axis and then fails to reshape, before any gradient runs.
const CONV1D_CASES: Conv1dCase[] = [
  { x: [2, 12, 3], f: [3, 3, 4], s: 1, p: 'same' },
  { x: [2, 12, 3], f: [3, 3, 4], s: 2, p: 'valid' },
  { x: [3, 15, 2], f: [5, 2, 3], s: 2, p: 'same' },
  { x: [1, 9, 4], f: [1, 4, 2], s: 3, p: 'valid' },
  { x: [2, 10, 2], f: [4, 2, 2], s: 1, p: 'same' },
];

describe('Conv1D gradients with modalfuse kernels', () => {
  it.each(CONV1D_CASES)(
    'equal the cpu stock gradients for x $x, filter $f, stride $s, pad $p',
    async (c) => {
      const yShape = [
        c.x[0],
        ...tf.backend_util
          .computeConv2DInfo(
            [c.x[0], 1, c.x[1], c.x[2]],
            [1, ...c.f],
            [1, c.s],
            1,
            c.p,
          )
          .outShape.slice(2),
      ];
      const grads = (x: tf.Tensor, w: tf.Tensor, r: tf.Tensor) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.mul(tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, c.s, c.p), r),
          ),
        )([x, w]);
      const inputs = [normal(c.x, 13), normal(c.f, 14), normal(yShape, 15)];
      const [dx, dw] = await stockCpu(inputs, grads);

      for (const backend of ['cpu', 'wasm']) {
        installKernels(backend);
        const [ox, ow] = await runOn(backend, inputs, grads);
        expectScaledClose(ox as Float32Array, dx as Float32Array);
        expectScaledClose(ow as Float32Array, dw as Float32Array);
      }
    },
  );

  it('is refused by tfjs 4.22 itself for dilations above 1, on any backend', async () => {
    installKernels('wasm');
    await tf.setBackend('wasm');
    const x = tf.ones([1, 9, 2]) as tf.Tensor3D;
    const w = tf.ones([3, 2, 2]) as tf.Tensor3D;
    const loss = (f: tf.Tensor) =>
      tf.sum(tf.conv1d(x, f as tf.Tensor3D, 1, 'same', 'NWC', 2));
    expect(() => tf.grad(loss)(w)).toThrow(/dilation/);
    tf.dispose([x, w]);
  });
});

describe('Conv2D gradient kernels input checks', () => {
  it('reject a dy of the wrong shape, naming expected and received shapes', async () => {
    installKernels('wasm');
    await tf.setBackend('wasm');
    const x = tf.ones([1, 6, 6, 2]);
    const dy = tf.ones([1, 5, 5, 3]);
    const w = tf.ones([3, 3, 2, 3]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { ...attrs, filterShape: [3, 3, 2, 3] },
        ),
    ).toThrow(
      /expected x \[1,6,6,2\] and dy \[1,6,6,3\] .*received x \[1,6,6,2\] and dy \[1,5,5,3\]/,
    );
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter: w },
          { ...attrs, inputShape: [1, 6, 6, 2] },
        ),
    ).toThrow(/expected dy \[1,6,6,3\] .*received dy \[1,5,5,3\]/);
    tf.dispose([x, dy, w]);
  });
});
