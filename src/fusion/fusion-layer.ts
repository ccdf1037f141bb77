/**
 * The base of modalfuse's fusion layers: inputs keyed by modality name.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { describe } from '../internal/errors';
import { baseLayerArgs } from '../internal/layer-utils';

/** Options every fusion layer takes. */
export interface FusionLayerArgs {
  /**
   * Names of the modalities the layer fuses. The layer sorts them; its array
   * inputs follow that sorted order.
   */
  modalities: string[];
  /** Layer name; must be unique within a model. */
  name?: string;
  /** Whether the weights are updated by training. @defaultValue true */
  trainable?: boolean;
}

/** A tensor or a symbolic tensor, as `Layer.apply` accepts. */
export type LayerInput = tf.Tensor | tfl.SymbolicTensor;

/**
 * A layer whose inputs are one tensor per named modality. Array inputs are
 * taken in sorted modality order; {@link FusionLayer.applyRecord} takes a
 * record keyed by modality name and orders it, so a result never depends on
 * the order in which a caller built the object.
 */
export abstract class FusionLayer extends tfl.layers.Layer {
  /** Modality names in sorted order: the order of the array inputs. */
  readonly modalities: string[];

  /**
   * @param args - See {@link FusionLayerArgs}.
   * @param prefix - Prefix of the default layer name.
   */
  constructor(args: FusionLayerArgs, prefix: string) {
    super(baseLayerArgs(args, prefix));
    this.modalities = checkModalities(this.constructor.name, args.modalities);
  }

  /**
   * Applies the layer to a record keyed by modality name, walked in sorted
   * key order.
   *
   * @param inputs - One tensor (or symbolic tensor) per modality.
   * @param extra - Further inputs appended after the modalities, such as a
   *   presence mask.
   * @returns The fused output.
   * @throws TypeError when the record's keys differ from the layer's
   *   modalities.
   */
  applyRecord<T extends LayerInput>(
    inputs: Record<string, T>,
    extra: T[] = [],
  ): T {
    const keys = Object.keys(inputs).sort();
    const missing = this.modalities.filter((m) => !(m in inputs));
    const unknown = keys.filter((k) => !this.modalities.includes(k));
    if (missing.length > 0 || unknown.length > 0) {
      throw new TypeError(
        `${this.constructor.name} '${this.name}': expected modalities ` +
          `[${this.modalities.join(', ')}], received [${keys.join(', ')}]`,
      );
    }
    const ordered = this.modalities.map((m) => inputs[m] as T);
    return this.apply([...ordered, ...extra] as never) as T;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), modalities: [...this.modalities] };
  }
}

/** Validates modality names and returns them sorted. */
export function checkModalities(where: string, names: unknown): string[] {
  const ok =
    Array.isArray(names) &&
    names.length > 0 &&
    names.every((n) => typeof n === 'string' && n.length > 0);
  if (!ok) {
    throw new TypeError(
      `${where}: expected modalities to be a non-empty array of non-empty ` +
        `names, received ${describe(names)}` +
        (Array.isArray(names) ? ` ${JSON.stringify(names)}` : ''),
    );
  }
  const sorted = [...(names as string[])].sort();
  const duplicate = sorted.find((n, i) => sorted[i + 1] === n);
  if (duplicate !== undefined) {
    throw new TypeError(
      `${where}: expected distinct modality names, received '${duplicate}' ` +
        `twice in ${JSON.stringify(names)}`,
    );
  }
  return sorted;
}
