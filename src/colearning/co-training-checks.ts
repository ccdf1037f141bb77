/**
 * Validation of {@link CoTraining}'s options and data.
 *
 * @internal
 */
import { assertInRange, assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, describe } from '../internal/errors';
import { resolveSeed } from '../internal/random';
import type {
  CoTrainingData,
  CoTrainingOptions,
  CoTrainingTask,
} from './co-training-types';
import { classQuotas } from './selection';
import { checkLabels } from './view-model';
import { countSamples } from './view-data';

/** Options after defaults. */
export interface ResolvedOptions {
  views: string[];
  task: CoTrainingTask;
  classes: number | null;
  threshold: number;
  perRound: number;
  quotas: number[] | null;
  maxRounds: number;
  poolSize: number | null;
  k: number;
  seed: number;
}

/** Sample counts and class information of valid data. */
export interface DataFacts {
  labelled: number;
  unlabelled: number;
  /** Classes (classification; null for regression). */
  classes: number | null;
  /** Labelled samples of each class (classification). */
  classCounts: number[] | null;
}

/**
 * Checks the options and fills in defaults.
 *
 * @throws TypeError for other than two views or a view without `build`;
 *   RangeError for values out of range.
 */
export function resolveOptions(options: CoTrainingOptions): ResolvedOptions {
  const where = 'CoTraining';
  const views = Object.keys(options?.views ?? {}).sort();
  if (views.length !== 2) {
    throw new TypeError(
      `${where}: expected exactly 2 views, received ${views.length} ` +
        `[${views.join(', ')}]`,
    );
  }
  for (const name of views) {
    const build = options.views[name]?.build;
    if (typeof build !== 'function') {
      throw new TypeError(
        `${where}: expected view '${name}' to have a build(seed) function, ` +
          `received ${describe(build)}`,
      );
    }
  }
  const task = options.task ?? 'classification';
  assertOneOf(where, 'task', task, ['classification', 'regression']);
  const regression = task === 'regression';
  const threshold = options.threshold ?? (regression ? 0 : 0.8);
  assertInRange(where, 'threshold', threshold, 0, regression ? Infinity : 1);
  if (regression && !Number.isFinite(threshold)) {
    throw new RangeError(
      `${where}: expected threshold in [0, Infinity), received ${threshold}`,
    );
  }
  const perRound = options.perRound ?? (regression ? 1 : 10);
  assertInteger(where, 'perRound', perRound, 1);
  const maxRounds = options.maxRounds ?? 30;
  assertInteger(where, 'maxRounds', maxRounds, 0);
  const k = options.k ?? 3;
  assertInteger(where, 'k', k, 1);
  if (options.poolSize !== undefined) {
    assertInteger(where, 'poolSize', options.poolSize, 1);
  }
  if (options.classes !== undefined) {
    assertInteger(where, 'classes', options.classes, 2);
  }
  let quotas: number[] | null = null;
  if (options.quotas !== undefined) {
    if (regression || !Array.isArray(options.quotas)) {
      throw new TypeError(
        `${where}: expected quotas only for classification, as an array ` +
          `of integers, received ${describe(options.quotas)} for ${task}`,
      );
    }
    options.quotas.forEach((q, i) => assertInteger(where, `quotas[${i}]`, q));
    quotas = [...options.quotas];
  }
  return {
    views,
    task,
    classes: regression ? null : (options.classes ?? null),
    threshold,
    perRound,
    quotas,
    maxRounds,
    poolSize: options.poolSize ?? null,
    k,
    seed: resolveSeed(where, options.seed),
  };
}

/**
 * Checks the data against the views and the task.
 *
 * @throws TypeError when the data's views differ from the options';
 *   ShapeError when views and targets disagree on the number of samples;
 *   RangeError for an empty labelled or unlabelled set, or labels that are
 *   not classes.
 */
export function checkData(
  where: string,
  options: ResolvedOptions,
  data: CoTrainingData,
): DataFacts {
  const count = (part: string, inputs: unknown, targets?: ArrayLike<number>) =>
    countPart(where, options.views, part, inputs, targets);
  const labelled = count(
    'labelled',
    data?.labelled?.inputs,
    data?.labelled?.targets ?? [],
  );
  const unlabelled = count(
    'unlabelled',
    data.unlabelled?.inputs,
    data.unlabelled?.targets,
  );
  for (const [part, n] of [
    ['labelled', labelled],
    ['unlabelled', unlabelled],
  ] as const) {
    if (n === 0) {
      throw new RangeError(
        `${where}: expected a non-empty ${part} set, received 0 samples`,
      );
    }
  }
  if (data.validation) {
    count('validation', data.validation.inputs, data.validation.targets);
  }
  if (options.task === 'regression') {
    return { labelled, unlabelled, classes: null, classCounts: null };
  }

  let largest = 0;
  for (let i = 0; i < labelled; i++) {
    largest = Math.max(largest, Number(data.labelled.targets[i]));
  }
  const classes = options.classes ?? Math.max(2, largest + 1);
  checkLabels(where, 'the labelled targets', data.labelled.targets, classes);
  if (data.unlabelled.targets) {
    checkLabels(
      where,
      'the unlabelled targets',
      data.unlabelled.targets,
      classes,
    );
  }
  if (data.validation) {
    checkLabels(
      where,
      'the validation targets',
      data.validation.targets,
      classes,
    );
  }
  const classCounts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labelled; i++) {
    classCounts[data.labelled.targets[i] as number]!++;
  }
  return { labelled, unlabelled, classes, classCounts };
}

function countPart(
  where: string,
  views: string[],
  part: string,
  inputs: unknown,
  targets: ArrayLike<number> | undefined,
): number {
  const keys =
    typeof inputs === 'object' && inputs !== null
      ? Object.keys(inputs).sort()
      : [];
  if (keys.join('\u0000') !== views.join('\u0000')) {
    throw new TypeError(
      `${where}: expected the ${part} inputs to have the views ` +
        `[${views.join(', ')}], received [${keys.join(', ')}]`,
    );
  }
  const record = inputs as Record<string, unknown>;
  const counts = views.map((v) =>
    countSamples(where, `the ${part} inputs of view '${v}'`, record[v]),
  );
  const same =
    counts.every((c) => c === counts[0]) &&
    (targets === undefined || targets.length === counts[0]);
  if (!same) {
    const parts = views.map((v, i) => `${v}: ${counts[i]}`);
    if (targets !== undefined) parts.push(`targets: ${targets.length}`);
    throw new ShapeError(
      `${where}: expected the ${part} views` +
        `${targets === undefined ? '' : ' and targets'} to have the same ` +
        `number of samples, received ${parts.join(', ')}`,
    );
  }
  return counts[0] as number;
}

/**
 * Fixes the classes and the per-class quotas of a classification run from
 * the first data it sees.
 *
 * @throws RangeError when explicit quotas do not match the classes.
 */
export function fixClasses(
  where: string,
  o: ResolvedOptions,
  facts: DataFacts,
): void {
  if (facts.classes === null) return;
  o.classes ??= facts.classes;
  o.quotas ??= classQuotas(facts.classCounts!, o.perRound);
  if (o.quotas.length !== o.classes) {
    throw new RangeError(
      `${where}: expected ${o.classes} quotas, one per class, received ` +
        `${o.quotas.length} [${o.quotas.join(', ')}]`,
    );
  }
}
