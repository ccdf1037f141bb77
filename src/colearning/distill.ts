/**
 * Knowledge distillation across modalities (Hinton, Vinyals and Dean
 * 2015): a strong modality's model teaches a weaker modality's model
 * through temperature-softened predictions on paired samples.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInRange, assertOneOf } from '../internal/assert';
import { ShapeError, formatShape } from '../internal/errors';
import { type ModelInputs, sampleCount } from '../model/model-inputs';
import {
  type GroupEpochLog,
  type GroupFitHistory,
  type GroupFitOptions,
  runGroupLoop,
} from './train-loop';

/** Options of {@link distillationLoss}. */
export interface DistillationOptions {
  /** Softmax temperature `T > 0`. @defaultValue 2 */
  temperature?: number;
  /**
   * Weight of the soft term in `[0, 1]`; the hard term gets `1 − alpha`.
   * @defaultValue 1 without labels, 0.5 with them
   */
  alpha?: number;
  /**
   * What the teacher tensor holds: logits, or probabilities (softened as
   * `p^{1/T}`, renormalised, i.e. the softmax of `log p / T`).
   * @defaultValue 'logits'
   */
  teacherOutput?: 'logits' | 'probabilities';
  /** True classes for the hard term: `[n]` class indices or one-hot `[n, K]`. */
  labels?: tf.Tensor;
}

/** The terms of the distillation loss. */
export interface DistillationTerms {
  /** `T² · mean CE(softmax(t/T), softmax(s/T))`. */
  soft: tf.Scalar;
  /** `mean CE(labels, softmax(s))`, or 0 without labels. */
  hard: tf.Scalar;
  /** `alpha · soft + (1 − alpha) · hard`. */
  total: tf.Scalar;
}

/**
 * The distillation loss of student logits against a teacher's outputs,
 * with its terms.
 *
 * With `p = softmax(t / T)` (the teacher's soft targets), `q = softmax(s /
 * T)` (the student's softened prediction) and the batch mean over rows,
 *
 * ```
 * soft  = T² · mean(−Σ_c p_c log q_c)
 * hard  = mean(−Σ_c y_c log softmax(s)_c)
 * total = alpha · soft + (1 − alpha) · hard
 * ```
 *
 * The `T²` factor keeps the soft gradients, `T · (q − p)` per logit and
 * row, on the scale of the hard ones when `T` changes (Hinton et al.,
 * section 2). Cross-entropy and `KL(p‖q)` differ by the teacher's entropy,
 * which does not depend on the student, so the gradients are the same. A
 * one-column tensor is a binary logit `z` (or probability), read as the
 * two classes `[0, z]` (or `[1 − p, p]`).
 *
 * @param student - Student logits `[n, K]` (or `[n, 1]` for binary).
 * @param teacher - Teacher logits or probabilities of the same shape.
 * @param options - See {@link DistillationOptions}.
 * @returns The terms; the caller disposes them.
 * @throws ShapeError when the shapes differ; RangeError for a temperature
 *   <= 0 or an alpha outside [0, 1].
 * @see Hinton, Vinyals and Dean (2015), Distilling the knowledge in a
 * neural network, arXiv:1503.02531.
 */
export function distillationTerms(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: DistillationOptions = {},
): DistillationTerms {
  const where = 'distillationLoss';
  const t = options.temperature ?? 2;
  if (!(typeof t === 'number' && t > 0 && Number.isFinite(t))) {
    throw new RangeError(
      `${where}: expected temperature > 0, received ${String(t)}`,
    );
  }
  const alpha = options.alpha ?? (options.labels ? 0.5 : 1);
  assertInRange(where, 'alpha', alpha, 0, 1);
  const kind = options.teacherOutput ?? 'logits';
  assertOneOf(where, 'teacherOutput', kind, ['logits', 'probabilities']);
  const ok =
    student.rank === 2 &&
    student.shape.join() === teacher.shape.join() &&
    (options.labels === undefined ||
      options.labels.shape[0] === student.shape[0]);
  if (!ok) {
    throw new ShapeError(
      `${where}: expected student and teacher of one shape [n, K] (and ` +
        `labels of n rows), received student ${formatShape(student.shape)}, ` +
        `teacher ${formatShape(teacher.shape)}` +
        (options.labels ? `, labels ${formatShape(options.labels.shape)}` : ''),
    );
  }

  return tf.tidy(() => {
    const s = asClassLogits(student, 'logits');
    const teacherLogits = asClassLogits(teacher, kind);
    const p = tf.softmax(tf.div(teacherLogits, t));
    const logQ = tf.logSoftmax(tf.div(s, t));
    const soft = tf.mul(t * t, tf.neg(tf.mean(tf.sum(tf.mul(p, logQ), -1))));
    let hard: tf.Scalar = tf.scalar(0);
    if (options.labels) {
      const k = s.shape[1] as number;
      const y =
        options.labels.rank === 1
          ? tf.oneHot(tf.cast(options.labels, 'int32'), k)
          : asClassLogits(options.labels, 'probabilities', false);
      hard = tf.neg(
        tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(s)), -1)),
      ) as tf.Scalar;
    }
    const total = tf.add(tf.mul(alpha, soft), tf.mul(1 - alpha, hard));
    return { soft: soft as tf.Scalar, hard, total: total as tf.Scalar };
  });
}

