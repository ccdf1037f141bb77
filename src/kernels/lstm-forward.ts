/**
 * The forward kernel of modalfuse's LSTM stack, `ModalfuseLstmSequence`,
 * composed from a backend's own concat, fused matrix product, sigmoid,
 * elementwise, select, slice, reshape and transpose kernels.
 *
 * Per layer and step it runs one concat (`[x_t, h_{t-1}]`), four fused
 * products with the sigmoid applied inside the product kernel (one per
 * gate, so no gate ever has to be sliced out of a wide product), and about
 * ten small elementwise kernels. `tanh` is computed as `2 sigmoid(2x) - 1`:
 * on wasm the sigmoid kernel is about 15 times faster than tanh (6 us
 * against 100 us on `[64, 64]`), and for the candidate gate the factor 2
 * is folded into its weights (exact: a power of two).
 *
 * Deviation: the input projection is not one product over all steps. On
 * wasm, taking one step's rows out of a `[time * batch, 4 * units]`
 * projection costs a copy of the whole projection (`Slice` reads its
 * source back from the heap; `GatherV2` and `StridedSlice` copy
 * element by element): 480 to 540 us per step at 20 steps, batch 64 and 64
 * units, against about 15 us for the concat that lets the step's own
 * product take `x_t` along (measured on the 2-core development machine).
 * The weight gradients, where the same argument does not apply, are one
 * product over all steps (see `lstm-backward.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';

import { formatShape, ShapeError } from '../internal/errors';
import { KernelScope } from './kernel-scope';
import {
  type Constants,
  constants,
  dropoutName,
  type GateWeights,
  input,
  KeepConditions,
  LSTM_FORWARD,
  type LstmSequenceAttrs,
  maskSteps,
  splitGates,
  splitTime,
  withKernelScopeMulti,
} from './lstm-kernels';

const WHERE = LSTM_FORWARD;

/** What one layer's forward pass returns. */
interface LayerResult {
  /** Output `[batch, units]` at every step. */
  outputs: tf.TensorInfo[];
  /** `SAVED_PER_STEP` tensors per step, when saving. */
  saved: tf.TensorInfo[];
}

/**
 * Runs the stack on the scope's backend.
 *
 * @param scope - Scope whose backend runs the kernels and owns temporaries.
 * @param inputs - The kernel's named inputs (see {@link LstmSequenceAttrs}).
 * @param attrs - The kernel's attributes.
 * @returns The output (`[batch, time, units]` or `[batch, units]`),
 *   followed, when `attrs.save`, by the tensors the backward kernel needs.
 * @throws ShapeError when the weights do not fit the input.
 */
export function lstmForwardImpl(
  scope: KernelScope,
  inputs: tf.NamedTensorInfoMap,
  attrs: LstmSequenceAttrs,
): tf.TensorInfo[] {
  const x = scope.cast(input(WHERE, inputs, 'x'), 'float32');
  checkShapes(inputs, attrs, x.shape);
  const [batch, time] = x.shape as [number, number, number];
  const keep = attrs.hasMask
    ? new KeepConditions(scope, maskSteps(scope, input(WHERE, inputs, 'mask')))
    : null;
  const c = constants(scope);

  // [time, batch, features], one step at a time.
  let sequence = splitTime(scope, scope.transpose(x, [1, 0, 2]));
  const saved: tf.TensorInfo[] = [];
  attrs.units.forEach((_, l) => {
    const gates = forwardGates(scope, inputs, l, c);
    const result = runLayer(scope, sequence, gates, keep, c, attrs.save);
    saved.push(...result.saved);
    sequence = result.outputs;
    if (attrs.hasDropout && l < attrs.units.length - 1) {
      sequence = sequence.map((h, t) =>
        scope.run('Multiply', {
          a: h,
          b: input(WHERE, inputs, dropoutName(l, t)),
        }),
      );
    }
  });

  const top = attrs.units[attrs.units.length - 1] as number;
  const y = attrs.returnSequences
    ? scope.transpose(
        scope.reshape(scope.run('Concat', sequence, { axis: 0 }), [
          time,
          batch,
          top,
        ]),
        [1, 0, 2],
      )
    : (sequence[time - 1] as tf.TensorInfo);
  return [y, ...saved];
}

/**
 * The four gates' weights of layer `l` as `[1, in + u, u]` blocks and
 * their biases; the candidate gate's are doubled, so that its sigmoid
 * gives `(tanh + 1) / 2`.
 */
function forwardGates(
  scope: KernelScope,
  inputs: tf.NamedTensorInfoMap,
  l: number,
  c: Constants,
): GateWeights[] {
  const kernel = scope.cast(input(WHERE, inputs, `kernel${l}`), 'float32');
  const recurrent = scope.cast(
    input(WHERE, inputs, `recurrent${l}`),
    'float32',
  );
  const bias = scope.cast(input(WHERE, inputs, `bias${l}`), 'float32');
  const units = recurrent.shape[0] as number;
  const stacked = scope.run('Concat', [kernel, recurrent], { axis: 0 });
  return splitGates(scope, stacked).map((block, gate) => {
    let b = scope.slice(bias, [gate * units], [units]);
    let w = block;
    if (gate === 2) {
      w = scope.run('Multiply', { a: w, b: c.two });
      b = scope.run('Multiply', { a: b, b: c.two });
    }
    return { weights: scope.reshape(w, [1, ...w.shape]), bias: b };
  });
}

