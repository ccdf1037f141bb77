/**
 * The backward kernel of modalfuse's LSTM stack,
 * `ModalfuseLstmSequenceGrad`: backpropagation through time written out,
 * composed from a backend's own kernels.
 *
 * Per layer and step (last step first) only what the recurrence needs:
 * the gate arithmetic on `[batch, units]` tensors and one product per gate
 * with that gate's transposed weights, which gives the gradient of
 * `h_{t-1}` (and, above the bottom layer, of the layer's input at `t`,
 * which is what the layer below needs at that step). Everything else is
 * done once for all steps: the kernel and recurrent-kernel gradients are
 * one product of the stacked `[x_t, h_{t-1}]` rows with each gate's stacked
 * pre-activation gradients, the bias gradient a product with a row of
 * ones, and the input gradient of the bottom layer one product per gate.
 *
 * Every product runs untransposed on explicitly transposed operands: the
 * wasm backend's matrix product is fast (XNNPACK) only without transposes
 * and about ten times slower with them (35 ms against 3 ms for
 * `[64, 1280] x [1280, 256]`), which is what makes autodiff of an LSTM
 * slow there.
 *
 * With `g = tanh(z_g)`, `tc = tanh(c_t)`, `h_t = o tc` and
 * `c_t = f c_{t-1} + i g`, and incoming gradients `dh` and `dc`:
 * `dc' = dc + dh o (1 - tc^2)`, `dz_o = dh tc o (1 - o)`,
 * `dz_i = dc' g i (1 - i)`, `dz_f = dc' c_{t-1} f (1 - f)`,
 * `dz_g = dc' i (1 - g^2)`, `dc_{t-1} = dc' f`. At a masked step the
 * incoming gradients pass to step `t - 1` unchanged and the gates get none.
 */
import * as tf from '@tensorflow/tfjs-core';

import { KernelScope } from './kernel-scope';
import {
  addOptional,
  type Constants,
  constants,
  dropoutName,
  input,
  KeepConditions,
  LSTM_BACKWARD,
  type LstmKernelOptions,
  type LstmSequenceAttrs,
  maskSteps,
  SAVED,
  SAVED_PER_STEP,
  splitGates,
  splitTime,
  withKernelScopeMulti,
} from './lstm-kernels';

const WHERE = LSTM_BACKWARD;

/** Per-step saved tensors of one layer, by name. */
type Step = Record<keyof typeof SAVED, tf.TensorInfo>;

/** What the backward pass of one layer returns. */
interface LayerGrads {
  /** Gradient of the layer's input at every step, above the bottom. */
  inputs: tf.TensorInfo[] | null;
  /** Kernel, recurrent kernel and bias gradients. */
  weights: tf.TensorInfo[];
  /** Pre-activation gradients per gate, `[1, time * batch, units]`. */
  dz: tf.TensorInfo[];
}

/**
 * Runs the backward pass on the scope's backend.
 *
 * @param scope - Scope whose backend runs the kernels and owns temporaries.
 * @param inputs - The forward inputs (but `x`), `dy` and `saved{k}`.
 * @param attrs - The forward kernel's attributes.
 * @param options - How to compose the kernels on this backend.
 * @returns The gradients of `x`, then of each layer's kernel, recurrent
 *   kernel and bias, bottom layer first.
 */
export function lstmBackwardImpl(
  scope: KernelScope,
  inputs: tf.NamedTensorInfoMap,
  attrs: LstmSequenceAttrs,
  options: LstmKernelOptions,
): tf.TensorInfo[] {
  const layers = attrs.units.length;
  const savedCount = Object.keys(inputs).filter((k) =>
    k.startsWith('saved'),
  ).length;
  const time = savedCount / (SAVED_PER_STEP * layers);
  const steps = (l: number): Step[] =>
    Array.from({ length: time }, (_, t) => {
      const base = (l * time + t) * SAVED_PER_STEP;
      const get = (k: number) => input(WHERE, inputs, `saved${base + k}`);
      return {
        a: get(SAVED.a),
        i: get(SAVED.i),
        f: get(SAVED.f),
        g: get(SAVED.g),
        o: get(SAVED.o),
        c: get(SAVED.c),
        tc: get(SAVED.tc),
      };
    });
  const keep = attrs.hasMask
    ? new KeepConditions(scope, maskSteps(scope, input(WHERE, inputs, 'mask')))
    : null;
  const c = constants(scope);

  // Gradient arriving at the top layer's output, per step.
  const dy = scope.cast(input(WHERE, inputs, 'dy'), 'float32');
  let incoming: (tf.TensorInfo | null)[] = attrs.returnSequences
    ? splitTime(scope, scope.transpose(dy, [1, 0, 2]))
    : Array.from({ length: time }, (_, t) => (t === time - 1 ? dy : null));

  const grads: tf.TensorInfo[][] = [];
  let dx: tf.TensorInfo | null = null;
  for (let l = layers - 1; l >= 0; l--) {
    const result = backLayer(
      scope,
      inputs,
      l,
      steps(l),
      incoming,
      keep,
      c,
      options,
    );
    grads[l] = result.weights;
    if (result.inputs !== null) {
      incoming = result.inputs.map((d, t) =>
        attrs.hasDropout
          ? scope.run('Multiply', {
              a: d,
              b: input(WHERE, inputs, dropoutName(l - 1, t)),
            })
          : d,
      );
    } else {
      dx = bottomInputGrad(scope, inputs, result.dz, time);
    }
  }
  return [dx as tf.TensorInfo, ...grads.flat()];
}

