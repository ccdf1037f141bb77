/**
 * The parts of `robustnessReport`: the metric, the targets joined, and
 * what stands in for a removed modality (a presence column set to 0, or
 * the baseline).
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertOneOf } from '../internal/assert';
import { ShapeError, formatShape } from '../internal/errors';
import type {
  RobustnessMetric,
  RobustnessMetricName,
  RobustnessOptions,
} from './robustness';

/**
 * The metric to report: the caller's function, or a named metric with its
 * name and direction.
 *
 * @internal
 */
export function resolveMetric(
  where: string,
  options: RobustnessOptions,
): { fn: RobustnessMetric; name: string; higherIsBetter: boolean } {
  const metric = options.metric;
  if (typeof metric === 'function') {
    return {
      fn: metric,
      name: options.metricName ?? 'metric',
      higherIsBetter: options.higherIsBetter ?? false,
    };
  }
  assertOneOf(where, 'metric', metric, ['mse', 'rmse', 'mae', 'accuracy']);
  const fns: Record<RobustnessMetricName, RobustnessMetric> = {
    mse: (y, p) => scalar(tf.mean(tf.squaredDifference(y, p))),
    rmse: (y, p) => Math.sqrt(scalar(tf.mean(tf.squaredDifference(y, p)))),
    mae: (y, p) => scalar(tf.mean(tf.abs(tf.sub(y, p)))),
    accuracy: (y, p) => {
      const units = p.shape[p.rank - 1] as number;
      const hit =
        units === 1
          ? tf.equal(tf.greaterEqual(p, 0.5), tf.greaterEqual(y, 0.5))
          : tf.equal(tf.argMax(p, -1), tf.argMax(y, -1));
      return scalar(tf.mean(tf.cast(hit, 'float32')));
    },
  };
  return {
    fn: fns[metric],
    name: options.metricName ?? metric,
    higherIsBetter: options.higherIsBetter ?? metric === 'accuracy',
  };
}

function scalar(t: tf.Tensor): number {
  return t.dataSync()[0] as number;
}

/**
 * The targets in output order, joined along the last axis (a new tensor
 * when owned).
 *
 * @internal
 */
export function joinTargets(
  model: tfl.LayersModel,
  targets: tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>,
): { joined: tf.Tensor; owned: boolean } {
  let list: tf.Tensor[];
  if (targets instanceof tf.Tensor) list = [targets];
  else if (Array.isArray(targets)) list = targets;
  else {
    const keys = Object.keys(targets).sort();
    const outputs = [...model.outputNames].sort();
    if (keys.join('\u0000') !== outputs.join('\u0000')) {
      throw new TypeError(
        `robustnessReport: model '${model.name}' has outputs ` +
          `[${outputs.join(', ')}], received targets for [${keys.join(', ')}]`,
      );
    }
    list = model.outputNames.map((n) => targets[n] as tf.Tensor);
  }
  if (list.length !== model.outputs.length) {
    throw new TypeError(
      `robustnessReport: model '${model.name}' has ` +
        `${model.outputs.length} outputs, received ${list.length} targets`,
    );
  }
  return list.length === 1
    ? { joined: list[0]!, owned: false }
    : { joined: tf.concat(list, -1), owned: true };
}

/**
 * Throws unless the presence input `name` is `[n, columns]`.
 *
 * @internal
 */
export function checkPresence(
  where: string,
  inputs: Record<string, tf.Tensor>,
  name: string,
  columns: string[],
): void {
  const mask = inputs[name];
  if (!mask || mask.rank !== 2 || mask.shape[1] !== columns.length) {
    throw new ShapeError(
      `${where}: expected presence input '${name}' of shape ` +
        `[n, ${columns.length}] for [${columns.join(', ')}], received ` +
        (mask ? `shape ${formatShape(mask.shape)}` : 'none'),
    );
  }
}

/**
 * The presence mask with column `column` set to 0.
 *
 * @internal
 */
export function withoutColumn(
  mask: tf.Tensor,
  column: number,
  k: number,
): tf.Tensor {
  const keep = Array.from({ length: k }, (_, i) => (i === column ? 0 : 1));
  return tf.mul(tf.cast(mask, 'float32'), tf.tensor1d(keep));
}

/**
 * The input replaced by its baseline value.
 *
 * @internal
 */
export function baselineFor(
  where: string,
  x: tf.Tensor,
  name: string,
  value: number | tf.Tensor | undefined,
): tf.Tensor {
  if (value === undefined || typeof value === 'number') {
    return tf.fill(x.shape, value ?? 0, 'float32');
  }
  try {
    return tf.add(tf.zerosLike(tf.cast(x, 'float32')), value);
  } catch {
    throw new ShapeError(
      `${where}: expected the baseline of '${name}' to broadcast to ` +
        `${formatShape(x.shape)}, received shape ${formatShape(value.shape)}`,
    );
  }
}
