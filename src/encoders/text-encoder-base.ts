/**
 * What the text encoders share: token-id inputs with an optional padding
 * mask, a seeded embedding table, and pooling over the real tokens only.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { assertInRange, assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, formatShape, formatShapes } from '../internal/errors';
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
import { installKernels } from '../kernels/register';

/** How a text encoder turns its per-token states into its output. */
export type TextPooling = 'mean' | 'max' | 'last' | 'first' | 'none';

/** Options every text encoder takes. */
export interface TextEncoderArgs {
  /** Number of token ids; every id must be in `[0, vocabularySize)`. */
  vocabularySize: number;
  /** Width of the token embeddings. */
  embeddingDim: number;
  /**
   * Id of the padding token, in `[0, vocabularySize)`, used to derive the
   * mask when no mask input is given (a token is real when its id differs
   * from it). @defaultValue 0
   */
  padId?: number;
  /**
   * Dropout rate on the encoder's output (and, where the encoder says so,
   * inside it) while training. @defaultValue 0
   */
  dropout?: number;
  /** Seed of the initial weights and dropout masks; omit for a random one. */
  seed?: number;
  /** Layer name; must be unique within a model. */
  name?: string;
  /** Whether the weights are updated by training. @defaultValue true */
  trainable?: boolean;
}

/** Ids and mask of one call, both `[batch, time]`. */
export interface TokenInputs {
  /** Token ids, int32. */
  ids: tf.Tensor2D;
  /** 1 for a real token, 0 for padding, float32. */
  mask: tf.Tensor2D;
}

/**
 * Base class of the text encoders. Input: token ids `[batch, time]`
 * (int32, or any numeric dtype holding integers), optionally followed by a
 * mask `[batch, time]` (1 or true = real token, 0 = padding), given as a
 * second input or as the `mask` keyword argument. Without a mask, tokens
 * equal to `padId` are padding.
 *
 * Every call checks the ids before any computation: an id outside
 * `[0, vocabularySize)` or a non-integer value (NaN included) throws a
 * `RangeError` naming the layer, the id and its row and position; ids are
 * never rounded or clipped.
 *
 * Padded positions never influence the encoding of the real tokens: their
 * embeddings are zeroed, recurrences carry their state over them,
 * attention gives them weight 0, and pooling skips them. A text with no
 * real token encodes to zeros.
 *
 * Empty inputs give empty or zero outputs on every backend: a batch of 0
 * texts gives `[0, d]` (`[0, time, d]` with pooling `'none'`), and texts of
 * length 0 (`time = 0`) encode to zeros `[batch, d]` (`[batch, 0, d]` with
 * pooling `'none'`), as texts without a real token do. Such outputs do not
 * depend on the weights, so they carry no gradient.
 */
export abstract class TextEncoderLayer extends tfl.layers.Layer {
  /** Number of token ids. */
  readonly vocabularySize: number;
  /** Width of the token embeddings. */
  readonly embeddingDim: number;
  /** Id of the padding token. */
  readonly padId: number;
  /** Dropout rate while training. */
  readonly dropout: number;
  /** How per-token states become the output. */
  readonly pooling: TextPooling;
  /** The seed the layer was built from. */
  readonly seed: number;

  /** The embedding table `[vocabularySize, embeddingDim]`. */
  protected embeddings: tfl.LayerVariable | null = null;
  /** Stream of dropout seeds. */
  protected readonly dropoutRng: Random;

  /**
   * @param args - Shared options.
   * @param pooling - The validated pooling of the subclass.
   * @param prefix - Prefix of the default layer name.
   */
  constructor(args: TextEncoderArgs, pooling: TextPooling, prefix: string) {
    super(baseLayerArgs(args, prefix));
    const where = this.constructor.name;
    assertInteger(where, 'vocabularySize', args.vocabularySize, 1);
    assertInteger(where, 'embeddingDim', args.embeddingDim, 1);
    this.vocabularySize = args.vocabularySize;
    this.embeddingDim = args.embeddingDim;
    this.padId = args.padId ?? 0;
    assertInteger(where, 'padId', this.padId, 0);
    if (this.padId >= this.vocabularySize) {
      throw new RangeError(
        `${where}: expected padId in [0, ${this.vocabularySize}) ` +
          `(vocabularySize ${this.vocabularySize}), received ${this.padId}`,
      );
    }
    this.dropout = args.dropout ?? 0;
    assertInRange(where, 'dropout', this.dropout, 0, 1, { openHigh: true });
    this.pooling = pooling;
    this.seed = resolveSeed(where, args.seed);
    this.dropoutRng = new Random(this.seed).fork();
    this.supportsMasking = true;
  }

