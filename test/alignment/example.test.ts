import { existsSync } from 'node:fs';
import { join } from 'node:path';

import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';

import { DEFAULT_DATA, parseOptions } from '../../examples/alignment/options';
import { runAlignment } from '../../examples/alignment/run';

const present = existsSync(join(DEFAULT_DATA, 'DJIA_table.csv'));

describe('alignment example options', () => {
  it('defaults the data folder to ../shared/data/daily-news-stock-djia', () => {
    expect(
      DEFAULT_DATA.endsWith(join('shared', 'data', 'daily-news-stock-djia')),
    ).toBe(true);
    const options = parseOptions(['--quick']);
    expect(options).not.toBe('help');
    expect(parseOptions(['--help'])).toBe('help');
    expect(() => parseOptions(['--backend', 'gpu'])).toThrow(
      "--backend: expected cpu or wasm, received 'gpu'",
    );
  });

  it('fails with one clear line when the data folder is absent', async () => {
    const options = parseOptions(['--quick', '--data', '/nonexistent/djia']);
    if (options === 'help') throw new Error('unexpected help');
    await expect(runAlignment(options)).rejects.toThrow(
      /^data not found: \/nonexistent\/djia\/DJIA_table.csv is missing \(pass --data DIR with DJIA_table.csv and Combined_News_DJIA.csv\)$/,
    );
  });
});

describe.skipIf(!present)(
  'alignment example on the DJIA news data, --quick',
  () => {
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    it('trains both models and reports held-out retrieval and correlations', async () => {
      const options = parseOptions(['--quick']);
      if (options === 'help') throw new Error('unexpected help');
      const before = tf.memory().numTensors;
      const result = await runAlignment(options);
      expect(result.rows.map((r) => r.name.split(' (')[0])).toEqual([
        'Random embeddings',
        'Untrained encoders',
        'Contrastive',
        'Deep CCA',
        'Linear CCA',
      ]);
      expect(result.counts.test).toBeGreaterThan(50);
      expect(result.testDates[1]).toBe('2016-07-01');
      for (const row of result.rows) {
        for (const d of [row.retrieval.aToB, row.retrieval.bToA]) {
          expect(d.recallAtK[10]).toBeGreaterThanOrEqual(d.recallAtK[1]!);
          expect(d.medianRank).toBeGreaterThanOrEqual(1);
          expect(d.medianRank).toBeLessThanOrEqual(result.counts.test);
        }
        expect(row.testCorrelations.every((c) => Math.abs(c) <= 1)).toBe(true);
      }
      expect(result.table).toContain('chance (');
      expect(tf.memory().numTensors).toBe(before);
    });
  },
);
