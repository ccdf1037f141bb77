/**
 * Text encoder: token embeddings read by a bidirectional LSTM.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger } from '../internal/assert';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
} from '../internal/layer-utils';
import { Random } from '../internal/random';
import {
  TextEncoderLayer,
  type TextEncoderArgs,
  type TextPooling,
  checkPooling,
} from './text-encoder-base';

/** Options of {@link BiLstmTextEncoder}. */
export interface BiLstmTextEncoderArgs extends TextEncoderArgs {
  /** Units of each direction's LSTM; the output has `2 * units`. */
  units: number;
  /**
   * `last`: the forward state after the last real token joined with the
   * backward state after the first; `mean` or `max` over the real tokens'
   * outputs; `none`: the outputs `[batch, time, 2 * units]`, zero at
   * padded positions. @defaultValue 'last'
   */
  pooling?: Exclude<TextPooling, 'first'>;
}

const POOLINGS: readonly TextPooling[] = ['last', 'mean', 'max', 'none'];

interface DirectionWeights {
  kernel: tfl.LayerVariable;
  recurrentKernel: tfl.LayerVariable;
  bias: tfl.LayerVariable;
}

/**
 * Embedding + bidirectional LSTM over token ids, as one layer.
 *
 * The two directions run in the same loop: each step stacks them on a
 * leading axis and computes both gate pre-activations with one batched
 * product of `[x_t, h]` and the stacked `[W; U]` kernels, which halves the
 * number of tfjs calls (what costs most on wasm). Gates follow the Keras
 * layout (i, f, c, o), the recurrent activation is the logistic sigmoid,
 * the forget bias starts at 1.
 *
 * Padding: at a padded position both directions carry their state over
 * unchanged, so the forward state after the last real token and the
 * backward state after the first are those of the unpadded text, whichever
 * side the padding is on.
 *
 * Input: ids `[batch, time]`, each in `[0, vocabularySize)`, and an
 * optional mask `[batch, time]` (see {@link TextEncoderLayer}). Output:
 * `[batch, 2 * units]` (forward then backward), or
 * `[batch, time, 2 * units]` with `pooling: 'none'`. Empty inputs: a batch
 * of 0 gives `[0, 2 * units]` (`[0, time, 2 * units]`), and `time = 0`
 * gives zeros `[batch, 2 * units]` (`[batch, 0, 2 * units]`).
 * Weights: `embeddings`, then `kernel_forward`, `recurrent_kernel_forward`,
 * `bias_forward` and the same for `backward`.
 *
 * @see Schuster and Paliwal (1997), Bidirectional Recurrent Neural
 * Networks; Hochreiter and Schmidhuber (1997), Long Short-Term Memory.
 */
export class BiLstmTextEncoder extends TextEncoderLayer {
  /** @internal */
  static className = 'modalfuse>BiLstmTextEncoder';

  /** Units per direction. */
  readonly units: number;

  private directions: DirectionWeights[] = [];

  /** @param args - See {@link BiLstmTextEncoderArgs}. */
  constructor(args: BiLstmTextEncoderArgs) {
    const pooling = checkPooling(
      'BiLstmTextEncoder',
      args.pooling ?? 'last',
      POOLINGS,
    );
    super(args, pooling, 'bilstm_text_encoder');
    assertInteger('BiLstmTextEncoder', 'units', args.units, 1);
    this.units = args.units;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const rng = new Random(this.seed);
    this.buildEmbeddings(rng, inputShape);
    const e = this.embeddingDim;
    const u = this.units;
    this.directions = ['forward', 'backward'].map((d) => {
      const kernel = addSeededWeight(
        this,
        `kernel_${d}`,
        [e, 4 * u],
        'glorotUniform',
        rng,
      );
      const recurrentKernel = addSeededWeight(
        this,
        `recurrent_kernel_${d}`,
        [u, 4 * u],
        'orthogonal',
        rng,
      );
      const bias = addSeededWeight(this, `bias_${d}`, [4 * u], 'zeros', rng);
      const values = new Float32Array(4 * u).fill(1, u, 2 * u);
      tf.tidy(() => {
        bias.write(tf.tensor1d(values));
      });
      return { kernel, recurrentKernel, bias };
    });
    this.built = true;
  }

  override outputDim(): number {
    return 2 * this.units;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const { ids, mask } = this.tokenInputs(inputs, kwargs);
      const empty = this.emptyOutput(ids);
      if (empty) return empty;

      const x = this.embed(ids, mask);
      const { last, sequence } = this.run(x, mask);
      const out =
        this.pooling === 'last'
          ? (last as tf.Tensor2D)
          : this.pool(sequence as tf.Tensor3D, mask);
      return this.maybeDropout(out, kwargs);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }

