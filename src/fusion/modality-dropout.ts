/**
 * Modality dropout: whole modalities dropped at random while training.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInRange } from '../internal/assert';
import {
  type Kwargs,
  type LayerShape,
  asShapeList,
  asTensorList,
  isTraining,
} from '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';
import { FusionLayer, type FusionLayerArgs } from './fusion-layer';
import { checkBatch, checkPresenceShape, countInputs } from './presence';

/** Options of {@link ModalityDropout}. */
export interface ModalityDropoutArgs extends FusionLayerArgs {
  /**
   * Probability of dropping each modality of each sample while training,
   * in [0, 1): one rate for all, or one per modality name.
   */
  rate: number | Record<string, number>;
  /**
   * Never drop every modality of a sample: when the draw would drop them
   * all, one drawn at random is kept. @defaultValue true
   */
  keepOne?: boolean;
  /** Seed of the drop stream; omit for a random one. */
  seed?: number;
}

/**
 * Drops whole modalities at random while training, by writing zeros into a
 * presence mask that the fusion layer after it reads: a dropped modality
 * is then treated exactly like a missing one (a placeholder, a renormalised
 * weight or masked keys), so the model learns to cope with the modalities
 * that may be absent at test time. At inference (no `training: true`) the
 * mask passes through unchanged (all ones without an input mask).
 *
 * Each modality of each sample is dropped with probability `rate` (or its
 * own rate); with `keepOne`, a sample whose draw drops every modality
 * keeps one of them, chosen at random (a sample already missing some
 * modalities in its input mask can still end up with none). The draws
 * come from a seeded stream that advances every training call: different
 * at every step, identical across runs with the same seed.
 *
 * Inputs: one tensor `[batch, ...]` per modality in sorted order (only the
 * batch size is read) or a record through `applyRecord`, optionally
 * followed by a presence mask `[batch, M]`. Output: the presence mask
 * `[batch, M]`, float32, to pass to a fusion layer as its last input.
 *
 * @see Neverova et al. (2016), ModDrop: adaptive multi-modal gesture
 * recognition.
 */
export class ModalityDropout extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>ModalityDropout';

  /** Drop probability per modality, in sorted modality order. */
  readonly rates: number[];
  /** Whether one modality of each sample is always kept. */
  readonly keepOne: boolean;
  /** The seed of the drop stream. */
  readonly seed: number;

  private readonly rng: Random;

  /** @param args - See {@link ModalityDropoutArgs}. */
  constructor(args: ModalityDropoutArgs) {
    super(args, 'modality_dropout');
    const where = 'ModalityDropout';
    this.rates = modalityRates(where, this.modalities, args.rate);
    this.keepOne = args.keepOne ?? true;
    this.seed = resolveSeed(where, args.seed);
    this.rng = new Random(this.seed);
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shapes = asShapeList(inputShape);
    this.checkShapes(shapes);
    return [(shapes[0] as LayerShape)[0] ?? null, this.modalities.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShapes(list.map((t) => t.shape));
      const k = this.modalities.length;
      const batch = list[0]!.shape[0] as number;
      const presence = list[k]
        ? tf.cast(list[k], 'float32')
        : tf.ones([batch, k]);
      if (!isTraining(kwargs) || this.rates.every((r) => r === 0)) {
        return presence;
      }

      // keep[b, m] = u[b, m] >= rate_m, u uniform from the seeded stream.
      const u = tf.randomUniform([batch, k], 0, 1, 'float32', this.rng.seed());
      let keep = tf.cast(
        tf.greaterEqual(u, tf.tensor1d(this.rates)),
        'float32',
      );
      if (this.keepOne && k > 1) {
        // Rows that lost everything keep one modality, drawn uniformly.
        const none = tf.sub(1, tf.max(keep, -1, true)); // [batch, 1]
        const pick = tf.oneHot(
          tf.argMax(
            tf.randomUniform([batch, k], 0, 1, 'float32', this.rng.seed()),
            -1,
          ),
          k,
        );
        keep = tf.add(keep, tf.mul(none, tf.cast(pick, 'float32')));
      }
      return tf.mul(presence, keep);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const rate: Record<string, number> = {};
    this.modalities.forEach((m, i) => {
      rate[m] = this.rates[i] as number;
    });
    return {
      ...super.getConfig(),
      rate,
      keepOne: this.keepOne,
      seed: this.seed,
    };
  }

  private checkShapes(shapes: LayerShape[]): void {
    const where = `ModalityDropout '${this.name}'`;
    const k = this.modalities.length;
    const withPresence = countInputs(where, this.modalities, shapes);
    checkBatch(where, this.modalities, shapes);
    if (withPresence) {
      checkPresenceShape(where, this.modalities, shapes[k]!, shapes[0]![0]);
    }
  }
}
tf.serialization.registerClass(ModalityDropout);

/** Rates in sorted modality order, validated. */
function modalityRates(
  where: string,
  modalities: readonly string[],
  rate: number | Record<string, number>,
): number[] {
  if (typeof rate === 'number') {
    assertInRange(where, 'rate', rate, 0, 1, { openHigh: true });
    return modalities.map(() => rate);
  }
  const given = Object.keys(rate ?? {}).sort();
  if (given.join('\u0000') !== modalities.join('\u0000')) {
    throw new TypeError(
      `${where}: expected a rate for each of [${modalities.join(', ')}], ` +
        `received rates for [${given.join(', ')}]`,
    );
  }
  return modalities.map((m) => {
    assertInRange(where, `rate of '${m}'`, rate[m], 0, 1, { openHigh: true });
    return rate[m] as number;
  });
}

/**
 * Creates a {@link ModalityDropout}.
 *
 * @example
 * ```ts
 * const price = tfl.input({ shape: [16], name: 'price' });
 * const news = tfl.input({ shape: [8], name: 'news' });
 * const presence = modalityDropout({
 *   modalities: ['price', 'news'],
 *   rate: 0.3,
 *   seed: 1,
 * }).applyRecord({ price, news }); // [null, 2]
 * const fused = concatFusion({ modalities: ['price', 'news'] }).applyRecord(
 *   { price, news },
 *   [presence],
 * ); // dropped modalities become learned placeholders while training
 * ```
 * @param args - See {@link ModalityDropoutArgs}.
 * @returns The layer.
 * @throws RangeError for a rate outside [0, 1); TypeError for rates that
 *   do not name every modality.
 */
export function modalityDropout(args: ModalityDropoutArgs): ModalityDropout {
  return new ModalityDropout(args);
}
