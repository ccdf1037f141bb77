/**
 * One seed of the co-learning experiment: each view alone, both views
 * fused, and co-training, all on the same few training labels (drawn with
 * the seed), scored on the held-out test days.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  CoTraining,
  type CoTrainingData,
  type CoTrainingRound,
  classificationScores,
} from '../../src/colearning';
import { Random } from '../../src/internal/random';
import { fitModel, predictBatched } from '../../src/model';
import {
  type CoLearningData,
  type LabelledPart,
  PRICE_FEATURES,
  splitLabels,
} from './dataset';
import { fusedModel, viewSpecs } from './models';
import type { CoLearningOptions } from './options';

/** The test scores of one model in one seed. */
export interface SeedRow {
  name: string;
  /** True labels the model was trained on. */
  labels: number;
  /** Pseudo-labels it was trained on. */
  pseudoLabels: number;
  /** Test accuracy. */
  accuracy: number;
  /** Test balanced accuracy (mean recall of up and down days). */
  balancedAccuracy: number;
  /** Seconds spent training. */
  seconds: number;
}

/** What one seed returns. */
export interface SeedResult {
  rows: SeedRow[];
  history: CoTrainingRound[];
  stop: string | null;
  labelled: number;
  unlabelled: number;
}

/** Progress callbacks of a run. */
export interface Progress {
  stage?: (text: string) => void;
  round?: (text: string) => void;
}

type Views = Record<'news' | 'price', tf.Tensor>;

/** Runs every model of the experiment for one seed. */
export async function runSeed(
  data: CoLearningData,
  options: CoLearningOptions,
  seed: number,
  progress: Progress = {},
): Promise<SeedResult> {
  const { labelled, unlabelled } = splitLabels(data.train, options, seed);
  const parts = {
    labelled: toViews(labelled, options),
    unlabelled: toViews(unlabelled, options),
    val: toViews(data.val, options),
    test: toViews(data.test, options),
  };
  const coData: CoTrainingData = {
    labelled: { inputs: parts.labelled, targets: labelled.labels },
    unlabelled: { inputs: parts.unlabelled, targets: unlabelled.labels },
    validation: { inputs: parts.val, targets: data.val.labels },
  };
  const seeds = new Random(seed);
  const views = viewSpecs(options);
  const coOptions = {
    threshold: options.threshold,
    perRound: options.perRound,
    seed: seeds.seed(),
  };
  const n = labelled.labels.length;
  const rows: SeedRow[] = [majorityRow(labelled, data.test)];
  const none = { price: 0, news: 0 };

  try {
    progress.stage?.(`Each view alone on ${n} labels`);
    let t0 = performance.now();
    const alone = new CoTraining({ views, ...coOptions, maxRounds: 0 });
    await alone.fit(coData);
    rows.push(
      ...coRows(alone, parts.test, data.test, 'alone', n, none, since(t0)),
    );
    alone.dispose();

    progress.stage?.(`Both views fused (concat), supervised on ${n} labels`);
    t0 = performance.now();
    const fused = fusedModel(options, seeds.seed());
    const y = tf.tensor2d(labelled.labels, [n, 1]);
    const optimizer = tf.train.adam(2e-3);
    await fitModel(fused, parts.labelled, y, {
      epochs: options.epochs,
      batchSize: 32,
      optimizer,
      loss: 'binaryCrossentropy',
      seed: seeds.seed(),
    });
    y.dispose();
    optimizer.dispose();
    rows.push({
      name: 'Both views fused',
      labels: n,
      pseudoLabels: 0,
      ...score(pUp(fused, parts.test), data.test.labels),
      seconds: since(t0),
    });
    fused.dispose();

    progress.stage?.(
      `Co-training: threshold ${options.threshold}, ${options.perRound} ` +
        `pseudo-labels per view per round, at most ${options.rounds} rounds`,
    );
    t0 = performance.now();
    const co = new CoTraining({
      views,
      ...coOptions,
      maxRounds: options.rounds,
    });
    const result = await co.fit(coData, {
      onRound: (r) => progress.round?.(describeRound(r)),
    });
    const last = result.history.at(-1)!;
    const pseudo = {
      price: last.trainingSize.price! - n,
      news: last.trainingSize.news! - n,
    };
    rows.push(...coRows(co, parts.test, data.test, 'co', n, pseudo, since(t0)));
    co.dispose();
    return {
      rows,
      history: result.history,
      stop: result.stop,
      labelled: n,
      unlabelled: unlabelled.labels.length,
    };
  } finally {
    for (const part of Object.values(parts)) tf.dispose(Object.values(part));
  }
}

