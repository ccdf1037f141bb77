/**
 * Gated fusion (Gated Multimodal Unit, generalised to M modalities).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { ACTIVATION_NAMES, type ActivationName } from '../internal/activations';
import { assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { INITIALIZER_NAMES, type InitializerName } from '../internal/init';
import {
  type Kwargs,
  type LayerShape,
  addSeededWeight,
  asShapeList,
  asTensorList,
} from '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';
import { FusionLayer, type FusionLayerArgs } from './fusion-layer';
import {
  type AbsentMode,
  Placeholders,
  absentMode,
  checkBuiltDims,
  checkModalityShapes,
  checkPresenceShape,
  countInputs,
} from './presence';
import { Projections, dense } from './projections';

/** Options of {@link GatedFusion}. */
export interface GatedFusionArgs extends FusionLayerArgs {
  /** Output units: the size of every modality's projection. */
  units: number;
  /** Activation of the projections `h_m`. @defaultValue 'tanh' */
  activation?: ActivationName;
  /** Initialiser of the kernels. @defaultValue 'glorotUniform' */
  kernelInitializer?: InitializerName;
  /** What stands in for an absent modality. @defaultValue 'placeholder' */
  absent?: AbsentMode;
  /** Seed of the initial weights; omit for a random one. */
  seed?: number;
}

/**
 * Gated fusion: each modality is projected, `h_m = tanh(x_m W_m + b_m)`,
 * gates are computed from all modalities together,
 * `g = softmax_m([x_1; …; x_M] W_g + b_g)` per output unit, and the
 * output is the gated sum `h = Σ_m g_m ∘ h_m`.
 *
 * For two modalities the softmax of two logits is `σ(l_1 − l_2)`, which is
 * the Gated Multimodal Unit, `z h_1 + (1 − z) h_2` with `z = σ(W_z [x_1;
 * x_2])`; the softmax extends it to any number of modalities with gates
 * that sum to 1 per unit. Use it when the reliability of each modality
 * varies from sample to sample and the model should learn to lean on the
 * better one; {@link GatedFusion.gates} returns the gates for inspection.
 *
 * Weights: `projection_kernel_<m>` `[d_m, units]` and `projection_bias_<m>`
 * per modality, `gate_kernel` `[Σ d_m, units·M]` (columns unit-major,
 * `o·M + m`) and `gate_bias` `[units·M]`, placeholders when built with a
 * presence mask.
 *
 * Inputs: one `[batch, d_m]` per modality in sorted order (or a record
 * through `applyRecord`), optionally a presence mask `[batch, M]`; an
 * absent modality is replaced by its learned placeholder (or zeros) in
 * both the projection and the gate. Output: `[batch, units]`.
 *
 * @see Arevalo et al. (2017), Gated Multimodal Units for Information
 * Fusion, ICLR workshop.
 */
export class GatedFusion extends FusionLayer {
  /** @internal */
  static className = 'modalfuse>GatedFusion';

  /** Output units. */
  readonly units: number;
  /** Activation of the projections. */
  readonly activation: ActivationName;
  /** Initialiser of the kernels. */
  readonly kernelInitializer: InitializerName;
  /** What replaces an absent modality. */
  readonly absent: AbsentMode;
  /** The seed the layer was built from. */
  readonly seed: number;

  private projections: Projections | null = null;
  private gateKernel: tfl.LayerVariable | null = null;
  private gateBias: tfl.LayerVariable | null = null;
  private placeholders: Placeholders | null = null;
  private dims: number[] | null = null;

