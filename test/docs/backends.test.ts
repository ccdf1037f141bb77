import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import type { InstalledKernel } from '../../src/index';
import { runGuideExample } from './snippets';

describe('docs/guides/backends.md', () => {
  it('trains a plain CNN on wasm with the kernels, and fails without them', async () => {
    const x = (await runGuideExample('backends', [
      'onWasm',
      'onCpu',
      'history',
      'installed',
      'removed',
      'error',
    ])) as {
      onWasm: string[];
      onCpu: string[];
      history: tfl.History;
      installed: InstalledKernel[];
      removed: InstalledKernel[];
      error: string;
    };

    expect(tf.getBackend()).toBe('wasm');
    expect(x.onWasm).toEqual([
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'MaxPoolGrad',
      'UnsortedSegmentSum',
    ]);
    expect(x.onCpu).toEqual(['Conv2DBackpropFilter', 'MaxPoolGrad']);
    expect(x.installed).toEqual([
      { backendName: 'cpu', kernelName: 'Conv2DBackpropFilter' },
      { backendName: 'cpu', kernelName: 'MaxPoolGrad' },
      ...x.onWasm.map((kernelName) => ({ backendName: 'wasm', kernelName })),
    ]);

    const loss = x.history.history.loss as number[];
    expect(loss).toHaveLength(8);
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(loss.at(-1)!).toBeLessThan(loss[0]! / 2);

    expect(x.removed).toHaveLength(6);
    expect(x.error).toMatch(/Conv2DBackpropFilter/);
    expect(x.error).toMatch(/wasm/);
    await tf.setBackend('cpu');
  });
});
