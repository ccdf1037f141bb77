/**
 * `lstmSequence`: a stack of LSTM layers over a whole sequence as one
 * differentiable op, backed by modalfuse's LSTM kernels where they are
 * registered and by tfjs ops with autodiff elsewhere.
 *
 * Not part of the public API; the LSTM encoder is its user.
 */
import * as tf from '@tensorflow/tfjs-core';

import { lstmBackwardKernel } from './lstm-backward';
import { lstmForwardKernel } from './lstm-forward';
import {
  dropoutName,
  LSTM_BACKWARD,
  LSTM_FORWARD,
  LSTM_KERNEL_BACKENDS,
  type LstmKernelOptions,
  type LstmSequenceAttrs,
} from './lstm-kernels';
import { lstmSequenceReference } from './lstm-reference';

/**
 * Per backend: wasm's strided slice of a `[64, 128]` product costs about
 * 15 us, less than one more product call; the cpu backend's costs 2 to
 * 4 ms (it visits every element through index arithmetic), more than the
 * product it saves.
 */
const OPTIONS: Readonly<Record<string, LstmKernelOptions>> = {
  cpu: { jointInputProducts: false },
  wasm: { jointInputProducts: true },
};

/** Inputs of {@link lstmSequence}. */
export interface LstmSequenceArgs {
  /** Input sequence `[batch, time, features]`. */
  x: tf.Tensor;
  /** Per layer, bottom first: kernel `[in, 4u]` (gates i, f, c, o). */
  kernels: tf.Tensor[];
  /** Per layer: recurrent kernel `[u, 4u]`. */
  recurrentKernels: tf.Tensor[];
  /** Per layer: bias `[4u]`. */
  biases: tf.Tensor[];
  /** Optional mask `[batch, time]`; 0 or false carries the state over. */
  mask?: tf.Tensor | null;
  /**
   * Optional dropout between layers: for every layer but the top, one
   * tensor `[batch, u]` per step (0 or 1/keep) multiplied into its output.
   */
  dropoutMasks?: tf.Tensor[][] | null;
  /** Output the top layer's whole sequence instead of its last output. */
  returnSequences: boolean;
}

/**
 * The configs of the forward and backward LSTM kernels for `backendName`.
 *
 * @param backendName - The backend whose kernels they run.
 * @returns Two configs to pass to `tf.registerKernel`.
 */
export function lstmKernelConfigs(backendName: string): tf.KernelConfig[] {
  const options = OPTIONS[backendName] ?? { jointInputProducts: true };
  return [
    {
      kernelName: LSTM_FORWARD,
      backendName,
      kernelFunc: lstmForwardKernel(backendName),
    },
    {
      kernelName: LSTM_BACKWARD,
      backendName,
      kernelFunc: lstmBackwardKernel(backendName, options),
    },
  ];
}

/**
 * Registers the LSTM kernels for `backendName` unless they are registered
 * already. Backends they are not tested on get none.
 *
 * @param backendName - The backend; the active one when omitted.
 * @returns Whether the backend has the kernels now.
 */
export function ensureLstmKernels(
  backendName: string = tf.getBackend(),
): boolean {
  if (!LSTM_KERNEL_BACKENDS.includes(backendName)) return false;
  for (const config of lstmKernelConfigs(backendName)) {
    if (tf.getKernel(config.kernelName, backendName) === undefined) {
      tf.registerKernel(config);
    }
  }
  return true;
}

/**
 * Runs an LSTM stack over a sequence. Gradients flow to `x` and to every
 * weight. On backends with the LSTM kernels, the forward pass records one
 * node on the gradient tape and the backward pass is one kernel; elsewhere
 * the same computation runs as tfjs ops.
 *
 * @param args - See {@link LstmSequenceArgs}.
 * @returns `[batch, time, u]` with `returnSequences`, else `[batch, u]`.
 */
export function lstmSequence(args: LstmSequenceArgs): tf.Tensor {
  if (!ensureLstmKernels()) return lstmSequenceReference(args);
  const engine = tf.engine();
  const x = args.x.dtype === 'float32' ? args.x : tf.cast(args.x, 'float32');
  const attrs: LstmSequenceAttrs = {
    units: args.recurrentKernels.map((u) => u.shape[0] as number),
    returnSequences: args.returnSequences,
    hasMask: args.mask != null,
    hasDropout: (args.dropoutMasks?.length ?? 0) > 0,
    save: false,
  };
  const flat = args.kernels.flatMap((k, l) => [
    k,
    args.recurrentKernels[l] as tf.Tensor,
    args.biases[l] as tf.Tensor,
  ]);
  const fixed: tf.Tensor[] = [];
  if (args.mask != null) fixed.push(args.mask);
  args.dropoutMasks?.forEach((steps) => fixed.push(...steps));
  const named = (weights: tf.Tensor[], constants: tf.Tensor[]) =>
    namedInputs(attrs, weights, constants);

  if (!engine.isTapeOn()) {
    const [output] = engine.runKernel(
      LSTM_FORWARD,
      { x, ...named(flat, fixed) },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    return output as tf.Tensor;
  }

  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = inputs.pop() as tf.GradSaveFunc;
    const [input, ...weights] = inputs as tf.Tensor[];
    const [value, ...saved] = engine.runKernel(
      LSTM_FORWARD,
      { x: input as tf.Tensor, ...named(weights, fixed) },
      { ...attrs, save: true } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    // The weights and constants are kept for the backward pass too: the
    // caller may dispose them before it runs.
    save([...saved, ...weights, ...fixed]);
    return {
      value: value as tf.Tensor,
      gradFunc: (dy: tf.Tensor, kept: tf.Tensor[]) => {
        const n = saved.length;
        const savedInputs: tf.NamedTensorMap = {};
        kept.slice(0, n).forEach((t, k) => (savedInputs[`saved${k}`] = t));
        return engine.runKernel(
          LSTM_BACKWARD,
          {
            dy,
            ...savedInputs,
            ...named(
              kept.slice(n, n + weights.length),
              kept.slice(n + weights.length),
            ),
          },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      },
    };
  });
  return op(x, ...flat);
}

/** The weight, mask and dropout inputs by kernel input name. */
function namedInputs(
  attrs: LstmSequenceAttrs,
  weights: tf.Tensor[],
  constants: tf.Tensor[],
): tf.NamedTensorMap {
  const named: tf.NamedTensorMap = {};
  attrs.units.forEach((_, l) => {
    named[`kernel${l}`] = weights[3 * l] as tf.Tensor;
    named[`recurrent${l}`] = weights[3 * l + 1] as tf.Tensor;
    named[`bias${l}`] = weights[3 * l + 2] as tf.Tensor;
  });
  let k = 0;
  if (attrs.hasMask) named['mask'] = constants[k++] as tf.Tensor;
  if (attrs.hasDropout) {
    const time = (constants.length - k) / (attrs.units.length - 1);
    for (let l = 0; l < attrs.units.length - 1; l++) {
      for (let t = 0; t < time; t++) {
        named[dropoutName(l, t)] = constants[k++] as tf.Tensor;
      }
    }
  }
  return named;
}
