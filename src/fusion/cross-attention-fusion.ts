/**
 * Multi-head cross-attention fusion.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { INITIALIZER_NAMES, type InitializerName } from '../internal/init';
import {
  type Kwargs,
  type LayerShape,
  asShapeList,
  asTensorList,
} from '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';
import {
  type AttentionLayout,
  type AttentionWeights,
  addAttentionWeights,
  crossAttend,
} from './cross-attention-math';
import { checkAttentionShapes, keyCount } from './cross-attention-shapes';
import {
  FusionLayer,
  type FusionLayerArgs,
  type LayerInput,
} from './fusion-layer';
import { type AbsentMode, Placeholders, absentMode } from './presence';

/** Options of {@link CrossAttentionFusion}. */
export interface CrossAttentionFusionArgs extends FusionLayerArgs {
  /**
   * The modality whose steps ask the queries; keys and values come from
   * the others. @defaultValue the first modality in sorted order
   */
  query?: string;
  /** Number of attention heads; must divide `embedDim`. @defaultValue 1 */
  heads?: number;
  /** Width E of queries, keys, values and output. @defaultValue d_query */
  embedDim?: number;
  /**
   * Whether a key padding mask `[batch, keys]` (1 attend, 0 padded)
   * follows the modality inputs. @defaultValue false
   */
  keyMask?: boolean;
  /**
   * Let the query modality's own steps join the keys and values too, so a
   * query can weigh its own modality against the others. Needed for
   * anything but a fixed average when every modality is one vector and
   * there are two of them. @defaultValue false
   */
  attendToQuery?: boolean;
  /**
   * Output the attention weights `[batch, heads, queries, keys]` as a
   * second output. @defaultValue false
   */
  returnAttentionWeights?: boolean;
  /** Biases in the four projections. @defaultValue true */
  useBias?: boolean;
  /** Initialiser of the projections. @defaultValue 'glorotUniform' */
  kernelInitializer?: InitializerName;
  /**
   * What stands in for the query modality when it is absent (absent key
   * modalities are masked instead). @defaultValue 'placeholder'
   */
  absent?: AbsentMode;
  /** Seed of the initial weights; omit for a random one. */
  seed?: number;
}

/** The masks that {@link CrossAttentionFusion.attend} accepts. */
export interface AttentionMasks<T extends LayerInput> {
  /** Key padding mask `[batch, keys]`, when the layer has `keyMask`. */
  keyMask?: T;
  /** Presence mask `[batch, modalities]`. */
  presence?: T;
}

/** The result of {@link CrossAttentionFusion.attend}. */
export interface AttentionResult<T extends LayerInput> {
  /** The fused sequence `[batch, queries, E]` (or `[batch, E]`). */
  output: T;
  /** Weights `[batch, heads, queries, keys]`, or null unless requested. */
  weights: T | null;
}

/**
 * Multi-head cross-attention: the query modality's steps attend over the
 * steps of the key/value modalities. With `Q = x_q W_q + b_q`,
 * `K = x_kv W_k + b_k`, `V = x_kv W_v + b_v` split into H heads of
 * `d = E / H` columns, each head computes
 * `softmax(Q_h K_hᵀ / √d + mask) V_h`; the heads are joined and projected,
 * `output = context W_o + b_o`. This is `torch.nn.MultiheadAttention`
 * with `kdim = vdim = d_kv` and a key padding mask.
 *
 * Key/value modalities: every modality but the query (each with its own
 * key and value projection), their steps concatenated in sorted modality
 * order into one key axis; with `attendToQuery`, the query modality's steps
 * join at their sorted place. A modality given as a vector `[batch, d]` is
 * a sequence of one step, and a vector query gives a vector output.
 *
 * Masks: a key padding mask `[batch, keys]` (with `keyMask`) and a
 * presence mask `[batch, M]`; an absent key modality has all its keys
 * masked, an absent query modality is replaced by a learned placeholder.
 * Masked keys get weight exactly 0. A sample whose keys are all masked
 * gets all-zero attention weights and a zero context, so its output is
 * the output bias `b_o`; its outputs and gradients are finite (the
 * softmax runs on finite logits and the weights are then multiplied by
 * the mask), never NaN.
 *
 * Weights: `query_kernel` `[d_q, E]`, `query_bias`, per key modality
 * `key_kernel_<m>`, `key_bias_<m>`, `value_kernel_<m>`, `value_bias_<m>`
 * (`[d_m, E]`, `[E]`), `output_kernel` `[E, E]`, `output_bias`, and the
 * query placeholder when built with a presence mask.
 *
 * Inputs: one `[batch, L_m, d_m]` (or `[batch, d_m]`) per modality in
 * sorted order, then the key mask if `keyMask`, then optionally the
 * presence mask (or a record and masks through
 * {@link CrossAttentionFusion.attend}). Queries and keys may differ in
 * length. Output: `[batch, L_q, E]` (`[batch, E]` for a vector query),
 * plus the weights `[batch, H, L_q, L_k]` with `returnAttentionWeights`.
 *
 * @see Vaswani et al. (2017), Attention Is All You Need; Tsai et al.
 * (2019), Multimodal Transformer for Unaligned Multimodal Language
 * Sequences (cross-modal attention).
 */