  /** @param args - See {@link GatedFusionArgs}. */
  constructor(args: GatedFusionArgs) {
    super(args, 'gated_fusion');
    const where = 'GatedFusion';
    if (this.modalities.length < 2) {
      throw new TypeError(
        `${where}: expected at least 2 modalities, received ` +
          `[${this.modalities.join(', ')}]`,
      );
    }
    assertInteger(where, 'units', args.units, 1);
    this.units = args.units;
    this.activation = args.activation ?? 'tanh';
    assertOneOf(where, 'activation', this.activation, ACTIVATION_NAMES);
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    assertOneOf(where, 'kernelInitializer', this.kernelInitializer, [
      ...INITIALIZER_NAMES,
    ]);
    this.absent = absentMode(where, args.absent);
    this.seed = resolveSeed(where, args.seed);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shapes = asShapeList(inputShape);
    const withPresence = this.checkShapes(shapes);
    const k = this.modalities.length;
    const dims = shapes.slice(0, k).map((s) => s[1] as number);
    this.dims = dims;
    const rng = new Random(this.seed);
    this.projections = new Projections(
      this,
      'projection',
      this.modalities,
      dims,
      dims.map(() => this.units),
      this.kernelInitializer,
      rng,
    );
    const total = dims.reduce((a, b) => a + b, 0);
    this.gateKernel = addSeededWeight(
      this,
      'gate_kernel',
      [total, this.units * k],
      this.kernelInitializer,
      rng,
      { fanIn: total, fanOut: this.units },
    );
    this.gateBias = addSeededWeight(
      this,
      'gate_bias',
      [this.units * k],
      'zeros',
      rng,
    );
    if (withPresence) {
      this.placeholders = new Placeholders(
        this,
        this.modalities,
        dims,
        this.absent,
      );
    }
    this.built = true;
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shapes = asShapeList(inputShape);
    this.checkShapes(shapes);
    return [(shapes[0] as LayerShape)[0] ?? null, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const { projected, gates } = this.forward(asTensorList(inputs));
      return tf.sum(tf.mul(projected, gates), -1);
    });
  }

  /**
   * The gates of each modality for some inputs, in inference mode.
   *
   * @param inputs - The layer's inputs, as for `apply` (tensors).
   * @returns `[batch, units, M]`, summing to 1 over the last axis,
   *   modalities in sorted order.
   * @throws TypeError before the layer is built (applied once).
   */
  gates(inputs: tf.Tensor[]): tf.Tensor3D {
    if (!this.built) {
      throw new TypeError(
        `GatedFusion '${this.name}': gates() needs a built layer; apply ` +
          `the layer once first`,
      );
    }
    return tf.tidy(() => this.forward(inputs).gates);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      kernelInitializer: this.kernelInitializer,
      absent: this.absent,
      seed: this.seed,
    };
  }

  /** Projections and gates, both `[batch, units, M]`. */
  private forward(list: tf.Tensor[]): {
    projected: tf.Tensor3D;
    gates: tf.Tensor3D;
  } {
    this.checkShapes(list.map((t) => t.shape));
    const k = this.modalities.length;
    let values = list.slice(0, k);
    const presence = list[k];
    if (presence) values = this.requirePlaceholders().fill(values, presence);
    const batch = values[0]!.shape[0] as number;

    // [batch, M·units] → [batch, units, M]: concat on the last axis of
    // rank-2 tensors and a transpose, which wasm runs far faster than a
    // stack on the last axis.
    const h = this.projections!.apply(values, this.activation);
    const projected = tf.transpose(
      tf.reshape(tf.concat(h, 1), [batch, k, this.units]),
      [0, 2, 1],
    ) as tf.Tensor3D;
    const logits = dense(
      tf.concat(values, -1) as tf.Tensor2D,
      this.gateKernel!.read() as tf.Tensor2D,
      this.gateBias!.read(),
      'linear',
    ); // [batch, units * M], unit-major
    const gates = tf.softmax(
      tf.reshape(logits, [batch, this.units, k]),
    ) as tf.Tensor3D;
    return { projected, gates };
  }

  private requirePlaceholders(): Placeholders {
    if (!this.placeholders) {
      throw new ShapeError(
        `GatedFusion '${this.name}': received a presence mask, but the ` +
          `layer was built without one; pass the mask from the first call`,
      );
    }
    return this.placeholders;
  }

  /** @returns Whether a presence mask is among the inputs. */
  private checkShapes(shapes: LayerShape[]): boolean {
    const where = `GatedFusion '${this.name}'`;
    const k = this.modalities.length;
    const withPresence = countInputs(where, this.modalities, shapes);
    const values = shapes.slice(0, k);
    checkModalityShapes(where, this.modalities, values, 2);
    checkBuiltDims(where, this.modalities, values, this.dims);
    if (withPresence) {
      checkPresenceShape(where, this.modalities, shapes[k]!, values[0]![0]);
    }
    return withPresence;
  }
}
tf.serialization.registerClass(GatedFusion);

/**
 * Creates a {@link GatedFusion}.
 *
 * @example
 * ```ts
 * const fuse = gatedFusion({ modalities: ['image', 'text'], units: 16 });
 * const h = fuse.applyRecord({
 *   image: tf.randomNormal([4, 32]),
 *   text: tf.randomNormal([4, 12]),
 * }) as tf.Tensor; // [4, 16]
 * ```
 * @param args - See {@link GatedFusionArgs}.
 * @returns The layer.
 * @throws TypeError for fewer than two modalities; RangeError for invalid
 *   sizes.
 */
export function gatedFusion(args: GatedFusionArgs): GatedFusion {
  return new GatedFusion(args);
}
