import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { installKernels, uninstallKernels } from '../../src/kernels';
import {
  data,
  expectNoLeaks,
  expectScaledClose,
  normal,
  runOn,
  stockCpu,
} from './kernel-helpers';

afterAll(() => {
  uninstallKernels();
});

interface SegmentCase {
  name: string;
  shape: number[];
  ids: number[];
  segments: number;
}

const CASES: SegmentCase[] = [
  { name: 'repeated', shape: [6, 3], ids: [1, 1, 0, 1, 2, 0], segments: 3 },
  { name: 'missing', shape: [4, 2], ids: [3, 3, 0, 0], segments: 5 },
  { name: 'out-of-order', shape: [5], ids: [4, 0, 3, 1, 2], segments: 5 },
  {
    name: 'negative and too large',
    shape: [6, 2, 2],
    ids: [2, -1, 0, 7, 2, -3],
    segments: 3,
  },
  {
    name: 'single-segment',
    shape: [7, 4],
    ids: [0, 0, 0, 0, 0, 0, 0],
    segments: 1,
  },
];

function segmentSum(segments: number) {
  return (x: tf.Tensor, ids: tf.Tensor) =>
    tf.unsortedSegmentSum(x, ids as tf.Tensor1D, segments);
}

describe('UnsortedSegmentSum built from backend kernels', () => {
  it.each(CASES)(
    'equals the cpu stock result on wasm for $name float32 ids $ids',
    async (c) => {
      const inputs = [
        normal(c.shape, 31),
        data(c.ids, [c.ids.length], 'int32'),
      ];
      const [expected] = await stockCpu(inputs, segmentSum(c.segments));

      installKernels('wasm');
      const [actual] = await runOn('wasm', inputs, segmentSum(c.segments));
      expectScaledClose(actual as Float32Array, expected as Float32Array);
    },
  );

  it.each(CASES)(
    'equals the cpu stock values on wasm for $name int32 ids $ids',
    async (c) => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const values = Array.from(
        { length: size },
        (_, i) => ((i * 7919) % 97) - 40,
      );
      const inputs = [
        data(values, c.shape, 'int32'),
        data(c.ids, [c.ids.length], 'int32'),
      ];
      const [expected] = await stockCpu(inputs, segmentSum(c.segments));

      installKernels('wasm');
      await tf.setBackend('wasm');
      const out = tf.unsortedSegmentSum(
        tf.tensor(values, c.shape, 'int32'),
        tf.tensor1d(c.ids, 'int32'),
        c.segments,
      );
      expect(out.dtype).toBe('int32');
      expect(Array.from(out.dataSync())).toEqual(
        Array.from(expected as Float32Array),
      );
      out.dispose();
    },
  );

  it('sums the worked example exactly', async () => {
    installKernels('wasm');
    const x = data([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const ids = data([2, 0, 2, -1], [4], 'int32');
    const [sums] = await runOn('wasm', [x, ids], segmentSum(3));
    expect(Array.from(sums as Float32Array)).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('treats rank-2 ids as indexing the leading two axes together', async () => {
    installKernels('wasm');
    const x = data([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const ids = data([0, 1, 1, 1], [2, 2], 'int32');
    const [sums] = await runOn('wasm', [x, ids], (a, b) =>
      tf.unsortedSegmentSum(a, b as tf.Tensor1D, 2),
    );
    expect(Array.from(sums as Float32Array)).toEqual([1, 2, 15, 18]);
  });

  it('makes the gather (embedding) gradient on wasm equal the cpu one', async () => {
    const table = normal([10, 4], 32);
    const indices = data([3, 1, 3, 9, 0, 3, 7, 7], [2, 4], 'int32');
    const weights = normal([2, 4, 4], 33);
    const grad = (t: tf.Tensor, i: tf.Tensor, w: tf.Tensor) =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, i), w)))(t);
    const [expected] = await stockCpu([table, indices, weights], grad);

    installKernels('wasm');
    const [actual] = await runOn('wasm', [table, indices, weights], grad);
    expectScaledClose(actual as Float32Array, expected as Float32Array);
  });

  it('leaves no tensors or backend data behind on wasm', async () => {
    installKernels('wasm');
    await tf.setBackend('wasm');
    const x = tf.ones([50, 8]);
    const ids = tf.tensor1d(
      Array.from({ length: 50 }, (_, i) => (i % 13) - 2),
      'int32',
    );
    expectNoLeaks(() => tf.unsortedSegmentSum(x, ids, 9).dispose());
    tf.dispose([x, ids]);
  });
});

describe('UnsortedSegmentSum input checks', () => {
  it('rejects bool data, naming the dtypes expected and received', async () => {
    installKernels('wasm');
    await tf.setBackend('wasm');
    const x = tf.tensor1d([true, false], 'bool');
    const ids = tf.tensor1d([0, 1], 'int32');
    expect(() => tf.unsortedSegmentSum(x, ids, 2)).toThrow(
      /UnsortedSegmentSum: expected x of dtype float32 or int32, received "bool"/,
    );
    tf.dispose([x, ids]);
  });

  it('rejects ids whose shape is not a prefix of the data shape', async () => {
    installKernels('wasm');
    await tf.setBackend('wasm');
    const x = tf.ones([4, 2]);
    const ids = tf.tensor1d([0, 1, 1], 'int32');
    expect(() => tf.unsortedSegmentSum(x, ids, 2)).toThrow(
      /expected segmentIds whose shape is a prefix of x's \[4,2\], received \[3\]/,
    );
    tf.dispose([x, ids]);
  });
});