  /**
   * Creates the embedding table with values uniform in [-0.05, 0.05] (as
   * Keras' `Embedding`), drawn from `rng`.
   */
  protected buildEmbeddings(
    rng: Random,
    inputShape: LayerShape | LayerShape[],
  ): void {
    // Checked before any weight exists, so a failed build can be retried.
    this.checkShapes(asShapeList(inputShape));
    const shape = [this.vocabularySize, this.embeddingDim];
    this.embeddings = addSeededWeight(this, 'embeddings', shape, 'zeros', rng);
    const values = new Float32Array(shape[0]! * shape[1]!);
    for (let i = 0; i < values.length; i++) {
      values[i] = (2 * rng.next() - 1) * 0.05;
    }
    tf.tidy(() => {
      this.embeddings!.write(tf.tensor2d(values, shape as [number, number]));
    });
  }

  override computeMask(
    inputs: tf.Tensor | tf.Tensor[],
    mask?: tf.Tensor | tf.Tensor[],
  ): tf.Tensor {
    // Only a sequence output keeps the time axis that a mask describes;
    // null (which tfjs-layers' typing omits) says "no mask".
    if (this.pooling !== 'none') return null as unknown as tf.Tensor;
    const list = asTensorList(inputs);
    const given = Array.isArray(mask) ? mask[0] : mask;
    if (!list[1] && given) return given;
    // A tidy, so the cast and the padId scalar do not outlive the mask.
    return tf.tidy(() =>
      list[1]
        ? tf.cast(list[1], 'bool')
        : tf.notEqual(tf.cast(list[0] as tf.Tensor, 'int32'), this.padId),
    );
  }

  /**
   * Reads ids and mask from the call's inputs (inside the caller's tidy),
   * after checking their shapes and every id, so a bad input throws before
   * any tensor is made. Installs modalfuse's kernels first, so the
   * embedding gradient works on wasm.
   */
  protected tokenInputs(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: Kwargs,
  ): TokenInputs {
    installKernels();
    const list = asTensorList(inputs);
    this.checkShapes(list.map((t) => t.shape));
    const raw = list[0] as tf.Tensor2D;
    // tfjs-layers passes an upstream mask (or a list of them) as kwargs.
    const passed = kwargs['mask'] as tf.Tensor | tf.Tensor[] | null | undefined;
    const given = list[1] ?? (Array.isArray(passed) ? passed[0] : passed);
    if (list[1] === undefined && given) {
      this.checkShapes([raw.shape, given.shape]);
    }
    this.checkIds(raw);

    const ids = (
      raw.dtype === 'int32' ? raw : tf.cast(raw, 'int32')
    ) as tf.Tensor2D;
    const mask = (
      given
        ? tf.cast(tf.cast(given, 'bool'), 'float32')
        : tf.cast(tf.notEqual(ids, this.padId), 'float32')
    ) as tf.Tensor2D;
    return { ids, mask };
  }

  /**
   * The output of an input without positions (`batch` or `time` is 0):
   * zeros of the output shape, or null when the input has positions.
   */
  protected emptyOutput(ids: tf.Tensor2D): tf.Tensor | null {
    const [batch, time] = ids.shape;
    if (batch > 0 && time > 0) return null;
    const d = this.outputDim();
    return tf.zeros(this.pooling === 'none' ? [batch, time, d] : [batch, d]);
  }