/** One layer over all steps; `inputs` holds `[batch, in]` per step. */
function runLayer(
  scope: KernelScope,
  inputs: tf.TensorInfo[],
  gates: GateWeights[],
  keep: KeepConditions | null,
  { one, two }: Constants,
  save: boolean,
): LayerResult {
  const batch = (inputs[0] as tf.TensorInfo).shape[0] as number;
  const units = (gates[0] as GateWeights).bias.shape[0] as number;
  const mul = (a: tf.TensorInfo, b: tf.TensorInfo) =>
    scope.run('Multiply', { a, b });
  const sub = (a: tf.TensorInfo, b: tf.TensorInfo) =>
    scope.run('Sub', { a, b });

  const zeros = scope.zeros([batch, units]);
  let h = zeros;
  let c = zeros;
  const outputs: tf.TensorInfo[] = [];
  const saved: tf.TensorInfo[] = [];
  inputs.forEach((x, t) => {
    // [batch, in + units]: the product's left side for all four gates.
    const a = scope.run('Concat', [x, h], { axis: 1 });
    const a3 = scope.reshape(a, [1, ...a.shape]);
    const [i, f, s, o] = gates.map((gate) =>
      scope.reshape(
        scope.run(
          '_FusedMatMul',
          { a: a3, b: gate.weights, bias: gate.bias },
          {
            transposeA: false,
            transposeB: false,
            activation: 'sigmoid',
            leakyreluAlpha: 0,
          },
        ),
        [batch, units],
      ),
    ) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];

    const g = sub(mul(s, two), one); // tanh of the candidate pre-activation
    const cNew = scope.run('Add', { a: mul(f, c), b: mul(i, g) });
    const tc = sub(mul(scope.run('Sigmoid', { x: mul(cNew, two) }), two), one);
    const hNew = mul(o, tc);

    const k = keep?.at(t, units) ?? null;
    h = k ? scope.run('Select', { condition: k, t: hNew, e: h }) : hNew;
    c = k ? scope.run('Select', { condition: k, t: cNew, e: c }) : cNew;
    outputs.push(h);
    if (save) saved.push(a, i, f, g, o, c, tc);
  });
  return { outputs, saved };
}

function checkShapes(
  inputs: tf.NamedTensorInfoMap,
  attrs: LstmSequenceAttrs,
  xShape: number[],
): void {
  let features = xShape[2];
  attrs.units.forEach((units, l) => {
    const kernel = input(WHERE, inputs, `kernel${l}`).shape;
    const recurrent = input(WHERE, inputs, `recurrent${l}`).shape;
    const bias = input(WHERE, inputs, `bias${l}`).shape;
    const expected = [[features, 4 * units], [units, 4 * units], [4 * units]];
    const received = [kernel, recurrent, bias];
    const same = expected.every(
      (shape, k) =>
        shape.length === received[k]?.length &&
        shape.every((d, j) => d === received[k]?.[j]),
    );
    if (xShape.length !== 3 || xShape[1] === 0 || !same) {
      throw new ShapeError(
        `${WHERE}: expected x [batch, time >= 1, features] and layer ${l} ` +
          `weights ${expected.map((s) => formatShape(s)).join(', ')}, ` +
          `received x ${formatShape(xShape)} and ` +
          received.map((s) => formatShape(s)).join(', '),
      );
    }
    features = units;
  });
  // A mask or dropout mask of the wrong size would make the backend's
  // kernels read outside their buffers (wasm does not check), so both are
  // checked here, below every caller.
  const [batch, time] = xShape as [number, number];
  if (attrs.hasMask) {
    const mask = input(WHERE, inputs, 'mask').shape;
    if (mask.length !== 2 || mask[0] !== batch || mask[1] !== time) {
      throw new ShapeError(
        `${WHERE}: expected a mask ${formatShape([batch, time])}, ` +
          `received ${formatShape(mask)}`,
      );
    }
  }
  if (attrs.hasDropout) {
    attrs.units.slice(0, -1).forEach((units, l) => {
      for (let t = 0; t < time; t++) {
        const d = input(WHERE, inputs, `dropout${l}_${t}`).shape;
        if (d.length !== 2 || d[0] !== batch || d[1] !== units) {
          throw new ShapeError(
            `${WHERE}: expected dropout mask ${l}, step ${t} of shape ` +
              `${formatShape([batch, units])}, received ${formatShape(d)}`,
          );
        }
      }
    });
  }
}

/**
 * The `ModalfuseLstmSequence` kernel function for `backendName`.
 *
 * @param backendName - The backend whose kernels it runs.
 * @returns A kernel function to register for that backend.
 */
export function lstmForwardKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) =>
    withKernelScopeMulti(
      new KernelScope(WHERE, backendName, backend as tf.KernelBackend),
      (scope) =>
        lstmForwardImpl(scope, inputs, attrs as unknown as LstmSequenceAttrs),
    );
}
