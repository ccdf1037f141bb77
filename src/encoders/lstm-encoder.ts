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
import { lstmSequence } from '../kernels/lstm-op';

/** Options of {@link LstmEncoder}. */
export interface LstmEncoderArgs {
  /** Units of each LSTM layer, bottom first; a number means one layer. */
  units: number | number[];
  /**
   * Dropout rate applied to the output of every LSTM layer while training
   * (between layers, one mask per step drawn from the layer's seed).
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
 * A stack of LSTM layers as one tfjs-layers layer, run as one op over the
 * whole sequence: on the cpu and wasm backends by modalfuse's LSTM kernels
 * (the forward pass records a single node on the gradient tape and the
 * backward pass is written-out backpropagation through time whose weight
 * gradients are one matrix product over all steps), elsewhere by the same
 * computation in tfjs ops with autodiff. On wasm a training step of two
 * 64-unit layers over 20 steps takes about a quarter of the time of
 * tfjs-layers' `lstm` (see the benchmarks).
 *
 * Deviation: the input projection is part of each step's product
 * (`[x_t, h_{t-1}] [W; U]`), not one product for all steps: on wasm,
 * taking one step's rows out of a projection for all steps copies the
 * whole projection, which costs more than the product saves; see
 * `src/kernels/lstm-forward.ts` for the numbers.
 *
 * Gates follow the tfjs-layers/Keras layout (kernel `[in, 4 * units]` with
 * blocks i, f, c, o), the recurrent activation is the logistic sigmoid (as
 * in PyTorch and current Keras; tfjs-layers defaults to a hard sigmoid) and
 * the cell activation is tanh.
 *
 * Input: `[batch, time, features]`, optionally with a mask `[batch, time]`
 * (1 or true = real step, 0 = padding) as a second input or as the `mask`
 * argument of `apply`/`call` (both are shape-checked). At a masked step
 * every layer carries its previous state and output forward unchanged, so a
 * masked first step outputs zeros and the last state is the state at the
 * last real step.
 *
 * Output: `[batch, units]` (last state of the top layer) or
 * `[batch, time, units]` with `returnSequences`. A sequence of length 0
 * gives the zero initial state (`[batch, units]`, or `[batch, 0, units]`).
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
      const x = list[0] as tf.Tensor3D;
      const maskInput = list[1] ?? (kwargs['mask'] as tf.Tensor | undefined);
      this.checkShapes(
        [x, ...(maskInput === undefined ? [] : [maskInput])].map(
          (t) => t.shape,
        ),
      );
      const training = isTraining(kwargs);
      const [batch, time] = x.shape;
      if (time === 0) {
        // No step: the state stays at its zero initial value.
        const top = this.units[this.units.length - 1] as number;
        return tf.zeros(this.returnSequences ? [batch, 0, top] : [batch, top]);
      }
      const output = lstmSequence({
        x,
        kernels: this.cells.map((c) => c.kernel.read()),
        recurrentKernels: this.cells.map((c) => c.recurrentKernel.read()),
        biases: this.cells.map((c) => c.bias.read()),
        mask: maskInput === undefined ? null : tf.cast(maskInput, 'bool'),
        dropoutMasks: training ? this.dropoutMasks(batch, time) : null,
        returnSequences: this.returnSequences,
      });
      return this.maybeDropout(output, training);
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

  /**
   * Dropout masks between layers while training: for every layer but the
   * top, one `[batch, units]` tensor per step with 0 (dropped) or
   * 1/(1 - dropout), drawn from the layer's seeded stream.
   */
  private dropoutMasks(batch: number, time: number): tf.Tensor[][] | null {
    if (this.dropout === 0 || this.units.length < 2) return null;
    const keep = 1 - this.dropout;
    const rng = new Random(this.dropoutRng.seed());
    return this.units.slice(0, -1).map((units) =>
      Array.from({ length: time }, () => {
        const values = new Float32Array(batch * units);
        for (let k = 0; k < values.length; k++) {
          values[k] = rng.next() < keep ? 1 / keep : 0;
        }
        return tf.tensor2d(values, [batch, units]);
      }),
    );
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