  /**
   * Looks up the embeddings of `ids` and zeroes the padded positions.
   *
   * @returns `[batch, time, embeddingDim]`.
   */
  protected embed(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor3D {
    const table = (this.embeddings as tfl.LayerVariable).read();
    const x = tf.gather(table, ids) as tf.Tensor3D;
    return tf.mul(x, tf.expandDims(mask, 2));
  }

  /** Output dropout while training. */
  protected maybeDropout<T extends tf.Tensor>(x: T, kwargs: Kwargs): T {
    if (!isTraining(kwargs) || this.dropout === 0) return x;
    return tf.dropout(x, this.dropout, undefined, this.dropoutRng.seed()) as T;
  }

  /**
   * Pools per-token states `[batch, time, d]` over the real tokens:
   * `mean`, `max` or `first` (the first real token); `none` returns the
   * states with padded positions zeroed. Texts without a real token give
   * zeros.
   */
  protected pool(states: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor {
    return poolTokens(states, mask, this.pooling);
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shapes = asShapeList(inputShape);
    this.checkShapes(shapes);
    const [batch, time] = shapes[0] as LayerShape;
    const d = this.outputDim();
    return this.pooling === 'none'
      ? [batch ?? null, time ?? null, d]
      : [batch ?? null, d];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      vocabularySize: this.vocabularySize,
      embeddingDim: this.embeddingDim,
      padId: this.padId,
      dropout: this.dropout,
      pooling: this.pooling,
      seed: this.seed,
    };
  }

  /** Width of each token's state, the last axis of the output. */
  abstract outputDim(): number;

  /**
   * Throws unless every id is an integer in `[0, vocabularySize)`, naming
   * the first bad one with its row and position.
   */
  protected checkIds(ids: tf.Tensor): void {
    const where = `${this.constructor.name} '${this.name}'`;
    if (ids.dtype === 'string' || ids.dtype === 'complex64') {
      throw new TypeError(
        `${where}: expected numeric token ids, received dtype '${ids.dtype}'`,
      );
    }
    const values = ids.dataSync() as ArrayLike<number>;
    const exact = ids.dtype === 'int32' || ids.dtype === 'bool';
    const size = this.vocabularySize;
    const time = ids.shape[1] as number;
    for (let i = 0; i < values.length; i++) {
      const id = values[i] as number;
      if ((exact || Number.isInteger(id)) && id >= 0 && id < size) continue;
      const at = `row ${Math.floor(i / time)}, position ${i % time}`;
      throw new RangeError(
        Number.isInteger(id)
          ? `${where}: expected token ids in [0, ${size}) (vocabularySize ` +
              `${size}), received ${id} at ${at}`
          : `${where}: expected integer token ids, received ${id} at ` +
              `${at}; ids are never rounded`,
      );
    }
  }

  /** Throws a ShapeError unless the inputs are ids and an optional mask. */
  protected checkShapes(shapes: readonly (readonly (number | null)[])[]): void {
    const where = `${this.constructor.name} '${this.name}'`;
    const ids = shapes[0];
    if (shapes.length > 2 || !ids || ids.length !== 2) {
      throw new ShapeError(
        `${where}: expected token ids [batch, time] and an optional mask ` +
          `[batch, time], received shapes ` +
          formatShapes(shapes.map((s) => [...s])),
      );
    }
    const mask = shapes[1];
    const same =
      mask !== undefined &&
      mask.length === 2 &&
      mask.every((d, i) => d === null || ids[i] === null || d === ids[i]);
    if (mask && !same) {
      throw new ShapeError(
        `${where}: expected a mask of shape ${formatShape([...ids])}, ` +
          `received ${formatShape([...mask])}`,
      );
    }
  }
}

/**
 * Pools per-token states over the real tokens (see
 * {@link TextEncoderLayer}); `last` is treated as the last real token.
 * States without positions (batch or time 0) give zeros of the output
 * shape.
 *
 * @param states - `[batch, time, d]`.
 * @param mask - `[batch, time]`, 1 for real tokens, float32.
 * @param pooling - The pooling.
 * @returns `[batch, d]`, or `[batch, time, d]` for `none`.
 */
export function poolTokens(
  states: tf.Tensor3D,
  mask: tf.Tensor2D,
  pooling: TextPooling,
): tf.Tensor {
  // No positions: nothing to pool. Some kernels (wasm) cannot reduce
  // empty tensors, so the zeros are made directly.
  const [batch, time, d] = states.shape;
  if (batch === 0 || time === 0) {
    return tf.zeros(pooling === 'none' ? [batch, time, d] : [batch, d]);
  }
  const m = tf.expandDims(mask, 2); // [batch, time, 1]
  switch (pooling) {
    case 'none':
      return tf.mul(states, m);
    case 'mean': {
      const count = tf.maximum(tf.sum(mask, 1, true), 1); // [batch, 1]
      return tf.div(tf.sum(tf.mul(states, m), 1), count);
    }
    case 'max': {
      // Padded positions get a large negative value, so they never win;
      // a text without a real token then gives zeros.
      const masked = tf.where(
        tf.cast(m, 'bool'),
        states,
        tf.fill(states.shape, -1e9),
      );
      const any = tf.greater(tf.max(mask, 1, true), 0); // [batch, 1]
      const best = tf.max(masked, 1);
      return tf.where(any, best, tf.zerosLike(best));
    }
    case 'first':
    case 'last': {
      // One-hot of the first (or last) real position; all zeros when none.
      const order = tf.range(0, time, 1, 'float32');
      const key =
        pooling === 'first'
          ? tf.sub(time, order) // larger for earlier positions
          : tf.add(order, 1);
      const scored = tf.mul(mask, key); // [batch, time]
      const pick = tf.equal(
        tf.expandDims(tf.argMax(scored, 1), 1),
        tf.range(0, time, 1, 'int32'),
      ); // [batch, time]
      const any = tf.greater(tf.max(mask, 1, true), 0);
      const weights = tf.mul(tf.cast(pick, 'float32'), tf.cast(any, 'float32'));
      return tf.sum(tf.mul(states, tf.expandDims(weights, 2)), 1);
    }
  }
}

/**
 * Validates a pooling option against the ones an encoder supports.
 *
 * @internal
 */
export function checkPooling(
  where: string,
  pooling: unknown,
  allowed: readonly TextPooling[],
): TextPooling {
  assertOneOf(where, 'pooling', pooling, allowed);
  return pooling;
}
