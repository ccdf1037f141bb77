/**
 * Stacked LSTM sequence encoder.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { assertInRange, assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, formatShape, formatShapes } from '../internal/errors';
import { INITIALIZER_NAMES, type InitializerName } from '../internal/init';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
  asShapeList,
  asTensorList,
  baseLayerArgs,
  isTraining,
} from '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';

/** Options of {@link LstmEncoder}. */
export interface LstmEncoderArgs {
  /** Units of each LSTM layer, bottom first; a number means one layer. */
  units: number | number[];
  /**
   * Dropout rate applied to the output of every LSTM layer while training.
   * @defaultValue 0
   */
  dropout?: number;
  /**
   * Return the top layer's output at every step, `[batch, time, units]`,
   * instead of its last state, `[batch, units]`.
   * @defaultValue false
   */
  returnSequences?: boolean;
  /**
   * Initialiser of the input kernels.
   * @defaultValue 'glorotUniform'
   */
  kernelInitializer?: InitializerName;
  /**
   * Initialiser of the recurrent kernels.
   * @defaultValue 'orthogonal'
   */
  recurrentInitializer?: InitializerName;
  /**
   * Start the forget-gate bias at 1 (Jozefowicz et al. 2015), as Keras does.
   * @defaultValue true
   */
  unitForgetBias?: boolean;
  /** Seed of the initial weights and dropout masks; omit for a random one. */
  seed?: number;
  /** Layer name; must be unique within a model. */
  name?: string;
  /** Whether the weights are updated by training. @defaultValue true */
  trainable?: boolean;
}

interface LstmWeights {
  kernel: tfl.LayerVariable;
  recurrentKernel: tfl.LayerVariable;
  bias: tfl.LayerVariable;
}

/**
 * A stack of LSTM layers as one tfjs-layers layer. Each step of each
 * layer is one fused kernel call for `[x_t, h_{t-1}] [W; U] + b` plus the
 * gate arithmetic, and each step's temporaries are freed as soon as it ends.
 *
 * Deviation: projecting the inputs of all steps in one product, then
 * slicing per step, was measured slower on the wasm backend, whose slice
 * copies the whole source tensor; see the notes of the speed issue.
 *
 * Gates follow the tfjs-layers/Keras layout (kernel `[in, 4 * units]` with
 * blocks i, f, c, o), the recurrent activation is the logistic sigmoid (as
 * in PyTorch and current Keras; tfjs-layers defaults to a hard sigmoid) and
 * the cell activation is tanh.
 *
 * Input: `[batch, time, features]`, optionally with a mask `[batch, time]`
 * (1 or true = real step, 0 = padding) as a second input. At a masked step
 * every layer carries its previous state and output forward unchanged, so a
 * masked first step outputs zeros and the last state is the state at the
 * last real step.
 *
 * Output: `[batch, units]` (last state of the top layer) or
 * `[batch, time, units]` with `returnSequences`.
 *
 * @see Hochreiter and Schmidhuber (1997), Long Short-Term Memory.
 */
export class LstmEncoder extends tfl.layers.Layer {
  /** @internal */
  static className = 'modalfuse>LstmEncoder';

  /** Units of each layer, bottom first. */
  readonly units: number[];
  /** Dropout rate after every layer while training. */
  readonly dropout: number;
  /** Whether the output keeps the time axis. */
  readonly returnSequences: boolean;
  /** Initialiser of the input kernels. */
  readonly kernelInitializer: InitializerName;
  /** Initialiser of the recurrent kernels. */
  readonly recurrentInitializer: InitializerName;
  /** Whether the forget-gate bias starts at 1. */
  readonly unitForgetBias: boolean;
  /** The seed the layer was built from. */
  readonly seed: number;

  private cells: LstmWeights[] = [];
  private readonly dropoutRng: Random;

