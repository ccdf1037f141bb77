/**
 * Robustness report: a trained model's metric with each modality removed
 * and with noise added to each modality.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger, assertOneOf } from '../internal/assert';
import { Random, resolveSeed } from '../internal/random';
import { predictBatched } from './model-inputs';
import {
  baselineFor,
  checkPresence,
  joinTargets,
  resolveMetric,
  withoutColumn,
} from './robustness-parts';

/**
 * A metric of predictions against targets. For a model with several
 * outputs, targets and predictions are each the outputs joined along the
 * last axis, in output order.
 */
export type RobustnessMetric = (
  targets: tf.Tensor,
  predictions: tf.Tensor,
) => number;

/** Built-in metrics: errors (lower is better) and accuracy (higher). */
export type RobustnessMetricName = 'mse' | 'rmse' | 'mae' | 'accuracy';

/** Options of {@link robustnessReport}. */
export interface RobustnessOptions {
  /**
   * The metric: a built-in name or a function. `'accuracy'` compares the
   * argmax of each row (or, for one unit, the 0.5 threshold).
   */
  metric: RobustnessMetricName | RobustnessMetric;
  /**
   * Name of the metric in the report.
   * @defaultValue the built-in name or 'metric'
   */
  metricName?: string;
  /**
   * Whether larger metric values are better.
   * @defaultValue true only for 'accuracy'
   */
  higherIsBetter?: boolean;
  /**
   * The model inputs treated as modalities, perturbed one at a time.
   * @defaultValue every input but the presence mask and `<name>_mask`
   *   step masks
   */
  modalities?: string[];
  /**
   * Name of the model's presence-mask input `[n, M]`, whose columns follow
   * `presenceColumns`. @defaultValue the input named 'presence', if any
   */
  presence?: string;
  /**
   * The modality of each presence column, in column order.
   * @defaultValue the modalities in sorted order
   */
  presenceColumns?: string[];
  /**
   * How a modality is removed: `'presence'` writes 0 into its presence
   * column (the fusion layer then uses its placeholder, renormalises or
   * masks); `'baseline'` replaces its input with the baseline value;
   * `'auto'` uses the presence column when the modality has one.
   * @defaultValue 'auto'
   */
  removal?: 'auto' | 'presence' | 'baseline';
  /**
   * Value that replaces a removed modality without a presence column: a
   * number, or a tensor that broadcasts to its input (e.g. the training
   * mean of one sample). @defaultValue 0 (the mean of standardized data)
   */
  baseline?: Record<string, number | tf.Tensor>;
  /**
   * Standard deviations of the added Gaussian noise.
   * @defaultValue [0.1, 0.5, 1]
   */
  noise?: number[];
  /** Noise draws averaged per modality and level. @defaultValue 1 */
  repeats?: number;
  /** Seed of the noise; omit for a random one. */
  seed?: number;
  /** Samples per prediction batch. @defaultValue 256 */
  batchSize?: number;
}

/** One condition of a {@link RobustnessReport}. */
export interface RobustnessRow {
  /** `'clean'`, a modality `'removed'`, or `'noise'` added to it. */
  condition: 'clean' | 'removed' | 'noise';
  /** The modality perturbed, or null for clean data. */
  modality: string | null;
  /** Noise standard deviation, or null. */
  std: number | null;
  /** How the modality was removed, or null. */
  removal: 'presence' | 'baseline' | null;
  /** The metric under this condition (mean over repeats for noise). */
  value: number;
  /** `value − clean`. */
  change: number;
  /**
   * The share of clean performance lost, `(clean − value) / |clean|` for
   * higher-is-better metrics and `(value − clean) / |clean|` otherwise:
   * positive means worse. NaN when the clean value is 0.
   */
  degradation: number;
}

/** The result of {@link robustnessReport}: plain data. */
export interface RobustnessReport {
  /** Name of the metric. */
  metric: string;
  /** Whether larger values are better. */
  higherIsBetter: boolean;
  /** The metric on clean data. */
  clean: number;
  /** The modalities perturbed, in sorted order. */
  modalities: string[];
  /** Clean first, then per modality: removed, then each noise level. */
  rows: RobustnessRow[];
}

/**
 * Measures how a trained model degrades when a modality is missing or
 * noisy, the sweep MultiBench popularised: the metric on clean test data,
 * with each modality removed in turn (through the model's presence mask,
 * or replaced by a baseline value), and with Gaussian noise of each given
 * standard deviation added to each modality in turn. Noise is seeded, so
 * a report can be reproduced.
 *
 * @example
 * ```ts
 * const report = robustnessReport(model, testInputs, testTargets, {
 *   metric: 'mae',
 *   noise: [0.5, 1],
 *   seed: 0,
 * });
 * console.log(formatRobustnessReport(report));
 * ```
 * @param model - A trained model whose inputs are named.
 * @param inputs - Test inputs keyed by model input name.
 * @param targets - Test targets: one tensor, one per output, or keyed by
 *   output name.
 * @param options - See {@link RobustnessOptions}.
 * @returns The report.
 * @throws TypeError for unknown input names or options; ShapeError when a
 *   presence input does not have one column per presence modality.
 * @see Liang et al. (2021), MultiBench: Multiscale Benchmarks for
 *   Multimodal Representation Learning, NeurIPS (robustness to missing and
 *   noisy modalities).
 */
