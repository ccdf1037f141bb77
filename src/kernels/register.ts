/**
 * Installs modalfuse's gradient kernels into tfjs's kernel registry and
 * restores the stock kernels on request.
 *
 * Which kernels each backend gets:
 *
 * - `cpu`: `Conv2DBackpropFilter`, replacing the stock kernel, which is
 *   correct but 30 to 50 times slower (on the thesis CNN, 162 s of a 172 s
 *   training step at batch 64), and `MaxPoolGrad`, which gives the stock
 *   kernel's values exactly and took 25 to 35% less time on the thesis
 *   CNN's pooling shapes (2.8 s against 3.8 s per step at batch 64).
 *   modalfuse's input gradient is not installed there: on cpu it was 4 to
 *   37% slower than the stock one.
 * - `wasm`: `Conv2DBackpropFilter` and `UnsortedSegmentSum`, which the
 *   backend lacks (so conv layers and embeddings cannot train), plus
 *   `Conv2DBackpropInput` (the stock one is about 10 times slower) and
 *   `MaxPoolGrad` (the stock one picks the last of tied maxima and drops
 *   the gradient of windows whose maximum is not positive).
 * - any other backend (webgl, tensorflow, ...): nothing.
 *
 * The rule for callers: modalfuse's own layers and training helpers call
 * {@link installKernels} for the active backend before their first use;
 * users of plain `tf.layers` models call it once after choosing a backend
 * (after `await tf.setBackend(...)`). Calling {@link uninstallKernels}, or
 * never calling `installKernels`, opts out. Registration is global to the
 * copy of tfjs-core in use, like every tfjs kernel.
 *
 * Ordering: a backend package registers its own kernels when it is
 * imported, and a later registration of the same kernel replaces an earlier
 * one. `installKernels` therefore checks the registry each time it is
 * called, re-installs a kernel that something else replaced, and remembers
 * that replacement as the stock kernel to restore. It is idempotent and
 * cheap, so calling it before every training run is fine.
 *
 * The kernels are compositions of each backend's own kernels; their configs
 * are exported (see {@link gradientKernelConfigs}) for callers who register
 * kernels themselves.
 */
import * as tf from '@tensorflow/tfjs-core';

import { describe } from '../internal/errors';
import { logger } from '../internal/logger';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { maxPoolGradConfig } from './max-pool-grad';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** A kernel of modalfuse that is currently registered for a backend. */
export interface InstalledKernel {
  /** Backend the kernel is registered for, e.g. `'wasm'`. */
  backendName: string;
  /** tfjs kernel name, e.g. `'Conv2DBackpropFilter'`. */
  kernelName: string;
}

interface KernelSpec {
  kernelName: string;
  make: (backendName: string) => tf.KernelConfig;
}

const FILTER: KernelSpec = {
  kernelName: tf.Conv2DBackpropFilter,
  make: conv2DBackpropFilterConfig,
};

const MAX_POOL_GRAD: KernelSpec = {
  kernelName: tf.MaxPoolGrad,
  make: maxPoolGradConfig,
};

/** The kernels each backend gets; backends not listed get none. */
const SPECS: Readonly<Record<string, readonly KernelSpec[]>> = {
  cpu: [FILTER, MAX_POOL_GRAD],
  wasm: [
    FILTER,
    { kernelName: tf.Conv2DBackpropInput, make: conv2DBackpropInputConfig },
    MAX_POOL_GRAD,
    { kernelName: tf.UnsortedSegmentSum, make: unsortedSegmentSumConfig },
  ],
};

interface Installation {
  /** Our config, registered as this exact object. */
  ours: tf.KernelConfig;
  /** What the registry held before ours, restored on uninstall. */
  stock: tf.KernelConfig | undefined;
}

/** backendName -> kernelName -> what was installed and what it replaced. */
const installations = new Map<string, Map<string, Installation>>();

/**
 * Fresh configs of the kernels that {@link installKernels} registers for
 * `backendName` (empty for backends that need none), for callers who
 * register kernels themselves with `tf.registerKernel`.
 *
 * @param backendName - The backend the configs are for.
 * @returns One config per kernel, in a fixed order.
 */
export function gradientKernelConfigs(backendName: string): tf.KernelConfig[] {
  return (SPECS[backendName] ?? []).map(({ make }) => make(backendName));
}