  /** @param args - See {@link LstmEncoderArgs}. */
  constructor(args: LstmEncoderArgs) {
    super(baseLayerArgs(args, 'lstm_encoder'));
    const where = 'LstmEncoder';
    const units = typeof args.units === 'number' ? [args.units] : args.units;
    if (!Array.isArray(units) || units.length === 0) {
      throw new RangeError(
        `${where}: expected units to be a positive integer or a non-empty ` +
          `array of them, received ${JSON.stringify(args.units)}`,
      );
    }
    units.forEach((u, i) => assertInteger(where, `units[${i}]`, u, 1));
    this.units = [...units];
    this.dropout = args.dropout ?? 0;
    assertInRange(where, 'dropout', this.dropout, 0, 1, { openHigh: true });
    this.returnSequences = args.returnSequences ?? false;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializer = args.recurrentInitializer ?? 'orthogonal';
    assertOneOf(where, 'kernelInitializer', this.kernelInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    assertOneOf(where, 'recurrentInitializer', this.recurrentInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.seed = resolveSeed(where, args.seed);
    this.dropoutRng = new Random(this.seed).fork();
    this.supportsMasking = true;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shapes = asShapeList(inputShape);
    this.checkShapes(shapes);
    const rng = new Random(this.seed);
    let inDim = (shapes[0] as LayerShape)[2] as number;

    this.cells = this.units.map((u, l) => {
      const kernel = addSeededWeight(
        this,
        `kernel_${l}`,
        [inDim, 4 * u],
        this.kernelInitializer,
        rng,
      );
      const recurrentKernel = addSeededWeight(
        this,
        `recurrent_kernel_${l}`,
        [u, 4 * u],
        this.recurrentInitializer,
        rng,
      );
      const bias = addSeededWeight(this, `bias_${l}`, [4 * u], 'zeros', rng);
      if (this.unitForgetBias) {
        const values = new Float32Array(4 * u);
        values.fill(1, u, 2 * u);
        tf.tidy(() => {
          bias.write(tf.tensor1d(values));
        });
      }
      inDim = u;
      return { kernel, recurrentKernel, bias };
    });
    this.built = true;
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shapes = asShapeList(inputShape);
    this.checkShapes(shapes);
    const [batch, time] = shapes[0] as LayerShape;
    const top = this.units[this.units.length - 1] as number;
    return this.returnSequences
      ? [batch ?? null, time ?? null, top]
      : [batch ?? null, top];
  }

  override computeMask(
    inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor {
    // tfjs-layers' typing omits null, but null is how a layer says that its
    // output carries no mask (the time axis is gone).
    if (!this.returnSequences) return null as unknown as tf.Tensor;
    const list = asTensorList(inputs);
    if (list[1]) return tf.cast(list[1], 'bool');
    return ((Array.isArray(mask) ? mask[0] : mask) ??
      null) as unknown as tf.Tensor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShapes(list.map((t) => t.shape));
      const x = list[0] as tf.Tensor3D;
      const maskInput = list[1] ?? (kwargs['mask'] as tf.Tensor | undefined);
      // Time-major inside, [time, batch, features], so that every per-step
      // slice is contiguous.
      const masks =
        maskInput === undefined
          ? null
          : (tf.unstack(
              tf.expandDims(tf.transpose(tf.cast(maskInput, 'bool')), 2),
            ) as tf.Tensor2D[]); // time x [batch, 1]
      const training = isTraining(kwargs);

      let sequence = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
      let last: tf.Tensor2D | null = null;
      for (let l = 0; l < this.cells.length; l++) {
        const top = l === this.cells.length - 1;
        const keepSequence = !top || this.returnSequences;
        const cell = this.cells[l] as LstmWeights;
        const result = this.runLayer(cell, sequence, masks, keepSequence);
        if (result.sequence) {
          sequence = this.maybeDropout(result.sequence, training);
        } else {
          last = this.maybeDropout(result.last, training);
        }
      }
      if (!this.returnSequences && last !== null) return last;
      return tf.transpose(sequence, [1, 0, 2]); // [batch, time, units]
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: [...this.units],
      dropout: this.dropout,
      returnSequences: this.returnSequences,
      kernelInitializer: this.kernelInitializer,
      recurrentInitializer: this.recurrentInitializer,
      unitForgetBias: this.unitForgetBias,
      seed: this.seed,
    };
  }

  /** Runs one LSTM layer over a time-major sequence [time, batch, f]. */
  private runLayer(
    cell: LstmWeights,
    sequence: tf.Tensor3D,
    masks: tf.Tensor2D[] | null,
    keepSequence: boolean,
  ): { sequence: tf.Tensor3D | null; last: tf.Tensor2D } {
    const [time, batch] = sequence.shape;
    const units = cell.recurrentKernel.shape[0] as number;
    const kernel = cell.kernel.read() as tf.Tensor2D;
    const recurrent = cell.recurrentKernel.read() as tf.Tensor2D;

    // Per step, one product of [x_t, h] with the stacked kernels
    // [kernel; recurrent] and the bias: a single fused kernel call.
    const inputs = tf.unstack(sequence) as tf.Tensor2D[];
    const stackedKernel = tf.concat([kernel, recurrent], 0);
    const bias = cell.bias.read();

    let h: tf.Tensor2D = tf.zeros([batch, units]);
    let c: tf.Tensor2D = tf.zeros([batch, units]);
    const outputs: tf.Tensor2D[] = [];
    for (let t = 0; t < time; t++) {
      // Each step in its own scope, so its temporaries are freed at once
      // (the gradient tape keeps what backpropagation needs).
      const [hNext, cNext] = tf.tidy(() => {
        const x = inputs[t] as tf.Tensor2D;
        // h is zero at t = 0, so its recurrent product is skipped.
        const z =
          t === 0
            ? tf.fused.matMul({ a: x, b: kernel, bias })
            : tf.fused.matMul({
                a: tf.concat([x, h], 1),
                b: stackedKernel,
                bias,
              });
        const gates = tf.split(tf.sigmoid(z), 4, 1);
        const candidate = tf.tanh(tf.slice(z, [0, 2 * units], [-1, units]));
        const cNew = tf.add(
          tf.mul(gates[1] as tf.Tensor, c),
          tf.mul(gates[0] as tf.Tensor, candidate),
        ) as tf.Tensor2D;
        const hNew = tf.mul(gates[3] as tf.Tensor, tf.tanh(cNew));
        if (!masks) return [hNew, cNew];
        const keep = masks[t] as tf.Tensor2D; // [batch, 1]
        return [tf.where(keep, hNew, h), tf.where(keep, cNew, c)];
      });
      h = hNext as tf.Tensor2D;
      c = cNext as tf.Tensor2D;
      if (keepSequence) outputs.push(h);
    }
    const stacked = keepSequence ? (tf.stack(outputs) as tf.Tensor3D) : null;
    return { sequence: stacked, last: h };
  }

  private maybeDropout<T extends tf.Tensor>(x: T, training: boolean): T {
    if (!training || this.dropout === 0) return x;
    return tf.dropout(x, this.dropout, undefined, this.dropoutRng.seed()) as T;
  }

  private checkShapes(shapes: readonly (readonly (number | null)[])[]): void {
    const where = `LstmEncoder '${this.name}'`;
    const x = shapes[0];
    if (shapes.length > 2 || !x || x.length !== 3) {
      throw new ShapeError(
        `${where}: expected an input [batch, time, features] and an ` +
          `optional mask [batch, time], received shapes ` +
          formatShapes(shapes.map((s) => [...s])),
      );
    }
    const mask = shapes[1];
    if (mask && (mask.length !== 2 || !sameDims(mask, x.slice(0, 2)))) {
      throw new ShapeError(
        `${where}: expected a mask of shape ` +
          `${formatShape([x[0] ?? null, x[1] ?? null])}, received ` +
          formatShape([...mask]),
      );
    }
    const built = this.cells[0]?.kernel.shape[0];
    if (built !== undefined && x[2] !== built) {
      throw new ShapeError(
        `${where}: expected ${built} input features, received shape ` +
          formatShape([...x]),
      );
    }
  }
}
tf.serialization.registerClass(LstmEncoder);

/**
 * Creates a {@link LstmEncoder}.
 *
 * @example
 * ```ts
 * const x = tfl.input({ shape: [20, 13] });
 * const h = lstmEncoder({ units: [64, 64], dropout: 0.2 }).apply(x);
 * // h: SymbolicTensor [null, 64]
 * ```
 * @param args - See {@link LstmEncoderArgs}.
 * @returns The layer.
 */
export function lstmEncoder(args: LstmEncoderArgs): LstmEncoder {
  return new LstmEncoder(args);
}

function sameDims(
  a: readonly (number | null)[],
  b: readonly (number | null)[],
): boolean {
  return a.every((d, i) => d === null || b[i] === null || d === b[i]);
}