/** Backpropagates through layer `l`, last step first. */
function backLayer(
  scope: KernelScope,
  inputs: tf.NamedTensorInfoMap,
  l: number,
  steps: Step[],
  incoming: (tf.TensorInfo | null)[],
  keep: KeepConditions | null,
  { one }: Constants,
  options: LstmKernelOptions,
): LayerGrads {
  const kernel = scope.cast(input(WHERE, inputs, `kernel${l}`), 'float32');
  const recurrent = scope.cast(
    input(WHERE, inputs, `recurrent${l}`),
    'float32',
  );
  const [features, units] = [kernel.shape[0], recurrent.shape[0]] as [
    number,
    number,
  ];
  const batch = (steps[0] as Step).a.shape[0] as number;
  const bottom = l === 0;
  // Per gate, transposed weights [1, u, n] for the products that carry
  // dz back: [W; U] jointly, or U and W separately (no input part at the
  // bottom, whose input gradient is one product over all steps at the end).
  const joint = !bottom && options.jointInputProducts;
  const perGate = (m: tf.TensorInfo) =>
    splitGates(scope, m, true).map((t) => scope.reshape(t, [1, ...t.shape]));
  const back = perGate(
    joint ? scope.run('Concat', [kernel, recurrent], { axis: 0 }) : recurrent,
  );
  const toInput = bottom || joint ? null : perGate(kernel);
  const mul = (a: tf.TensorInfo, b: tf.TensorInfo) =>
    scope.run('Multiply', { a, b });
  const sub = (a: tf.TensorInfo, b: tf.TensorInfo) =>
    scope.run('Sub', { a, b });
  const zeros = scope.zeros([batch, units]);

  let dh: tf.TensorInfo | null = null; // gradient of h_t from step t + 1
  let dc: tf.TensorInfo | null = null; // gradient of c_t from step t + 1
  const dz: tf.TensorInfo[][] = [[], [], [], []];
  const dInputs: tf.TensorInfo[] = [];
  for (let t = steps.length - 1; t >= 0; t--) {
    const s = steps[t] as Step;
    let dhT = addOptional(scope, dh, incoming[t] ?? null) ?? zeros;
    let dcT = dc ?? zeros;
    let dhPass: tf.TensorInfo | null = null;
    let dcPass: tf.TensorInfo | null = null;
    const k = keep?.at(t, units);
    if (k) {
      dhPass = scope.run('Select', { condition: k, t: zeros, e: dhT });
      dcPass = scope.run('Select', { condition: k, t: zeros, e: dcT });
      dhT = scope.run('Select', { condition: k, t: dhT, e: zeros });
      dcT = scope.run('Select', { condition: k, t: dcT, e: zeros });
    }

    const cell = scope.run('Add', {
      a: dcT,
      b: mul(mul(dhT, s.o), sub(one, mul(s.tc, s.tc))),
    });
    const cPrev = t > 0 ? (steps[t - 1] as Step).c : null;
    const dzi = mul(mul(cell, s.g), sub(s.i, mul(s.i, s.i)));
    const dzf = cPrev ? mul(mul(cell, cPrev), sub(s.f, mul(s.f, s.f))) : zeros;
    const dzg = mul(mul(cell, s.i), sub(one, mul(s.g, s.g)));
    const dzo = mul(mul(dhT, s.tc), sub(s.o, mul(s.o, s.o)));
    const gates = [dzi, dzf, dzg, dzo];
    gates.forEach((d, gate) => (dz[gate] as tf.TensorInfo[]).unshift(d));

    const sum = sumOfProducts(scope, gates, back);
    if (joint) {
      dInputs.unshift(scope.slice(sum, [0, 0], [batch, features]));
      const rec = scope.slice(sum, [0, features], [batch, units]);
      dh = addOptional(scope, rec, dhPass);
    } else {
      if (toInput) dInputs.unshift(sumOfProducts(scope, gates, toInput));
      dh = addOptional(scope, sum, dhPass);
    }
    dc = addOptional(scope, mul(cell, s.f), dcPass);
  }

  // Per gate, all steps in time order: [1, time * batch, u].
  const stacked = dz.map((d) =>
    scope.reshape(scope.run('Concat', d, { axis: 0 }), [
      1,
      steps.length * batch,
      units,
    ]),
  );
  const weights = weightGrads(scope, steps, stacked, features);
  return { inputs: bottom ? null : dInputs, weights, dz: stacked };
}

