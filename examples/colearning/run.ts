/**
 * The co-learning experiment over seeds: each seed draws its own few
 * labelled training days and its own weights; the table gives the mean
 * and the spread over seeds of each model's test scores.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { CoTrainingRound } from '../../src/colearning';
import { loadCoLearningData } from './dataset';
import type { CoLearningOptions } from './options';
import { type TableRow, formatTable } from './report';
import { type Progress, type SeedResult, runSeed } from './run-seed';

export type { Progress };

/** What a run returns. */
export interface CoLearningResult {
  /** Mean and spread of each model over the seeds. */
  rows: TableRow[];
  /** The table as text. */
  table: string;
  /** Each seed's result. */
  seeds: { seed: number; result: SeedResult }[];
  /** The co-training history of the first seed. */
  history: CoTrainingRound[];
  counts: {
    labelled: number;
    unlabelled: number;
    val: number;
    test: number;
    trainDays: number;
  };
  /**
   * Share of correct pseudo-labels given by each view's model, over all
   * seeds and rounds (null when none were given).
   */
  pseudoLabelAccuracy: Record<'price' | 'news', number | null>;
  /** Share of up days among the test days. */
  testUpShare: number;
  testDates: [string, string];
  totalSeconds: number;
}

/** Runs the experiment; see the example's README. */
export async function runCoLearning(
  options: CoLearningOptions,
  progress: Progress = {},
): Promise<CoLearningResult> {
  const started = performance.now();
  await tf.setBackend(options.backend);
  await tf.ready();
  progress.stage?.('Loading DJIA prices and headlines');
  const data = await loadCoLearningData(options);

  const seeds: { seed: number; result: SeedResult }[] = [];
  for (let s = 0; s < options.seeds; s++) {
    const seed = options.seed + s;
    progress.stage?.(`== Seed ${seed} (${s + 1} of ${options.seeds}) ==`);
    seeds.push({ seed, result: await runSeed(data, options, seed, progress) });
  }

  const names = seeds[0]!.result.rows.map((r) => r.name);
  const rows: TableRow[] = names.map((name, i) => {
    const per = seeds.map((s) => s.result.rows[i]!);
    return {
      name,
      labels: per[0]!.labels,
      pseudoLabels: mean(per.map((r) => r.pseudoLabels)),
      accuracy: per.map((r) => r.accuracy),
      balancedAccuracy: per.map((r) => r.balancedAccuracy),
      seconds: mean(per.map((r) => r.seconds)),
    };
  });
  const labels = data.test.labels;
  const testUpShare = labels.reduce((s, v) => s + v, 0) / labels.length;
  const first = seeds[0]!.result;
  const pseudoLabelAccuracy = { price: 0, news: 0 };
  const given = { price: 0, news: 0 };
  for (const { result } of seeds) {
    for (const round of result.history) {
      for (const view of ['price', 'news'] as const) {
        const added = round.added[view]!;
        pseudoLabelAccuracy[view] += (added.accuracy ?? 0) * added.count;
        given[view] += added.count;
      }
    }
  }
  return {
    rows,
    table: formatTable(rows, labels.length, testUpShare),
    seeds,
    history: first.history,
    counts: {
      labelled: first.labelled,
      unlabelled: first.unlabelled,
      val: data.val.labels.length,
      test: labels.length,
      trainDays: data.train.labels.length,
    },
    pseudoLabelAccuracy: {
      price: given.price > 0 ? pseudoLabelAccuracy.price / given.price : null,
      news: given.news > 0 ? pseudoLabelAccuracy.news / given.news : null,
    },
    testUpShare,
    testDates: data.testDates,
    totalSeconds: (performance.now() - started) / 1000,
  };
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