/**
 * Registers modalfuse's gradient kernels for a backend, replacing the stock
 * ones (which are kept and can be restored with {@link uninstallKernels}).
 * Idempotent; re-installs any kernel that was replaced since the last call.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { installKernels } from 'modalfuse';
 *
 * await tf.setBackend('wasm');
 * installKernels(); // CNNs and embeddings now train on wasm
 * ```
 *
 * @param backendName - The backend to install for; the active one,
 *   `tf.getBackend()`, when omitted.
 * @returns Names of the modalfuse kernels now registered for the backend.
 * @throws RangeError when no backend of that name is registered with tfjs.
 */
export function installKernels(
  backendName: string = tf.getBackend(),
): string[] {
  assertBackend('installKernels', backendName);
  const specs = SPECS[backendName] ?? [];
  if (specs.length === 0) {
    logger.debug(() => `installKernels: backend '${backendName}' needs none`);
    return [];
  }

  const installed =
    installations.get(backendName) ?? new Map<string, Installation>();
  installations.set(backendName, installed);
  for (const { kernelName, make } of specs) {
    const previous = installed.get(kernelName);
    const ours = previous?.ours ?? make(backendName);
    const current = tf.getKernel(kernelName, backendName);
    if (current === ours) continue;

    // A kernel other than ours is the one to restore later.
    const stock = current ?? previous?.stock;
    if (previous !== undefined) {
      logger.debug(
        () =>
          `installKernels: '${kernelName}' for '${backendName}' was ` +
          'replaced since it was installed; installing it again',
      );
    }
    if (current !== undefined) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(ours);
    installed.set(kernelName, { ours, stock });
  }
  return [...installed.keys()];
}

/**
 * Restores the stock kernels that {@link installKernels} replaced. A
 * kernel that something else has replaced since is left alone.
 *
 * @param backendName - The backend to restore; all backends when omitted.
 * @returns The kernels that were uninstalled.
 */
export function uninstallKernels(backendName?: string): InstalledKernel[] {
  const names =
    backendName === undefined ? [...installations.keys()] : [backendName];
  const removed: InstalledKernel[] = [];
  for (const name of names) {
    const installed = installations.get(name);
    if (installed === undefined) continue;
    for (const [kernelName, { ours, stock }] of installed) {
      if (tf.getKernel(kernelName, name) !== ours) continue;
      tf.unregisterKernel(kernelName, name);
      if (stock !== undefined) restore(stock);
      removed.push({ backendName: name, kernelName });
    }
    installations.delete(name);
  }
  return removed;
}

/**
 * The modalfuse kernels that the registry currently holds, by backend and
 * kernel name in sorted order.
 *
 * @returns One entry per installed kernel.
 */
export function installedKernels(): InstalledKernel[] {
  const found: InstalledKernel[] = [];
  for (const [backendName, installed] of installations) {
    for (const [kernelName, { ours }] of installed) {
      if (tf.getKernel(kernelName, backendName) === ours) {
        found.push({ backendName, kernelName });
      }
    }
  }
  return found.sort(
    (a, b) =>
      a.backendName.localeCompare(b.backendName) ||
      a.kernelName.localeCompare(b.kernelName),
  );
}

/**
 * Registers a stock config again. Its `setupFunc` runs when the backend
 * initializes or becomes active; if the backend is already running (and
 * ours replaced the stock kernel before that), run it now so the restored
 * kernel works without another `tf.setBackend`.
 */
function restore(stock: tf.KernelConfig): void {
  tf.registerKernel(stock);
  const running = tf.engine().registry[stock.backendName];
  if (running !== undefined && stock.setupFunc !== undefined) {
    stock.setupFunc(running);
  }
}

function assertBackend(where: string, backendName: unknown): void {
  if (typeof backendName !== 'string') {
    throw new TypeError(
      `${where}: expected a backend name, received ${describe(backendName)}`,
    );
  }
  if (tf.findBackendFactory(backendName) == null) {
    const known = Object.keys(tf.engine().registryFactory).sort();
    throw new RangeError(
      `${where}: expected the name of a registered tfjs backend ` +
        `(${known.map((k) => `'${k}'`).join(', ')}), received ` +
        `${describe(backendName)}; import its package first`,
    );
  }
}
