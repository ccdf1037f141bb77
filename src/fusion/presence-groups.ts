/**
 * Presence of groups of modalities, from the presence of each.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { assertOneOf } from '../internal/assert';
import { ShapeError, formatShapes } from '../internal/errors';
import {
  type Kwargs,
  type LayerShape,
  asShapeList,
  asTensorList,
  baseLayerArgs,
} from '../internal/layer-utils';
import { checkModalities } from './fusion-layer';
import { checkPresenceShape } from './presence';

/** Options of {@link PresenceGroups}. */
export interface PresenceGroupsArgs {
  /** The modalities of the input mask's columns (sorted by the layer). */
  modalities: string[];
  /**
   * Each group's member modalities, keyed by group name; the output's
   * columns follow the sorted group names.
   */
  groups: Record<string, string[]>;
  /**
   * A group is present when `'any'` member is present, or only when
   * `'all'` are. @defaultValue 'any'
   */
  rule?: 'any' | 'all';
  /** Layer name; must be unique within a model. */
  name?: string;
}

/**
 * Maps a presence mask over modalities to one over groups of them, for
 * models that fuse at several levels: the early-fused raw windows are
 * present when any of their modalities is, a late-fusion branch when its
 * modalities are, and a single modality is a group of one.
 *
 * Computed as a product with a 0/1 membership matrix, then `min(·, 1)`
 * (`'any'`) or `floor(· / size)` (`'all'`) for 0/1 masks: no comparison.
 *
 * Input: the presence mask `[batch, M]` (sorted modality order). Output:
 * `[batch, G]`, float32, columns in sorted group order.
 *
 * @see Baltrušaitis, Ahuja and Morency (2019), Multimodal Machine Learning:
 * A Survey and Taxonomy (hybrid fusion).
 */
export class PresenceGroups extends tfl.layers.Layer {
  /** @internal */
  static className = 'modalfuse>PresenceGroups';

  /** Input columns' modalities, sorted. */
  readonly modalities: string[];
  /** Group names, sorted: the output's columns. */
  readonly groupNames: string[];
  /** Members of each group, in `groupNames` order. */
  readonly members: string[][];
  /** Whether any or all members make a group present. */
  readonly rule: 'any' | 'all';

  /** @param args - See {@link PresenceGroupsArgs}. */
  constructor(args: PresenceGroupsArgs) {
    super(baseLayerArgs(args, 'presence_groups'));
    const where = 'PresenceGroups';
    this.modalities = checkModalities(where, args.modalities);
    this.groupNames = checkModalities(where, Object.keys(args.groups ?? {}));
    this.members = this.groupNames.map((g) => {
      const list = args.groups[g];
      const unknown = (list ?? []).filter((m) => !this.modalities.includes(m));
      if (!Array.isArray(list) || list.length === 0 || unknown.length > 0) {
        throw new TypeError(
          `${where}: expected group '${g}' to list some of ` +
            `[${this.modalities.join(', ')}], received ${JSON.stringify(list)}`,
        );
      }
      return [...new Set(list)].sort();
    });
    this.rule = args.rule ?? 'any';
    assertOneOf(where, 'rule', this.rule, ['any', 'all']);
  }

  override computeOutputShape(
    inputShape: LayerShape | LayerShape[],
  ): LayerShape {
    const shapes = asShapeList(inputShape);
    this.checkShape(shapes);
    return [(shapes[0] as LayerShape)[0] ?? null, this.groupNames.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = asTensorList(inputs);
      this.checkShape(list.map((t) => t.shape));
      const membership = this.modalities.map((m) =>
        this.members.map((group) => (group.includes(m) ? 1 : 0)),
      ); // [M, G]
      const counts = tf.matMul(
        tf.cast(list[0] as tf.Tensor, 'float32') as tf.Tensor2D,
        tf.tensor2d(membership, [this.modalities.length, this.members.length]),
      );
      if (this.rule === 'any') return tf.minimum(counts, 1);
      const sizes = tf.tensor1d(this.members.map((g) => g.length));
      return tf.floor(tf.div(counts, sizes));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const groups: Record<string, string[]> = {};
    this.groupNames.forEach((g, i) => {
      groups[g] = [...(this.members[i] as string[])];
    });
    return {
      ...super.getConfig(),
      modalities: [...this.modalities],
      groups,
      rule: this.rule,
    };
  }

  private checkShape(shapes: LayerShape[]): void {
    const where = `PresenceGroups '${this.name}'`;
    if (shapes.length !== 1) {
      throw new ShapeError(
        `${where}: expected one input, a presence mask [batch, ` +
          `${this.modalities.length}], received ${shapes.length} with ` +
          `shapes ${formatShapes(shapes)}`,
      );
    }
    checkPresenceShape(where, this.modalities, shapes[0]!, null);
  }
}
tf.serialization.registerClass(PresenceGroups);

/**
 * Creates a {@link PresenceGroups}.
 *
 * @example
 * ```ts
 * const presence = tfl.input({ shape: [3], name: 'presence' }); // a, b, c
 * const branches = presenceGroups({
 *   modalities: ['a', 'b', 'c'],
 *   groups: { early: ['a', 'b'], c: ['c'] },
 * }).apply(presence); // [null, 2]: early, c
 * ```
 * @param args - See {@link PresenceGroupsArgs}.
 * @returns The layer.
 * @throws TypeError for invalid names or a group naming an unknown
 *   modality.
 */
export function presenceGroups(args: PresenceGroupsArgs): PresenceGroups {
  return new PresenceGroups(args);
}