/**
 * The distillation loss (the `total` of {@link distillationTerms}) as one
 * scalar, for custom training loops.
 *
 * @param student - Student logits `[n, K]` (or `[n, 1]` for binary).
 * @param teacher - Teacher logits or probabilities of the same shape.
 * @param options - See {@link DistillationOptions}.
 * @returns The loss; the caller disposes it.
 * @throws As {@link distillationTerms}.
 */
export function distillationLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: DistillationOptions = {},
): tf.Scalar {
  const { soft, hard, total } = distillationTerms(student, teacher, options);
  tf.dispose([soft, hard]);
  return total;
}

/** Options of {@link fitDistillation}. */
export interface DistillationFitOptions
  extends GroupFitOptions, Omit<DistillationOptions, 'labels'> {
  /** True classes of the training samples for the hard term. */
  labels?: tf.Tensor;
  /** Called after every epoch; may be async. */
  onEpochEnd?: (log: GroupEpochLog) => void | Promise<void>;
}

/**
 * Trains a student model (of a weaker modality) on the teacher's outputs
 * for the same samples (of a stronger modality), with
 * {@link distillationLoss}. The student must output logits (a linear
 * last layer); apply a softmax or sigmoid to predict probabilities.
 * Layer groups with their own learning rates work as in {@link fineTune}.
 *
 * @example
 * ```ts
 * const teacher = predictBatched(priceModel, priceInputs) as tf.Tensor2D;
 * await fitDistillation(newsModel, newsInputs, teacher, {
 *   epochs: 20,
 *   temperature: 4,
 *   teacherOutput: 'probabilities',
 *   seed: 0,
 * });
 * ```
 * @param student - The student model, trained in place.
 * @param inputs - The student's inputs for the paired samples.
 * @param teacher - The teacher's outputs for the same samples, `[n, K]`.
 * @param options - See {@link DistillationFitOptions}.
 * @returns The history.
 * @throws ShapeError when the teacher's rows differ from the samples;
 *   otherwise as {@link distillationTerms} and {@link fineTune}.
 */
export async function fitDistillation(
  student: tfl.LayersModel,
  inputs: ModelInputs,
  teacher: tf.Tensor,
  options: DistillationFitOptions,
): Promise<GroupFitHistory> {
  const where = 'fitDistillation';
  const n = sampleCount(inputs);
  if (teacher.shape[0] !== n || student.outputs.length !== 1) {
    throw new ShapeError(
      `${where}: expected a one-output student and a teacher tensor of ${n} ` +
        `rows, received ${student.outputs.length} outputs and teacher ` +
        formatShape(teacher.shape),
    );
  }
  const { labels, ...rest } = options;
  return runGroupLoop(
    {
      where,
      model: student,
      inputs,
      loss: (outputs, indices) =>
        tf.tidy(() =>
          distillationLoss(outputs[0]!, tf.gather(teacher, indices), {
            ...rest,
            ...(labels ? { labels: tf.gather(labels, indices) } : {}),
          }),
        ),
      validate: null,
      restoreBest: false,
      onEpochEnd: options.onEpochEnd,
    },
    options,
  );
}

/** `[n, 1]` binary columns as two classes; probabilities as log-probs. */
function asClassLogits(
  x: tf.Tensor,
  kind: 'logits' | 'probabilities',
  log = true,
): tf.Tensor2D {
  let two: tf.Tensor = x;
  if (x.shape[1] === 1) {
    two =
      kind === 'logits'
        ? tf.concat([tf.zerosLike(x), x], 1)
        : tf.concat([tf.sub(1, x), x], 1);
  }
  if (kind === 'probabilities' && log) {
    two = tf.log(tf.clipByValue(two, 1e-7, 1));
  }
  return two as tf.Tensor2D;
}
