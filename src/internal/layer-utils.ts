/** Small helpers shared by modalfuse's tfjs-layers layers. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { ensureChainedOps } from './chained-ops';
import { ShapeError, formatShapes } from './errors';
import { type InitializerName, initialValues } from './init';
import type { Random } from './random';

// Every layer module imports this file, so tfjs-layers always finds the
// chained tensor methods it calls internally.
ensureChainedOps();

/** Layer call keyword arguments as tfjs-layers passes them. */
export type Kwargs = Record<string, unknown>;

/** Shape as tfjs-layers passes it to `build` and `computeOutputShape`. */
export type LayerShape = (number | null)[];

/** True when tfjs-layers runs the layer in training mode. */
export function isTraining(kwargs: Kwargs | undefined): boolean {
  return kwargs?.['training'] === true;
}

/** Normalises a layer input to an array of tensors. */
export function asTensorList(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

/** True when `shape` is a list of shapes rather than one shape. */
export function isShapeList(
  shape: LayerShape | LayerShape[],
): shape is LayerShape[] {
  return Array.isArray(shape[0]);
}

/** Normalises a build/output shape argument to a list of shapes. */
export function asShapeList(shape: LayerShape | LayerShape[]): LayerShape[] {
  return isShapeList(shape) ? shape : [shape as LayerShape];
}

/** Throws a ShapeError unless `shape` has rank `rank`. */
export function expectRank(
  where: string,
  what: string,
  shapes: readonly LayerShape[],
  index: number,
  rank: number,
): void {
  const shape = shapes[index] as LayerShape;
  if (shape.length !== rank) {
    throw new ShapeError(
      `${where}: expected ${what} of rank ${rank}, received shapes ` +
        formatShapes(shapes),
    );
  }
}

interface WeightOwner {
  addWeight(
    name: string,
    shape: number[],
    dtype: 'float32',
    initializer: ReturnType<typeof tfl.initializers.zeros>,
  ): tfl.LayerVariable;
}

/**
 * Adds a float32 weight to `layer` and writes seeded initial values.
 *
 * @returns The layer variable.
 */
export function addSeededWeight(
  layer: tfl.layers.Layer,
  name: string,
  shape: number[],
  init: InitializerName,
  rng: Random,
  fans?: { fanIn: number; fanOut: number },
): tfl.LayerVariable {
  const fanIn = fans?.fanIn ?? (shape.length > 1 ? shape[0] : 1) ?? 1;
  const fanOut = fans?.fanOut ?? shape[shape.length - 1] ?? 1;
  // addWeight is protected in tfjs-layers' typings; this helper acts on the
  // layer's behalf from inside its build().
  const variable = (layer as unknown as WeightOwner).addWeight(
    name,
    shape,
    'float32',
    tfl.initializers.zeros(),
  );
  // While a saved model loads, tfjs-layers skips initialisation because the
  // stored weights overwrite it; do the same.
  const loading = (layer as unknown as { fastWeightInitDuringBuild?: boolean })
    .fastWeightInitDuringBuild;
  if (init !== 'zeros' && !loading) {
    const values = initialValues(init, shape, { fanIn, fanOut }, rng);
    tf.tidy(() => {
      variable.write(tf.tensor(values, shape, 'float32'));
    });
  }
  return variable;
}

/** Row-major product of a shape's dimensions. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const nameCounts = new Map<string, number>();

/**
 * A unique default layer name such as `lstm_encoder_3`. Registered class
 * names carry a `modalfuse>` prefix, which tfjs-layers cannot turn into a
 * valid default name itself.
 */
export function defaultLayerName(prefix: string): string {
  const next = (nameCounts.get(prefix) ?? 0) + 1;
  nameCounts.set(prefix, next);
  return `${prefix}_${next}`;
}

/** The tfjs-layers base arguments common to modalfuse layers. */
export function baseLayerArgs(
  args: { name?: string; trainable?: boolean },
  prefix: string,
): { name: string; trainable?: boolean } {
  return {
    name: args.name ?? defaultLayerName(prefix),
    ...(args.trainable === undefined ? {} : { trainable: args.trainable }),
  };
}