export class CrossAttentionFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>CrossAttentionFusion';

  /** The query modality. */
  readonly query: string;
  /** Number of heads. */
  readonly heads: number;
  /** Configured width, or null for the query's feature size. */
  readonly embedDim: number | null;
  /** Whether a key padding mask input follows the modalities. */
  readonly keyMask: boolean;
  /** Whether the query modality's steps are keys too. */
  readonly attendToQuery: boolean;
  /** Whether the weights are a second output. */
  readonly returnAttentionWeights: boolean;
  /** Whether the projections have biases. */
  readonly useBias: boolean;
  /** Initialiser of the projections. */
  readonly kernelInitializer: InitializerName;
  /** What replaces an absent query modality. */
  readonly absent: AbsentMode;
  /** The seed the layer was built from. */
  readonly seed: number;

  private queryIndex: number;
  private keySources: number[];
  private dims: number[] | null = null;
  private width = 0;
  private weightsOf: AttentionWeights | null = null;
  private placeholder: Placeholders | null = null;

  /** @param args - See {@link CrossAttentionFusionArgs}. */
  constructor(args: CrossAttentionFusionArgs) {
    super(args, 'cross_attention_fusion');
    const where = 'CrossAttentionFusion';
    if (this.modalities.length < 2) {
      throw new TypeError(
        `${where}: expected at least 2 modalities, received ` +
          `[${this.modalities.join(', ')}]`,
      );
    }
    this.query = args.query ?? (this.modalities[0] as string);
    assertOneOf(where, 'query', this.query, this.modalities);
    this.heads = args.heads ?? 1;
    assertInteger(where, 'heads', this.heads, 1);
    this.embedDim = args.embedDim ?? null;
    if (this.embedDim !== null) {
      assertInteger(where, 'embedDim', this.embedDim, 1);
      this.checkHeads(this.embedDim);
    }
    this.keyMask = args.keyMask ?? false;
    this.attendToQuery = args.attendToQuery ?? false;
    this.returnAttentionWeights = args.returnAttentionWeights ?? false;
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    assertOneOf(where, 'kernelInitializer', this.kernelInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    this.absent = absentMode(where, args.absent);
    this.seed = resolveSeed(where, args.seed);
    this.queryIndex = this.modalities.indexOf(this.query);
    this.keySources = this.modalities
      .map((_, i) => i)
      .filter((i) => this.attendToQuery || i !== this.queryIndex);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shapes = asShapeList(inputShape);
    const { presence } = this.checkShapes(shapes);
    const k = this.modalities.length;
    const dims = shapes.slice(0, k).map((s) => s[s.length - 1] as number);
    this.dims = dims;
    const dq = dims[this.queryIndex] as number;
    const e = this.embedDim ?? dq;
    this.checkHeads(e);
    this.width = e;

    this.weightsOf = addAttentionWeights(this, this.layout(), dims, {
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      rng: new Random(this.seed),
    });
    if (presence) {
      this.placeholder = new Placeholders(
        this,
        [this.query],
        [dq],
        this.absent,
      );
    }
    this.built = true;
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape | LayerShape[] {
    const shapes = asShapeList(inputShape);
    this.checkShapes(shapes);
    const q = shapes[this.queryIndex] as LayerShape;
    const batch = q[0] ?? null;
    const e = this.embedDim ?? (q[q.length - 1] as number | null);
    const output = q.length === 3 ? [batch, q[1] ?? null, e] : [batch, e];
    if (!this.returnAttentionWeights) return output;
    const lq = q.length === 3 ? (q[1] ?? null) : 1;
    return [output, [batch, this.heads, lq, keyCount(shapes, this.keySources)]];
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    _kwargs: Kwargs,
  ): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      const { presence } = this.checkShapes(list.map((t) => t.shape));
      const k = this.modalities.length;
      const e = this.width;

      // Every modality as a sequence [batch, L, d].
      const seqs = list
        .slice(0, k)
        .map((x) => (x.rank === 2 ? tf.expandDims(x, 1) : x));
      const batch = seqs[0]!.shape[0] as number;
      const columns = presence
        ? tf.split(tf.cast(list[list.length - 1]!, 'float32'), k, 1)
        : null; // [batch, 1] each
      if (columns) {
        const qi = this.queryIndex;
        seqs[qi] = this.requirePlaceholder().fillOne(
          0,
          seqs[qi]!,
          columns[qi]!,
        );
      }

      // Attention [batch * Lq, E], reshaped like the query.
      const keyMask = this.keyMask ? list[k]! : null;
      const attended = crossAttend(
        seqs,
        { keyMask, columns },
        this.weightsOf!,
        this.layout(),
      );
      const lq = seqs[this.queryIndex]!.shape[1] as number;
      const output = tf.reshape(
        attended.output,
        list[this.queryIndex]!.rank === 2 ? [batch, e] : [batch, lq, e],
      );
      return this.returnAttentionWeights ? [output, attended.weights] : output;
    });
  }

  /**
   * Applies the layer to a record keyed by modality name, with its masks,
   * and names the parts of the result.
   *
   * @param inputs - One tensor (or symbolic tensor) per modality.
   * @param masks - The key padding mask (required when the layer has
   *   `keyMask`) and the optional presence mask.
   * @returns The output and, with `returnAttentionWeights`, the weights.
   * @throws TypeError when the record's keys differ from the modalities or
   *   the key mask is missing.
   */
  attend<T extends LayerInput>(
    inputs: Record<string, T>,
    masks: AttentionMasks<T> = {},
  ): AttentionResult<T> {
    if (this.keyMask !== (masks.keyMask !== undefined)) {
      throw new TypeError(
        `CrossAttentionFusion '${this.name}': expected ` +
          (this.keyMask ? 'a key mask' : 'no key mask (keyMask is false)') +
          `, received ${masks.keyMask === undefined ? 'none' : 'one'}`,
      );
    }
    const extra = [masks.keyMask, masks.presence].filter(
      (t): t is T => t !== undefined,
    );
    const result = this.applyRecord(inputs, extra) as T | T[];
    return Array.isArray(result)
      ? { output: result[0] as T, weights: result[1] as T }
      : { output: result, weights: null };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      query: this.query,
      heads: this.heads,
      embedDim: this.embedDim,
      keyMask: this.keyMask,
      attendToQuery: this.attendToQuery,
      returnAttentionWeights: this.returnAttentionWeights,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      absent: this.absent,
      seed: this.seed,
    };
  }

  private layout(): AttentionLayout {
    return {
      modalities: this.modalities,
      queryIndex: this.queryIndex,
      keySources: this.keySources,
      heads: this.heads,
      width: this.width,
    };
  }

  private checkHeads(e: number): void {
    if (e % this.heads !== 0) {
      throw new RangeError(
        `CrossAttentionFusion '${this.name}': expected embedDim ${e} to be ` +
          `divisible by heads, received heads ${this.heads}`,
      );
    }
  }

  private requirePlaceholder(): Placeholders {
    if (!this.placeholder) {
      throw new ShapeError(
        `CrossAttentionFusion '${this.name}': received a presence mask, ` +
          `but the layer was built without one; pass the mask from the ` +
          `first call`,
      );
    }
    return this.placeholder;
  }

  private checkShapes(shapes: LayerShape[]): { presence: boolean } {
    return checkAttentionShapes(
      {
        where: `CrossAttentionFusion '${this.name}'`,
        modalities: this.modalities,
        keyMask: this.keyMask,
        keySources: this.keySources,
        dims: this.dims,
      },
      shapes,
    );
  }
}
tf.serialization.registerClass(CrossAttentionFusion);

/**
 * Creates a {@link CrossAttentionFusion}.
 *
 * @example
 * ```ts
 * const attention = crossAttentionFusion({
 *   modalities: ['text', 'audio'],
 *   query: 'text',
 *   heads: 2,
 *   keyMask: true,
 *   returnAttentionWeights: true,
 * });
 * const { output, weights } = attention.attend(
 *   { text: tf.randomNormal([2, 3, 8]), audio: tf.randomNormal([2, 5, 6]) },
 *   { keyMask: tf.tensor2d([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]]) },
 * ); // output [2, 3, 8], weights [2, 2, 3, 5]
 * ```
 * @param args - See {@link CrossAttentionFusionArgs}.
 * @returns The layer.
 * @throws TypeError for fewer than two modalities or an unknown query;
 *   RangeError for invalid sizes.
 */
export function crossAttentionFusion(
  args: CrossAttentionFusionArgs,
): CrossAttentionFusion {
  return new CrossAttentionFusion(args);
}
