import { readdir, rm } from 'node:fs/promises';

import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import type { StandardScaler } from '../../src/index';
import { expectClose } from '../helpers';
import { runGuideExample } from './snippets';

describe('docs/guides/saving-and-loading.md', () => {
  it('reloads the model from disk and from memory with equal predictions', async () => {
    const x = (await runGuideExample('saving-and-loading', [
      'dir',
      'fromDisk',
      'before',
      'afterDisk',
      'afterMemory',
      'restoredScaler',
    ])) as {
      dir: string;
      fromDisk: tfl.LayersModel;
      before: tf.Tensor;
      afterDisk: tf.Tensor;
      afterMemory: tf.Tensor;
      restoredScaler: StandardScaler;
    };
    try {
      expect((await readdir(x.dir)).sort()).toEqual([
        'model.json',
        'weights.bin',
      ]);
      expect(x.fromDisk.inputNames).toEqual(['prices', 'table']);
      expect(x.fromDisk.layers.map((l) => l.getClassName())).toContain(
        'modalfuse>GatedFusion',
      );
      expect(x.before.shape).toEqual([4, 1]);
      expectClose(x.afterDisk, x.before, { atol: 1e-6, rtol: 0 });
      expectClose(x.afterMemory, x.before, { atol: 1e-6, rtol: 0 });
      expect([...x.restoredScaler.mean]).toEqual([2, 20, 200]);
    } finally {
      await rm(x.dir, { recursive: true, force: true });
    }
  });
});
