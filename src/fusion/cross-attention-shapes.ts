/**
 * Input shape checks of {@link CrossAttentionFusion}: the modality inputs,
 * the key padding mask and the presence mask, and the number of keys.
 *
 * @internal
 */
import { ShapeError, formatShape, formatShapes } from '../internal/errors';
import type { LayerShape } from '../internal/layer-utils';
import { checkBatch, checkBuiltDims, checkPresenceShape } from './presence';

/**
 * What the shape checks read of a cross-attention layer.
 *
 * @internal
 */
export interface AttentionShapeSpec {
  /** The layer, as error messages name it. */
  where: string;
  /** The modalities, sorted. */
  modalities: readonly string[];
  /** Whether a key padding mask input follows the modalities. */
  keyMask: boolean;
  /** Modality indices of the keys, in key order. */
  keySources: readonly number[];
  /** Feature sizes of the modalities once built, else null. */
  dims: readonly number[] | null;
}

/**
 * Number of keys: the steps of the key modalities (1 for a vector), or
 * null when one of them is unknown.
 *
 * @internal
 */
export function keyCount(
  shapes: readonly LayerShape[],
  keySources: readonly number[],
): number | null {
  let total: number | null = 0;
  for (const i of keySources) {
    const s = shapes[i] as LayerShape;
    const len = s.length === 3 ? s[1] : 1;
    total = total === null || len == null ? null : total + len;
  }
  return total;
}

/**
 * Throws unless `shapes` are the modality inputs, the key mask (when the
 * layer has one) and an optional presence mask, and says whether the
 * presence mask is there.
 *
 * @param layout - The layer's modalities, keys and built sizes.
 * @param shapes - The input shapes.
 * @returns Whether a presence mask follows.
 * @throws ShapeError for a wrong number of inputs, ranks, batch sizes,
 *   feature sizes or mask shapes.
 *
 * @internal
 */
export function checkAttentionShapes(
  layout: AttentionShapeSpec,
  shapes: readonly LayerShape[],
): { presence: boolean } {
  const { where, modalities } = layout;
  const k = modalities.length;
  const names = `[${modalities.join(', ')}]`;
  const base = k + (layout.keyMask ? 1 : 0);
  if (shapes.length !== base && shapes.length !== base + 1) {
    throw new ShapeError(
      `${where}: expected ${k} modality inputs ${names}` +
        (layout.keyMask ? ', a key mask' : '') +
        ` and an optional presence mask, received ${shapes.length} ` +
        `inputs with shapes ${formatShapes(shapes)}`,
    );
  }
  const values = shapes.slice(0, k);
  if (values.some((s) => s.length !== 2 && s.length !== 3)) {
    throw new ShapeError(
      `${where}: expected inputs of rank 3 [batch, steps, features] or ` +
        `rank 2 [batch, features] for ${names}, received shapes ` +
        formatShapes(values),
    );
  }
  checkBatch(where, modalities, shapes);
  checkBuiltDims(where, modalities, values, layout.dims);
  const batch = values.map((s) => s[0]).find((b) => b != null) ?? null;

  if (layout.keyMask) {
    const mask = shapes[k] as LayerShape;
    const lk = keyCount(shapes, layout.keySources);
    const ok =
      mask.length === 2 && (lk === null || mask[1] === null || mask[1] === lk);
    if (!ok) {
      throw new ShapeError(
        `${where}: expected a key mask [${batch ?? 'batch'}, ` +
          `${lk ?? 'keys'}], received shape ${formatShape(mask)}`,
      );
    }
  }
  const presence = shapes.length === base + 1;
  if (presence) {
    checkPresenceShape(where, modalities, shapes[base]!, batch);
  }
  return { presence };
}
