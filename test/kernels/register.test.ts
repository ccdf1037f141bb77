import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';

import {
  gradientKernelConfigs,
  installedKernels,
  installKernels,
  uninstallKernels,
} from '../../src/kernels';
import { data, runOn } from './kernel-helpers';

const WASM_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'UnsortedSegmentSum',
];

/** The registry entries of `names` for `backend`, undefined where absent. */
function snapshot(backend: string, names: string[]) {
  return names.map((name) => tf.getKernel(name, backend));
}

afterEach(() => {
  uninstallKernels();
});

describe('installKernels', () => {
  it('registers the four wasm kernels and reports them', () => {
    expect(installKernels('wasm').sort()).toEqual(WASM_KERNELS);
    expect(installedKernels()).toEqual(
      WASM_KERNELS.map((kernelName) => ({ backendName: 'wasm', kernelName })),
    );
  });

  it('registers the filter and max-pool gradients for cpu', () => {
    expect(installKernels('cpu')).toEqual([
      'Conv2DBackpropFilter',
      'MaxPoolGrad',
    ]);
    expect(installedKernels()).toEqual([
      { backendName: 'cpu', kernelName: 'Conv2DBackpropFilter' },
      { backendName: 'cpu', kernelName: 'MaxPoolGrad' },
    ]);
  });

  it('defaults to the active backend', async () => {
    await tf.setBackend('wasm');
    expect(installKernels()).toHaveLength(4);
    await tf.setBackend('cpu');
  });

  it('is idempotent: a second call changes nothing', () => {
    installKernels('wasm');
    const first = snapshot('wasm', WASM_KERNELS);
    expect(installKernels('wasm')).toHaveLength(4);
    expect(snapshot('wasm', WASM_KERNELS)).toEqual(first);
    expect(installedKernels()).toHaveLength(4);
  });

  it('registers nothing for a backend that needs none', () => {
    tf.registerBackend('kernels-test-dummy', () => tf.findBackend('cpu')!, -1);
    try {
      expect(installKernels('kernels-test-dummy')).toEqual([]);
      expect(installedKernels()).toEqual([]);
      expect(tf.getKernelsForBackend('kernels-test-dummy')).toEqual([]);
    } finally {
      tf.removeBackend('kernels-test-dummy');
    }
  });

  it('rejects an unregistered backend, naming the registered ones', () => {
    expect(() => installKernels('webgpu-missing')).toThrow(RangeError);
    expect(() => installKernels('webgpu-missing')).toThrow(
      /installKernels: expected the name of a registered tfjs backend \(.*'cpu'.*'wasm'.*\), received "webgpu-missing"/,
    );
  });

  it('re-installs a kernel that a later registration replaced', () => {
    const stock = tf.getKernel('MaxPoolGrad', 'wasm')!;
    installKernels('wasm');
    // What a second copy of the wasm package would do on import.
    const reimported = { ...stock };
    tf.unregisterKernel('MaxPoolGrad', 'wasm');
    tf.registerKernel(reimported);
    expect(installedKernels()).toHaveLength(3);

    installKernels('wasm');
    expect(installedKernels()).toHaveLength(4);
    uninstallKernels('wasm');
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(reimported);
  });

  it('exports configs that work when registered by hand', async () => {
    const configs = gradientKernelConfigs('wasm');
    expect(configs.map((c) => c.kernelName).sort()).toEqual(WASM_KERNELS);
    expect(configs.every((c) => c.backendName === 'wasm')).toBe(true);
    expect(gradientKernelConfigs('webgl')).toEqual([]);

    const segment = configs.find((c) => c.kernelName === 'UnsortedSegmentSum')!;
    tf.registerKernel(segment);
    try {
      const [sums] = await runOn(
        'wasm',
        [data([1, 2, 3], [3]), data([1, 0, 1], [3], 'int32')],
        (x, ids) => tf.unsortedSegmentSum(x, ids as tf.Tensor1D, 2),
      );
      expect(Array.from(sums as Float32Array)).toEqual([2, 4]);
    } finally {
      tf.unregisterKernel('UnsortedSegmentSum', 'wasm');
      await tf.setBackend('cpu');
    }
  });
});

describe('uninstallKernels', () => {
  it('restores the exact stock configs and removes kernels wasm lacks', () => {
    const wasmBefore = snapshot('wasm', WASM_KERNELS);
    const cpuBefore = snapshot('cpu', ['Conv2DBackpropFilter', 'MaxPoolGrad']);
    expect(wasmBefore[0]).toBeUndefined(); // no filter gradient on wasm
    expect(wasmBefore[3]).toBeUndefined(); // no UnsortedSegmentSum on wasm

    installKernels('wasm');
    installKernels('cpu');
    expect(snapshot('wasm', WASM_KERNELS)).not.toEqual(wasmBefore);

    const removed = uninstallKernels();
    expect(removed).toHaveLength(6);
    expect(snapshot('wasm', WASM_KERNELS)).toEqual(wasmBefore);
    expect(snapshot('cpu', ['Conv2DBackpropFilter', 'MaxPoolGrad'])).toEqual(
      cpuBefore,
    );
    expect(installedKernels()).toEqual([]);
  });

  it('is idempotent and can be limited to one backend', () => {
    installKernels('wasm');
    installKernels('cpu');
    expect(uninstallKernels('cpu')).toEqual([
      { backendName: 'cpu', kernelName: 'Conv2DBackpropFilter' },
      { backendName: 'cpu', kernelName: 'MaxPoolGrad' },
    ]);
    expect(uninstallKernels('cpu')).toEqual([]);
    expect(installedKernels()).toHaveLength(4);
    expect(uninstallKernels()).toHaveLength(4);
    expect(uninstallKernels()).toEqual([]);
  });

  it('leaves alone a kernel that something else registered over ours', () => {
    const stock = tf.getKernel('Conv2DBackpropFilter', 'cpu')!;
    installKernels('cpu');
    const theirs = { ...tf.getKernel('Conv2DBackpropFilter', 'cpu')! };
    tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
    tf.registerKernel(theirs);
    // Ours is gone from the filter gradient, so only the max-pool
    // gradient is ours to remove.
    expect(uninstallKernels('cpu')).toEqual([
      { backendName: 'cpu', kernelName: 'MaxPoolGrad' },
    ]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(theirs);
    tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
    tf.registerKernel(stock);
  });
});
