/**
 * The parts of a co-training round: training the views' models, scoring,
 * labelling candidates and keeping the pool.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { Random } from '../internal/random';
import type { ModelInputs } from '../model/model-inputs';
import type { DataFacts, ResolvedOptions } from './co-training-checks';
import type {
  AddedSamples,
  CoTrainingData,
  CoTrainingRound,
  CoTrainingView,
  ViewScores,
} from './co-training-types';
import { coregConfidence } from './coreg';
import { type Selection, selectByClass, selectTop } from './selection';
import {
  appendSamples,
  disposeInputs,
  flattenFeatures,
  gatherSamples,
} from './view-data';
import {
  combineRows,
  defaultTrainer,
  encodeTargets,
  outputUnits,
  predictRows,
  regressionScores,
  scoreRows,
} from './view-model';

/** A view's training set: inputs (owned) and targets. */
export interface ViewSet {
  inputs: ModelInputs;
  targets: number[];
}

/** The unlabelled samples: the candidate pool `U'` and the rest. */
export interface Pool {
  candidates: number[];
  reserve: number[];
}

/** Pseudo-labelled samples of each view, read from the history. */
export function pseudoLabelsOf(
  views: readonly string[],
  rounds: readonly CoTrainingRound[],
): Record<string, { indices: number[]; labels: number[] }> {
  const sets: Record<string, { indices: number[]; labels: number[] }> = {};
  for (const name of views) sets[name] = { indices: [], labels: [] };
  for (const round of rounds) {
    for (const added of Object.values(round.added)) {
      sets[added.to]!.indices.push(...added.indices);
      sets[added.to]!.labels.push(...added.labels);
    }
  }
  return sets;
}

/**
 * Builds each view's model from its seed and trains it on the labelled set
 * plus its pseudo-labels. On failure everything made is disposed.
 */
export async function trainViews(
  specs: Record<string, CoTrainingView>,
  o: ResolvedOptions,
  facts: DataFacts,
  data: CoTrainingData,
  rounds: readonly CoTrainingRound[],
): Promise<{
  models: Record<string, tfl.LayersModel>;
  sets: Record<string, ViewSet>;
}> {
  const seeds = viewSeeds(o.seed, o.views);
  const pseudo = pseudoLabelsOf(o.views, rounds);
  const models: Record<string, tfl.LayersModel> = {};
  const sets: Record<string, ViewSet> = {};
  try {
    for (const name of o.views) {
      const spec = specs[name] as CoTrainingView;
      sets[name] = {
        inputs: appendSamples(
          data.labelled.inputs[name] as ModelInputs,
          data.unlabelled.inputs[name] as ModelInputs,
          pseudo[name]!.indices,
        ),
        targets: [
          ...Array.from(data.labelled.targets),
          ...pseudo[name]!.labels,
        ],
      };
      const model = spec.build(seeds[name]!.build);
      models[name] = model;
      const units = outputUnits(
        'CoTraining',
        name,
        model,
        o.task,
        facts.classes ?? 1,
      );
      const validation = data.validation
        ? {
            inputs: data.validation.inputs[name] as ModelInputs,
            targets: Array.from(data.validation.targets),
          }
        : null;
      const train = spec.train ?? defaultTrainer(spec, o.task, validation);
      const y = encodeTargets(o.task, units, sets[name].targets);
      try {
        await train(model, sets[name].inputs, y, seeds[name]!.train);
      } finally {
        y.dispose();
      }
    }
  } catch (error) {
    for (const model of Object.values(models)) model.dispose();
    for (const set of Object.values(sets)) disposeInputs(set.inputs);
    throw error;
  }
  return { models, sets };
}