  /**
   * Runs both directions over `x` `[batch, time, e]`. Returns the joined
   * final states `[batch, 2u]` and, unless pooling is `last`, the joined
   * outputs `[batch, time, 2u]` aligned with the input positions.
   */
  private run(
    x: tf.Tensor3D,
    mask: tf.Tensor2D,
  ): { last: tf.Tensor2D; sequence: tf.Tensor3D | null } {
    const [batch, time] = mask.shape;
    const u = this.units;
    const [fw, bw] = this.directions as [DirectionWeights, DirectionWeights];

    // Direction-stacked weights: [2, e, 4u], [2, e + u, 4u], [2, 1, 4u].
    const inputKernel = tf.stack([fw.kernel.read(), bw.kernel.read()]);
    const stackedKernel = tf.stack([
      tf.concat([fw.kernel.read(), fw.recurrentKernel.read()], 0),
      tf.concat([bw.kernel.read(), bw.recurrentKernel.read()], 0),
    ]);
    const bias = tf.expandDims(tf.stack([fw.bias.read(), bw.bias.read()]), 1);

    // Time-major, the backward direction reading the reversed text:
    // steps [2, batch, e] and masks [2, batch, 1].
    const xt = tf.transpose(x, [1, 0, 2]);
    const mt = tf.transpose(mask);
    const steps = tf.unstack(tf.stack([xt, tf.reverse(xt, 0)], 1));
    const keeps = tf.unstack(
      tf.expandDims(tf.cast(tf.stack([mt, tf.reverse(mt, 0)], 1), 'bool'), 3),
    );

    let h: tf.Tensor = tf.zeros([2, batch, u]);
    let c: tf.Tensor = tf.zeros([2, batch, u]);
    const outputs: tf.Tensor[] = [];
    const keepSequence = this.pooling !== 'last';
    for (let t = 0; t < time; t++) {
      const [hNext, cNext] = tf.tidy(() => {
        const xs = steps[t] as tf.Tensor3D;
        // h is zero at t = 0, so its recurrent product is skipped.
        const z = tf.add(
          t === 0
            ? tf.matMul(xs, inputKernel)
            : tf.matMul(tf.concat([xs, h], 2), stackedKernel),
          bias,
        ); // [2, batch, 4u]
        const gates = tf.split(tf.sigmoid(z), 4, 2);
        const candidate = tf.tanh(tf.slice(z, [0, 0, 2 * u], [-1, -1, u]));
        const cNew = tf.add(
          tf.mul(gates[1] as tf.Tensor, c),
          tf.mul(gates[0] as tf.Tensor, candidate),
        );
        const hNew = tf.mul(gates[3] as tf.Tensor, tf.tanh(cNew));
        const keep = keeps[t] as tf.Tensor;
        return [tf.where(keep, hNew, h), tf.where(keep, cNew, c)];
      });
      h = hNext as tf.Tensor;
      c = cNext as tf.Tensor;
      if (keepSequence) outputs.push(h);
    }

    const [hf, hb] = tf.unstack(h);
    const last = tf.concat([hf as tf.Tensor, hb as tf.Tensor], 1);
    if (!keepSequence) return { last: last as tf.Tensor2D, sequence: null };
    // [time, 2, batch, u]: backward outputs back in input order.
    const all = tf.stack(outputs);
    const [forward, backward] = tf.unstack(all, 1);
    const joined = tf.concat(
      [forward as tf.Tensor, tf.reverse(backward as tf.Tensor, 0)],
      2,
    ); // [time, batch, 2u]
    return {
      last: last as tf.Tensor2D,
      sequence: tf.transpose(joined, [1, 0, 2]) as tf.Tensor3D,
    };
  }
}
tf.serialization.registerClass(BiLstmTextEncoder);

/**
 * Creates a {@link BiLstmTextEncoder}.
 *
 * @example
 * ```ts
 * const ids = tfl.input({ shape: [32] });
 * const h = biLstmTextEncoder({
 *   vocabularySize: 5000,
 *   embeddingDim: 64,
 *   units: 32,
 * }).apply(ids);
 * // h: SymbolicTensor [null, 64]
 * ```
 * @param args - See {@link BiLstmTextEncoderArgs}.
 * @returns The layer.
 */
export function biLstmTextEncoder(
  args: BiLstmTextEncoderArgs,
): BiLstmTextEncoder {
  return new BiLstmTextEncoder(args);
}
