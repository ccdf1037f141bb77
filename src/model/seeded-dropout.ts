/**
 * Dropout whose masks come from a seeded stream that advances every call.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { assertInRange } from '../internal/assert';
import {
  type Kwargs,
  type LayerShape,
  asTensorList,
  baseLayerArgs,
  isTraining,
} from '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';

/** Options of {@link SeededDropout}. */
export interface SeededDropoutArgs {
  /** Fraction of units dropped while training, in [0, 1). */
  rate: number;
  /** Seed of the mask stream; omit for a random one. */
  seed?: number;
  /** Layer name; must be unique within a model. */
  name?: string;
}

/**
 * Inverted dropout, active only while training. Unlike tfjs-layers'
 * `dropout({ seed })`, which draws the same mask at every step when given a
 * seed, the masks here come from a seeded stream that advances with each
 * call: different every step, identical across runs with the same seed.
 *
 * Input and output: any shape.
 *
 * @see Srivastava et al. (2014), Dropout: a simple way to prevent neural
 * networks from overfitting.
 */
export class SeededDropout extends tfl.layers.Layer {
  /** @internal */
  static className = 'modalfuse>SeededDropout';

  /** Fraction of units dropped while training. */
  readonly rate: number;
  /** The seed of the mask stream. */
  readonly seed: number;

  private readonly rng: Random;

  /** @param args - See {@link SeededDropoutArgs}. */
  constructor(args: SeededDropoutArgs) {
    super(baseLayerArgs(args, 'seeded_dropout'));
    assertInRange('SeededDropout', 'rate', args.rate, 0, 1, { openHigh: true });
    this.rate = args.rate;
    this.seed = resolveSeed('SeededDropout', args.seed);
    this.rng = new Random(this.seed);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = asTensorList(inputs)[0] as tf.Tensor;
    if (!isTraining(kwargs) || this.rate === 0) return tf.clone(x);
    return tf.dropout(x, this.rate, undefined, this.rng.seed());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

/**
 * Creates a {@link SeededDropout}.
 *
 * @param args - See {@link SeededDropoutArgs}.
 * @returns The layer.
 */
export function seededDropout(args: SeededDropoutArgs): SeededDropout {
  return new SeededDropout(args);
}