const NAMES = {
  alone: {
    price: 'Price view alone (LSTM)',
    news: 'News view alone (MLP)',
    combined: 'Views alone, probabilities multiplied',
  },
  co: {
    price: 'Co-training: price model',
    news: 'Co-training: news model',
    combined: 'Co-training: both, multiplied',
  },
};

/** Rows for each view's model and the views combined. */
function coRows(
  co: CoTraining,
  test: Views,
  part: LabelledPart,
  kind: 'alone' | 'co',
  labels: number,
  pseudo: Record<'price' | 'news', number>,
  seconds: number,
): SeedRow[] {
  const rows: SeedRow[] = (['price', 'news'] as const).map((v) => ({
    name: NAMES[kind][v],
    labels,
    pseudoLabels: pseudo[v],
    ...score(pUp(co.models![v]!, test[v]), part.labels),
    seconds,
  }));
  const combined = co.predict(test);
  const up = (combined.arraySync() as number[][]).map((r) => r[1]!);
  combined.dispose();
  rows.push({
    name: NAMES[kind].combined,
    labels,
    pseudoLabels: pseudo.price + pseudo.news,
    ...score(up, part.labels),
    seconds,
  });
  return rows;
}

function majorityRow(labelled: LabelledPart, test: LabelledPart): SeedRow {
  const labels = labelled.labels;
  const up = labels.reduce((s, v) => s + v, 0) >= labels.length / 2;
  return {
    name: 'Majority class of the labels',
    labels: labels.length,
    pseudoLabels: 0,
    ...score(
      test.labels.map(() => (up ? 1 : 0)),
      test.labels,
    ),
    seconds: 0,
  };
}

/** P(up) of each sample from a one-output sigmoid model. */
function pUp(model: tfl.LayersModel, inputs: tf.Tensor | Views): number[] {
  const p = predictBatched(model, inputs) as tf.Tensor;
  const values = Array.from(p.dataSync());
  p.dispose();
  return values;
}

function score(up: number[], labels: number[]) {
  const predicted = up.map((p) => (p > 0.5 ? 1 : 0));
  const s = classificationScores(labels, predicted, 2);
  return { accuracy: s.accuracy, balancedAccuracy: s.balancedAccuracy };
}

function describeRound(r: CoTrainingRound): string {
  const pct = (x: number | null | undefined) =>
    x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}%`;
  const val = r.validation as Record<string, { accuracy: number }> | null;
  const added = (['price', 'news'] as const)
    .map((v) => {
      const a = r.added[v]!;
      return `${v}→${a.to} +${a.count} (${pct(a.accuracy)} right)`;
    })
    .join(', ');
  return (
    `round ${r.round}: trained on ${r.trainingSize.price} (price), ` +
    `${r.trainingSize.news} (news); val acc price ` +
    `${pct(val?.price?.accuracy)}, news ${pct(val?.news?.accuracy)}, both ` +
    `${pct((r.combined as { accuracy: number } | null)?.accuracy)}; ` +
    `${added}${r.stop ? `; stop: ${r.stop}` : ''} ` +
    `(${(r.ms / 1000).toFixed(1)} s)`
  );
}

function toViews(part: LabelledPart, options: CoLearningOptions): Views {
  const n = part.dates.length;
  return {
    news: tf.tensor2d(part.news, [n, options.textDim]),
    price: tf.tensor3d(part.prices, [n, options.window, PRICE_FEATURES.length]),
  };
}

function since(t0: number): number {
  return (performance.now() - t0) / 1000;
}
