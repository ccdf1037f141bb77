/**
 * The targets of `fitModel` and `evaluateLoss`: ordering and checking
 * them against the model's outputs, and the loss values on them.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { ShapeError, formatShape } from '../internal/errors';
import type { LossName, ModelTargets } from './fit-model';

/**
 * The loss of predictions `p` against targets `y`, as tfjs-layers
 * computes it, as a number.
 *
 * @internal
 */
export function lossValue(loss: LossName, y: tf.Tensor, p: tf.Tensor): number {
  return tf.tidy(() => {
    let value: tf.Tensor;
    switch (loss) {
      case 'meanSquaredError':
        value = tf.mean(tf.squaredDifference(y, p));
        break;
      case 'meanAbsoluteError':
        value = tf.mean(tf.abs(tf.sub(y, p)));
        break;
      case 'binaryCrossentropy': {
        // As tfjs-layers: probabilities clipped to [eps, 1 - eps].
        const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
        const ll = tf.add(
          tf.mul(y, tf.log(q)),
          tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))),
        );
        value = tf.neg(tf.mean(ll));
        break;
      }
      case 'categoricalCrossentropy': {
        const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
        value = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(q)), -1)));
        break;
      }
    }
    return value.dataSync()[0] as number;
  });
}

/**
 * The targets in the model's output order, each checked against its
 * output's shape.
 *
 * @throws TypeError when the targets do not name or count the outputs;
 *   ShapeError when a target's shape differs from its output's.
 *
 * @internal
 */
export function orderTargets(
  model: tfl.LayersModel,
  targets: ModelTargets,
  where = 'fitModel',
): tf.Tensor[] {
  let list: tf.Tensor[];
  if (targets instanceof tf.Tensor) list = [targets];
  else if (Array.isArray(targets)) list = targets;
  else {
    const keys = Object.keys(targets).sort();
    const names = [...model.outputNames].sort();
    if (keys.join('\u0000') !== names.join('\u0000')) {
      throw new TypeError(
        `${where}: model '${model.name}' has outputs ` +
          `[${names.join(', ')}], received targets for [${keys.join(', ')}]`,
      );
    }
    list = model.outputNames.map((n) => targets[n] as tf.Tensor);
  }
  if (list.length !== model.outputs.length) {
    throw new TypeError(
      `${where}: model '${model.name}' has ${model.outputs.length} ` +
        `output(s) [${model.outputNames.join(', ')}], received ` +
        `${list.length} target tensor(s)`,
    );
  }
  // Targets must have the output's shape: broadcasting a [n] target
  // against an [n, 1] output would silently give a wrong loss.
  list.forEach((y, i) => {
    const out = model.outputs[i]!.shape.slice(1);
    const got = y.shape.slice(1);
    if (
      out.length !== got.length ||
      out.some((d, k) => d !== null && d !== got[k])
    ) {
      throw new ShapeError(
        `${where}: expected targets of output '${model.outputNames[i]}' ` +
          `to have shape ${formatShape([null, ...out])}, received ` +
          formatShape(y.shape),
      );
    }
  });
  return list;
}

/**
 * Throws unless every target has the `n` samples of the inputs, and
 * `n > 0`.
 *
 * @internal
 */
export function checkCounts(
  where: string,
  part: string,
  n: number,
  ys: tf.Tensor[],
): void {
  const bad = ys.find((y) => y.shape[0] !== n);
  if (n === 0 || bad) {
    throw new ShapeError(
      `${where}: expected ${part} inputs and targets with the same ` +
        `positive number of samples, received ${n} input samples and ` +
        `target sample counts [${ys.map((y) => y.shape[0]).join(', ')}]`,
    );
  }
}