/** `sum over gates of dz_g w_g`, `[batch, n]` for weights `[1, u, n]`. */
function sumOfProducts(
  scope: KernelScope,
  dz: tf.TensorInfo[],
  weights: tf.TensorInfo[],
): tf.TensorInfo {
  const [batch, units] = (dz[0] as tf.TensorInfo).shape as [number, number];
  const products = dz.map((d, gate) =>
    scope.run(
      'BatchMatMul',
      { a: scope.reshape(d, [1, batch, units]), b: weights[gate] },
      { transposeA: false, transposeB: false },
    ),
  );
  const n = (weights[0] as tf.TensorInfo).shape[2] as number;
  return scope.reshape(scope.run('AddN', products), [batch, n]);
}

/**
 * Kernel, recurrent-kernel and bias gradients of one layer from all steps
 * at once: `[x_t, h_{t-1}]` rows stacked `[time * batch, in + u]`,
 * transposed once, times each gate's stacked `dz` `[1, time * batch, u]`.
 */
function weightGrads(
  scope: KernelScope,
  steps: Step[],
  dz: tf.TensorInfo[],
  features: number,
): tf.TensorInfo[] {
  const rows = steps.length * ((steps[0] as Step).a.shape[0] as number);
  const width = (steps[0] as Step).a.shape[1] as number;
  const units = width - features;
  const stacked = scope.run(
    'Concat',
    steps.map((s) => s.a),
    { axis: 0 },
  );
  const left = scope.transpose(stacked, [1, 0]);
  const left3 = scope.reshape(left, [1, width, rows]);
  const ones = scope.constant(
    new Float32Array(rows).fill(1),
    [1, 1, rows],
    'float32',
  );
  const perGate = dz.map((right) => {
    const attrs = { transposeA: false, transposeB: false };
    return {
      weights: scope.reshape(
        scope.run('BatchMatMul', { a: left3, b: right }, attrs),
        [width, units],
      ),
      bias: scope.reshape(
        scope.run('BatchMatMul', { a: ones, b: right }, attrs),
        [units],
      ),
    };
  });
  const all = scope.run(
    'Concat',
    perGate.map((g) => g.weights),
    { axis: 1 },
  ); // [in + u, 4u]
  return [
    scope.slice(all, [0, 0], [features, 4 * units]),
    scope.slice(all, [features, 0], [units, 4 * units]),
    scope.run(
      'Concat',
      perGate.map((g) => g.bias),
      { axis: 0 },
    ),
  ];
}

/** Gradient of the bottom layer's input `[batch, time, features]`. */
function bottomInputGrad(
  scope: KernelScope,
  inputs: tf.NamedTensorInfoMap,
  dz: tf.TensorInfo[],
  time: number,
): tf.TensorInfo {
  const kernel = scope.cast(input(WHERE, inputs, 'kernel0'), 'float32');
  const [features, four] = kernel.shape as [number, number];
  const units = four / 4;
  const batch = ((dz[0] as tf.TensorInfo).shape[1] as number) / time;
  const transposed = splitGates(scope, kernel, true); // 4 x [u, features]
  const products = dz.map((d, gate) => {
    const wt = transposed[gate] as tf.TensorInfo;
    return scope.run(
      'BatchMatMul',
      { a: d, b: scope.reshape(wt, [1, units, features]) },
      { transposeA: false, transposeB: false },
    );
  });
  const sum = scope.reshape(scope.run('AddN', products), [
    time,
    batch,
    features,
  ]);
  return scope.transpose(sum, [1, 0, 2]);
}

/**
 * The `ModalfuseLstmSequenceGrad` kernel function for `backendName`.
 *
 * @param backendName - The backend whose kernels it runs.
 * @param options - How to compose the kernels on that backend.
 * @returns A kernel function to register for that backend.
 */
export function lstmBackwardKernel(
  backendName: string,
  options: LstmKernelOptions,
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) =>
    withKernelScopeMulti(
      new KernelScope(WHERE, backendName, backend as tf.KernelBackend),
      (scope) =>
        lstmBackwardImpl(
          scope,
          inputs,
          attrs as unknown as LstmSequenceAttrs,
          options,
        ),
    );
}