/** Validation scores of each view's model and of the views combined. */
export function scoreViews(
  o: ResolvedOptions,
  facts: DataFacts,
  models: Record<string, tfl.LayersModel>,
  data: CoTrainingData,
): { views: Record<string, ViewScores>; combined: ViewScores } | null {
  const validation = data.validation;
  if (!validation) return null;
  const rows = o.views.map((name) =>
    predictRows(
      'CoTraining',
      name,
      models[name]!,
      validation.inputs[name] as ModelInputs,
      o.task,
    ),
  );
  const classes = facts.classes ?? 1;
  const score = (r: number[][]) =>
    scoreRows(o.task, r, validation.targets, classes);
  return {
    views: Object.fromEntries(o.views.map((n, i) => [n, score(rows[i]!)])),
    combined: score(combineRows(o.task, rows)),
  };
}

/** The candidates that view `name`'s model labels this round. */
export function labelCandidates(
  o: ResolvedOptions,
  name: string,
  model: tfl.LayersModel,
  data: CoTrainingData,
  set: ViewSet,
  candidates: number[],
): Selection {
  const inputs = gatherSamples(
    data.unlabelled.inputs[name] as ModelInputs,
    candidates,
  );
  try {
    const rows = predictRows('CoTraining', name, model, inputs, o.task);
    if (o.task === 'classification') {
      return selectByClass(candidates, rows, o.quotas!, o.threshold);
    }
    const values = rows.map((r) => r[0] as number);
    const features = flattenFeatures(set.inputs);
    const candidateFeatures = flattenFeatures(inputs);
    try {
      const deltas = coregConfidence(
        { features, targets: set.targets },
        candidateFeatures,
        values,
        o.k,
      );
      return selectTop(candidates, values, deltas, o.perRound, o.threshold);
    } finally {
      tf.dispose([features, candidateFeatures]);
    }
  } finally {
    disposeInputs(inputs);
  }
}

/** The log of one view's picks, scored when true targets are known. */
export function describeAdded(
  to: string,
  picked: Selection,
  data: CoTrainingData,
  facts: DataFacts,
): AddedSamples {
  const truth = data.unlabelled.targets;
  const actual = truth ? picked.indices.map((i) => truth[i] as number) : [];
  const known = truth !== undefined && picked.indices.length > 0;
  const classes = facts.classes;
  return {
    to,
    count: picked.indices.length,
    perClass:
      classes === null
        ? null
        : Array.from(
            { length: classes },
            (_, c) => picked.labels.filter((l) => l === c).length,
          ),
    indices: picked.indices,
    labels: picked.labels,
    minConfidence:
      picked.confidences.length > 0 ? Math.min(...picked.confidences) : null,
    accuracy:
      known && classes !== null
        ? actual.filter((a, i) => a === picked.labels[i]).length / actual.length
        : null,
    rmse:
      known && classes === null
        ? regressionScores(actual, picked.labels).rmse
        : null,
  };
}

/**
 * Removes `taken` from the candidates and refills them to `poolSize` with
 * a seeded random draw from the reserve (draw `stream` of the run).
 */
export function refillPool(
  pool: Pool,
  taken: ReadonlySet<number>,
  poolSize: number | null,
  seed: number,
  stream: number,
): void {
  pool.candidates = pool.candidates.filter((i) => !taken.has(i));
  const size = poolSize ?? Infinity;
  const need = Math.min(size - pool.candidates.length, pool.reserve.length);
  if (need <= 0) return;
  const drawn = new Set(
    randomAt(seed, stream).permutation(pool.reserve.length).slice(0, need),
  );
  pool.candidates = [
    ...pool.candidates,
    ...pool.reserve.filter((_, j) => drawn.has(j)),
  ].sort((a, b) => a - b);
  pool.reserve = pool.reserve.filter((_, j) => !drawn.has(j));
}

/** Build and training seeds of each view, fixed by the run's seed. */
export function viewSeeds(
  seed: number,
  views: readonly string[],
): Record<string, { build: number; train: number }> {
  const rng = new Random(seed);
  return Object.fromEntries(
    views.map((n) => [n, { build: rng.seed(), train: rng.seed() }]),
  );
}

/** The random stream of pool draw `index` (0: the first pool). */
function randomAt(seed: number, index: number): Random {
  const root = new Random(seed).fork();
  let stream = root.fork();
  for (let i = 0; i < index; i++) stream = root.fork();
  return stream;
}
