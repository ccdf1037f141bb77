/**
 * Training, prediction and scoring of one co-training view's model.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger } from '../internal/assert';
import { ShapeError, formatShape } from '../internal/errors';
import { fitModel } from '../model/fit-model';
import { type ModelInputs, predictBatched } from '../model/model-inputs';
import type {
  CoTrainingTask,
  CoTrainingTrainer,
  CoTrainingView,
  RegressionScores,
  ViewScores,
} from './co-training-types';
import { classificationScores } from './metrics';

/**
 * Checks that a view's model has one output of the right width and
 * returns that width.
 *
 * @throws ShapeError for several outputs or the wrong number of units.
 */
export function outputUnits(
  where: string,
  view: string,
  model: tfl.LayersModel,
  task: CoTrainingTask,
  classes: number,
): number {
  const shapes = model.outputs.map((o) => o.shape);
  const units = shapes[0]?.[shapes[0].length - 1] ?? null;
  const expected =
    task === 'regression' ? '1 unit' : `1 unit or ${classes} units`;
  const ok =
    shapes.length === 1 &&
    shapes[0]!.length === 2 &&
    (units === 1 || (task === 'classification' && units === classes));
  if (!ok) {
    throw new ShapeError(
      `${where}: expected the model of view '${view}' to have one output ` +
        `[batch, ${expected}], received output shapes ` +
        shapes.map((s) => formatShape(s)).join(', '),
    );
  }
  return units as number;
}

/** Targets as the models train on them: `[n, 1]` or one-hot. */
export function encodeTargets(
  task: CoTrainingTask,
  units: number,
  targets: readonly number[],
): tf.Tensor2D {
  if (task === 'regression' || units === 1) {
    return tf.tensor2d([...targets], [targets.length, 1], 'float32');
  }
  return tf.tidy(
    () =>
      tf.cast(
        tf.oneHot(tf.tensor1d([...targets], 'int32'), units),
        'float32',
      ) as tf.Tensor2D,
  );
}

/**
 * The default trainer: `fitModel` with a fresh Adam optimizer that is
 * disposed afterwards, cross-entropy for classifiers, and early stopping on
 * `validation` when the view's `patience` is set.
 */
export function defaultTrainer(
  view: CoTrainingView,
  task: CoTrainingTask,
  validation: { inputs: ModelInputs; targets: readonly number[] } | null,
): CoTrainingTrainer {
  const fit = view.fit ?? {};
  return async (model, inputs, targets, seed) => {
    const units = targets.shape[1];
    const loss =
      task === 'regression'
        ? (fit.loss ?? 'meanSquaredError')
        : units === 1
          ? 'binaryCrossentropy'
          : 'categoricalCrossentropy';
    const useValidation = fit.patience !== undefined && validation !== null;
    const valTargets = useValidation
      ? encodeTargets(task, units, validation.targets)
      : null;
    const optimizer = tf.train.adam(fit.learningRate ?? 1e-3);
    try {
      await fitModel(model, inputs, targets, {
        epochs: fit.epochs ?? 20,
        batchSize: fit.batchSize ?? 32,
        loss,
        optimizer,
        seed,
        ...(valTargets && validation && fit.patience !== undefined
          ? {
              validation: { inputs: validation.inputs, targets: valTargets },
              patience: fit.patience,
            }
          : {}),
      });
    } finally {
      optimizer.dispose();
      valTargets?.dispose();
    }
  };
}

/**
 * Predictions as rows: class probabilities `[n, classes]` for
 * classification (a one-unit output `p` becomes `[1 − p, p]`), `[n, 1]`
 * for regression.
 *
 * @throws RangeError when a classifier outputs a value outside [0, 1].
 */
export function predictRows(
  where: string,
  view: string,
  model: tfl.LayersModel,
  inputs: ModelInputs,
  task: CoTrainingTask,
): number[][] {
  const out = predictBatched(model, inputs) as tf.Tensor2D;
  const rows = out.arraySync();
  out.dispose();
  if (task === 'regression') return rows;
  rows.forEach((row, i) =>
    row.forEach((p) => {
      if (!(p >= 0 && p <= 1)) {
        throw new RangeError(
          `${where}: expected the model of view '${view}' to output class ` +
            `probabilities in [0, 1] (a sigmoid or softmax output), ` +
            `received ${p} for sample ${i}`,
        );
      }
    }),
  );
  return rows.map((row) => (row.length === 1 ? [1 - row[0]!, row[0]!] : row));
}

/**
 * The views combined: for classification the normalised product of the
 * class probabilities (the combined classifier of Blum and Mitchell), for
 * regression the mean (as COREG).
 */
export function combineRows(
  task: CoTrainingTask,
  views: readonly number[][][],
): number[][] {
  const first = views[0] as number[][];
  return first.map((_, i) => {
    if (task === 'regression') {
      const sum = views.reduce((s, v) => s + v[i]![0]!, 0);
      return [sum / views.length];
    }
    const product = first[i]!.map((_, c) =>
      views.reduce((p, v) => p * v[i]![c]!, 1),
    );
    const total = product.reduce((s, p) => s + p, 0);
    return total > 0
      ? product.map((p) => p / total)
      : product.map(() => 1 / product.length);
  });
}

/** The predicted class of each row of probabilities (ties: lower class). */
export function argmaxRows(rows: readonly (readonly number[])[]): number[] {
  return rows.map((row) => {
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
    return best;
  });
}

/** Scores of prediction rows against targets. */
export function scoreRows(
  task: CoTrainingTask,
  rows: readonly (readonly number[])[],
  targets: ArrayLike<number>,
  classes: number,
): ViewScores {
  if (task === 'classification') {
    return classificationScores(targets, argmaxRows(rows), classes);
  }
  return regressionScores(
    targets,
    rows.map((r) => r[0] as number),
  );
}

/** RMSE and MAE of regression values. */
export function regressionScores(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): RegressionScores {
  let sq = 0;
  let abs = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = (predicted[i] as number) - (actual[i] as number);
    sq += e * e;
    abs += Math.abs(e);
  }
  const n = actual.length;
  return { n, rmse: Math.sqrt(sq / n), mae: abs / n };
}

/** Checks class labels: integers in `[0, classes)`. */
export function checkLabels(
  where: string,
  name: string,
  labels: ArrayLike<number>,
  classes: number,
): void {
  assertInteger(where, 'classes', classes, 2);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new RangeError(
        `${where}: expected ${name} to be class labels, integers in ` +
          `[0, ${classes}), received ${v} at index ${i}`,
      );
    }
  }
}
