import { existsSync } from 'node:fs';
import { join } from 'node:path';

import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { DEFAULT_DATA, parseOptions } from '../../examples/colearning/options';
import { runCoLearning } from '../../examples/colearning/run';

const present =
  existsSync(join(DEFAULT_DATA, 'DJIA_table.csv')) &&
  existsSync(join(DEFAULT_DATA, 'Combined_News_DJIA.csv'));

describe('co-learning example options', () => {
  it('defaults to 5% of the labels and the shared DJIA folder', () => {
    expect(
      DEFAULT_DATA.endsWith(join('shared', 'data', 'daily-news-stock-djia')),
    ).toBe(true);
    const options = parseOptions([]);
    if (options === 'help') throw new Error('unexpected help');
    expect(options).toMatchObject({
      labelFraction: 0.05,
      seeds: 3,
      threshold: 0.6,
      backend: 'wasm',
    });
    expect(parseOptions(['--help'])).toBe('help');
    expect(() => parseOptions(['--labels', '2'])).toThrow(
      "--labels: expected a number in [0.001, 1], received '2'",
    );
    expect(() => parseOptions(['--backend', 'gpu'])).toThrow(
      "--backend: expected cpu or wasm, received 'gpu'",
    );
  });

  it('fails with one clear line when the data folder is absent', async () => {
    const options = parseOptions(['--quick', '--data', '/nonexistent/djia']);
    if (options === 'help') throw new Error('unexpected help');
    await expect(runCoLearning(options)).rejects.toThrow(
      /^data not found: \/nonexistent\/djia\/DJIA_table.csv is missing \(pass --data DIR with DJIA_table.csv and Combined_News_DJIA.csv\)$/,
    );
  });
});

describe.skipIf(!present)(
  'co-learning example on the DJIA data, --quick',
  () => {
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    it('prints one table with every model, scored on the test days', async () => {
      const options = parseOptions(['--quick']);
      if (options === 'help') throw new Error('unexpected help');
      const before = tf.memory().numTensors;
      const result = await runCoLearning(options);
      expect(result.rows.map((r) => r.name)).toEqual([
        'Majority class of the labels',
        'Price view alone (LSTM)',
        'News view alone (MLP)',
        'Views alone, probabilities multiplied',
        'Both views fused',
        'Co-training: price model',
        'Co-training: news model',
        'Co-training: both, multiplied',
      ]);
      // 5% of the 261 training days of the last 400 sessions.
      expect(result.counts.labelled).toBe(13);
      expect(result.counts.labelled + result.counts.unlabelled).toBe(
        result.counts.trainDays,
      );
      expect(result.testDates[1]).toBe('2016-06-30');
      for (const row of result.rows) {
        expect(row.labels).toBe(13);
        for (const x of [...row.accuracy, ...row.balancedAccuracy]) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(1);
        }
      }
      expect(result.rows[0]!.balancedAccuracy).toEqual([0.5]);
      expect(result.history.length).toBeGreaterThan(1);
      expect(result.rows.at(-1)!.pseudoLabels).toBeGreaterThan(0);
      expect(result.table).toContain('test acc %');
      expect(result.table).toContain('s.e. 5.6');
      expect(tf.memory().numTensors).toBe(before);
    });
  },
);
