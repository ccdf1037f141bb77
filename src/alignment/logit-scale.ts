/**
 * The learnable logit scale (inverse temperature) of the CLIP loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { assertInRange } from '../internal/assert';
import {
  type LayerShape,
  asTensorList,
  baseLayerArgs,
} from '../internal/layer-utils';
import { CLIP_INITIAL_SCALE, CLIP_MAX_SCALE } from './contrastive';

/** Options of {@link LogitScale}. */
export interface LogitScaleArgs {
  /** The scale before training. @defaultValue 1 / 0.07 */
  initialScale?: number;
  /** The scale is clamped to at most this before use. @defaultValue 100 */
  maxScale?: number;
  /** Layer name; must be unique within a model. */
  name?: string;
  /** Whether the scale is learned. @defaultValue true */
  trainable?: boolean;
}

/**
 * Holds CLIP's learnable logit scale as one weight, `log_scale`, the
 * natural log of the scale (CLIP learns the log so the scale stays
 * positive), initialised to `ln(initialScale)`. The scale in use is
 * `min(exp(log_scale), maxScale)`: the clamp applies to the log before
 * `exp`, so a clamped scale has gradient 0 and training cannot push it
 * past `maxScale`, as in CLIP (initial 1/0.07 ≈ 14.3, at most 100).
 *
 * Pass {@link LogitScale.logScale} to {@link clipLoss} (and let the
 * optimizer update it), or apply the layer to similarities: input any
 * shape, output the input times the clamped scale.
 *
 * @example
 * ```ts
 * const scale = logitScale();
 * const loss = clipLoss(za, zb, { logScale: scale.logScale() });
 * scale.scale(); // 14.285...
 * ```
 * @see Radford et al. (2021), Learning Transferable Visual Models From
 * Natural Language Supervision, ICML, section 2.5.
 */
export class LogitScale extends tfl.layers.Layer {
  /** @internal */
  static className = 'modalfuse>LogitScale';

  /** The scale before training. */
  readonly initialScale: number;
  /** Upper bound of the scale in use. */
  readonly maxScale: number;

  private variable: tfl.LayerVariable | null = null;

  /** @param args - See {@link LogitScaleArgs}. */
  constructor(args: LogitScaleArgs = {}) {
    super(baseLayerArgs(args, 'logit_scale'));
    const where = 'LogitScale';
    this.initialScale = args.initialScale ?? CLIP_INITIAL_SCALE;
    this.maxScale = args.maxScale ?? CLIP_MAX_SCALE;
    assertInRange(
      where,
      'maxScale',
      this.maxScale,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
    );
    assertInRange(
      where,
      'initialScale',
      this.initialScale,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
    );
    // Create the variable now, so that an optimizer created later (or a
    // minimize() that runs before the first call) sees it.
    this.weight();
  }

  override build(_inputShape: LayerShape | LayerShape[]): void {
    this.variable = this.addWeight(
      'log_scale',
      [],
      'float32',
      tfl.initializers.constant({ value: Math.log(this.initialScale) }),
    );
    this.built = true;
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape | LayerShape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = asTensorList(inputs)[0] as tf.Tensor;
      return tf.mul(x, this.clampedScale());
    });
  }

  /**
   * The learnable variable `log_scale` (a scalar), to pass as `logScale`
   * to {@link clipLoss}; building the layer first if needed.
   *
   * @returns The variable itself (do not dispose it).
   */
  logScale(): tf.Variable<tf.Rank.R0> {
    return this.weight().read() as tf.Variable<tf.Rank.R0>;
  }

  /**
   * The scale in use, `min(exp(log_scale), maxScale)`, as a number.
   *
   * @returns The clamped scale.
   */
  scale(): number {
    return tf.tidy(() => this.clampedScale().dataSync()[0] as number);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      initialScale: this.initialScale,
      maxScale: this.maxScale,
    };
  }

  private clampedScale(): tf.Scalar {
    const clamped = tf.minimum(this.logScale(), Math.log(this.maxScale));
    return tf.exp(clamped) as tf.Scalar;
  }

  private weight(): tfl.LayerVariable {
    // Build through apply, so the weight gets the layer's name scope.
    if (this.variable === null) {
      tf.tidy(() => {
        this.apply(tf.zeros([1]));
      });
    }
    return this.variable as tfl.LayerVariable;
  }
}
tf.serialization.registerClass(LogitScale);

/**
 * Creates a {@link LogitScale}.
 *
 * @param args - See {@link LogitScaleArgs}.
 * @returns The layer.
 */
export function logitScale(args: LogitScaleArgs = {}): LogitScale {
  return new LogitScale(args);
}