export function robustnessReport(
  model: tfl.LayersModel,
  inputs: Record<string, tf.Tensor>,
  targets: tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>,
  options: RobustnessOptions,
): RobustnessReport {
  const where = 'robustnessReport';
  const names = model.inputNames;
  const presenceName =
    options.presence ?? (names.includes('presence') ? 'presence' : null);
  if (presenceName !== null && !names.includes(presenceName)) {
    throw new TypeError(
      `${where}: expected presence to name a model input ` +
        `[${names.join(', ')}], received '${presenceName}'`,
    );
  }
  const modalities = [
    ...(options.modalities ??
      names.filter(
        (n) =>
          n !== presenceName &&
          !(n.endsWith('_mask') && names.includes(n.slice(0, -5))),
      )),
  ].sort();
  const unknown = modalities.filter((m) => !names.includes(m));
  if (unknown.length > 0 || modalities.length === 0) {
    throw new TypeError(
      `${where}: expected modalities among the model inputs ` +
        `[${names.join(', ')}], received [${modalities.join(', ')}]`,
    );
  }
  const columns = presenceName
    ? [...(options.presenceColumns ?? modalities)]
    : [];
  if (presenceName) checkPresence(where, inputs, presenceName, columns);
  const removal = options.removal ?? 'auto';
  assertOneOf(where, 'removal', removal, ['auto', 'presence', 'baseline']);
  const noise = options.noise ?? [0.1, 0.5, 1];
  noise.forEach((s, i) => {
    if (!(Number.isFinite(s) && s >= 0)) {
      throw new RangeError(
        `${where}: expected noise[${i}] to be a non-negative number, ` +
          `received ${s}`,
      );
    }
  });
  const repeats = options.repeats ?? 1;
  assertInteger(where, 'repeats', repeats, 1);
  const batchSize = options.batchSize ?? 256;
  assertInteger(where, 'batchSize', batchSize, 1);
  const { fn: metric, name, higherIsBetter } = resolveMetric(where, options);
  const rng = new Random(resolveSeed(where, options.seed));
  const { joined: joinedTargets, owned } = joinTargets(model, targets);

  const evaluate = (changes: Record<string, tf.Tensor>): number =>
    tf.tidy(() => {
      const predicted = predictBatched(
        model,
        { ...inputs, ...changes },
        { batchSize },
      );
      const list = Array.isArray(predicted) ? predicted : [predicted];
      const joined = list.length === 1 ? list[0]! : tf.concat(list, -1);
      return metric(joinedTargets, joined);
    });

  try {
    const clean = evaluate({});
    const row = (
      condition: RobustnessRow['condition'],
      modality: string | null,
      std: number | null,
      how: RobustnessRow['removal'],
      value: number,
    ): RobustnessRow => ({
      condition,
      modality,
      std,
      removal: how,
      value,
      change: value - clean,
      degradation:
        clean === 0
          ? NaN
          : (higherIsBetter ? clean - value : value - clean) / Math.abs(clean),
    });
    const rows: RobustnessRow[] = [row('clean', null, null, null, clean)];

    for (const m of modalities) {
      const column = presenceName ? columns.indexOf(m) : -1;
      const how =
        removal === 'baseline' || (removal === 'auto' && column < 0)
          ? 'baseline'
          : 'presence';
      if (how === 'presence' && column < 0) {
        throw new TypeError(
          `${where}: removal 'presence' needs a presence column for '${m}', ` +
            `received columns [${columns.join(', ')}]`,
        );
      }
      const removed = tf.tidy(() =>
        how === 'presence'
          ? {
              [presenceName!]: withoutColumn(
                inputs[presenceName!]!,
                column,
                columns.length,
              ),
            }
          : { [m]: baselineFor(where, inputs[m]!, m, options.baseline?.[m]) },
      );
      try {
        rows.push(row('removed', m, null, how, evaluate(removed)));
      } finally {
        tf.dispose(removed);
      }

      for (const std of noise) {
        let total = 0;
        for (let r = 0; r < repeats; r++) {
          const seed = rng.seed();
          const noisy = tf.tidy(() => {
            const x = tf.cast(inputs[m]!, 'float32');
            return tf.add(x, tf.randomNormal(x.shape, 0, std, 'float32', seed));
          });
          try {
            total += evaluate({ [m]: noisy });
          } finally {
            noisy.dispose();
          }
        }
        rows.push(row('noise', m, std, null, total / repeats));
      }
    }
    return { metric: name, higherIsBetter, clean, modalities, rows };
  } finally {
    if (owned) joinedTargets.dispose();
  }
}

/**
 * Formats a report as an aligned text table, one row per condition.
 *
 * @param report - From {@link robustnessReport}.
 * @param digits - Decimals of the values. @defaultValue 4
 * @returns The table, lines joined by newlines.
 */
export function formatRobustnessReport(
  report: RobustnessReport,
  digits = 4,
): string {
  const header = [
    'condition',
    'modality',
    'std',
    report.metric,
    'change',
    'degradation',
  ];
  const body = report.rows.map((r) => [
    r.condition === 'removed' ? `removed (${r.removal})` : r.condition,
    r.modality ?? '-',
    r.std === null ? '-' : String(r.std),
    r.value.toFixed(digits),
    r.condition === 'clean' ? '-' : signed(r.change, digits),
    r.condition === 'clean' || Number.isNaN(r.degradation)
      ? '-'
      : `${signed(100 * r.degradation, 1)}%`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((b) => (b[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}

function signed(v: number, digits: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}
