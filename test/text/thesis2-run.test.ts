import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';

import {
  numpyMean,
  prepareDays,
  readHeadlines,
} from '../../examples/stock-prediction/thesis2/data';
import {
  MODELS,
  buildThesis2Model,
  type ModelKey,
} from '../../examples/stock-prediction/thesis2/models';
import {
  DEFAULT_THESIS2,
  parseThesis2Args,
  thesis2Options,
} from '../../examples/stock-prediction/thesis2/options';
import { thesis2Report } from '../../examples/stock-prediction/thesis2/report';
import {
  runThesis2,
  type Thesis2Results,
} from '../../examples/stock-prediction/thesis2/run';
import { expectClose } from '../helpers';
import { roundTrip } from '../round-trip';

const SHARED = fileURLToPath(new URL('../../../shared', import.meta.url));
const DATA = join(SHARED, 'data/daily-news-stock-djia');

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('thesis-2 models (spec S7 and the text variants)', () => {
  const shapes = {
    price: [10, 10],
    features: [10, 14],
    news: [10, 4],
    headlines: [10, 6],
  } as const;
  const inputs = (model: tfl.LayersModel) =>
    Object.fromEntries(
      model.inputNames.map((n) => [
        n,
        tf.randomNormal(
          [3, ...shapes[n as keyof typeof shapes]],
          0,
          1,
          'float32',
          1,
        ),
      ]),
    );

  it.each(Object.keys(MODELS))(
    'builds %s with its inputs and two ratio outputs',
    (key) => {
      const model = buildThesis2Model(
        key as ModelKey,
        { ...shapes } as never,
        0,
      );
      expect([...model.inputNames].sort()).toEqual(
        [...MODELS[key as ModelKey].inputs].sort(),
      );
      expect(
        (
          model.predict(
            model.inputNames.map((n) => inputs(model)[n]!),
          ) as tf.Tensor
        ).shape,
      ).toEqual([3, 2]);
    },
  );

  it('saves and reloads the cross-attention text model with the same predictions', async () => {
    const model = buildThesis2Model('textAttention', { ...shapes } as never, 1);
    const x = inputs(model);
    const list = model.inputNames.map((n) => x[n]!);
    const loaded = await roundTrip(model);
    expectClose(
      loaded.predict(list) as tf.Tensor,
      model.predict(list) as tf.Tensor,
      {
        atol: 0,
        rtol: 0,
      },
    );
  });
});

describe('thesis-2 data readers', () => {
  const prices =
    'Date,Open,High,Low,Close,Volume,Adj Close\n' +
    '2016-07-01,10,11,9,10.5,100,10.5\n' +
    '2016-06-30,9,10,8,9.5,100,9.5\n';

  it('keeps headlines verbatim apart from the bytes-literal wrapper', () => {
    const days = readHeadlines(
      'Date,Label,Top1,Top2,Top3\r\n' +
        `2016-06-30,1,"b'It\\'s \\tup '",  plain  \r\n` +
        '2016-07-01,0,"b""x""",,\r\n',
    );
    expect(days).toEqual([
      { date: '2016-06-30', texts: ["It's \tup ", '  plain  '] },
      { date: '2016-07-01', texts: ['x'] },
    ]);
  });

  it('names unknown columns and dates that differ between the files', () => {
    expect(() => readHeadlines('Day,Top1\n2016-07-01,x\n')).toThrow(
      /expected a column named "date" \(any case\), received header \["Day", "Top1"\]/,
    );
    expect(() => readHeadlines('Date,Headline\n2016-07-01,x\n')).toThrow(
      /expected columns Top1..TopN, received header \[Date, Headline\]/,
    );
    expect(() =>
      prepareDays({ prices, news: 'Date,Top1\n2016-06-30,a\n2016-07-02,b\n' }),
    ).toThrow(
      /expected the headline dates to equal the price dates \(2 days\), received 2 days, first difference at row 1: 2016-07-02 vs 2016-07-01/,
    );
  });

  it('averages like numpy (pairwise), so ties match the reference bit for bit', () => {
    const values = [
      0.4496, 0.0825, -0.4462, -0.6787, 0.9399, 0.0321, -0.7683, 0.247, 0.5534,
      0.226, 0.8346, -0.9208, 0.0572, -0.0813, -0.8753, 0.2827, 0.7053, 0.1859,
      -0.4798, 0.6798, 0.019, 0.0218, 0.5061, -0.7042, 0.6393,
    ];
    // numpy.mean gives 0.06030400000000002; a running sum gives 0.060304.
    expect(numpyMean(values)).toBe(0.06030400000000002);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBe(0.060304);
  });
});

describe('thesis-2 options', () => {
  it('defaults to the spec and makes quick runs short', () => {
    expect(thesis2Options()).toMatchObject({
      window: 10,
      horizon: 10,
      epochs: 50,
      patience: 5,
      batchSize: 64,
      seeds: [0, 1, 2],
    });
    expect(thesis2Options({ quick: true })).toMatchObject({
      epochs: 2,
      seeds: [0],
    });
    expect(thesis2Options({ quick: true, epochs: 5 }).epochs).toBe(5);
    expect(
      parseThesis2Args([
        '--news',
        '/x',
        '--seeds',
        '2',
        '--seed',
        '4',
        '--text',
        'concat',
      ]),
    ).toMatchObject({
      data: '/x',
      seeds: [4, 5],
      text: ['concat'],
      placebo: true,
    });
    expect(parseThesis2Args(['--explain', '3'])).toMatchObject({ explain: 3 });
    expect(thesis2Options().explain).toBe(0);
    expect(() => parseThesis2Args(['--explain', '0'])).toThrow(
      /--explain: expected an integer >= 1, received '0'/,
    );
    expect(() => parseThesis2Args(['--text', 'late'])).toThrow(
      /--text: expected cross-attention, concat, both or none, received 'late'/,
    );
    expect(DEFAULT_THESIS2.data).toMatch(
      /shared[\\/]data[\\/]daily-news-stock-djia$/,
    );
  });
});

/** Results of one seed with the given rows, every metric 1. */
function fakeResults(rowNames: string[]): Thesis2Results {
  const spread = (mean: number) => ({
    mean,
    std: 0,
    min: mean,
    max: mean,
    minSeed: 0,
    maxSeed: 0,
    n: 1,
  });
  const metrics = Object.fromEntries(
    ['mae', 'rmse', 'mape', 'hit', 'skill']
      .flatMap((m) => [`${m}Max`, `${m}Min`])
      .concat('valMse')
      .map((k) => [k, spread(1)]),
  );
  const rank = { rho: 0, p: 1, n: 10 };
  const check = {
    dates: ['2016-01-04', '2016-07-01'] as [string, string],
    nextDaySentMean: rank,
    nextDaySignSentMean: rank,
    nextDaySignRelTrainMedian: rank,
    nextDayNetTone: rank,
    sameDaySentMean: rank,
    hitRate: { rate: 0.5, n: 10, binomP: 1, shareUpDays: 0.5 },
  };
  const models = rowNames.filter((n) => n.startsWith('LSTM'));
  return {
    options: thesis2Options({ seeds: [0] }),
    rowNames,
    seeds: [
      {
        seed: 0,
        rows: {},
        comparisons: [],
        notes: Object.fromEntries(models.map((n) => [n, ''])),
        training: {},
      },
    ],
    summary: Object.fromEntries(rowNames.map((n) => [n, metrics])),
    seedMean: { rows: {}, comparisons: [] },
    direction: {
      trainMedian: 0,
      all: check,
      train: check,
      val: check,
      test: check,
    },
    data: {},
    embeddings: null,
    notes: [],
    report: null as never,
    totalSeconds: 60,
    files: [],
  } as Thesis2Results;
}

describe('thesis-2 report', () => {
  const placeboNote = /\[placebo\]: the same model trained and tested/;
  const rows = ['LSTM price', 'LSTM news', 'Drift (train mean)'];

  it('explains [placebo] under the metrics tables only when a placebo ran', () => {
    const without = thesis2Report(fakeResults(rows));
    expect(without.text).not.toMatch(placeboNote);
    expect(without.tables[0]!.note).toMatch(
      /^Price units on the test part\. Skill:/,
    );
    const withPlacebo = thesis2Report(
      fakeResults([...rows.slice(0, 2), 'LSTM news [placebo]', rows[2]!]),
    );
    expect(withPlacebo.tables[0]!.note).toMatch(placeboNote);
    expect(withPlacebo.tables[1]!.note).toMatch(placeboNote);
  });

  it('calls a model that wins in some seeds and loses in another mixed, not better', () => {
    // Per seed, the Newey-West statistic of A vs B on max and min
    // (negative: A better); |statistic| 3 is significant, 0 is not.
    const dm = (nw: number) => ({
      meanDifference: nw,
      nw,
      pNw: nw === 0 ? 1 : 0.003,
      hln: nw,
      pHln: nw === 0 ? 1 : 0.01,
    });
    const build = (perSeed: [number, number][]) => {
      const r = fakeResults(rows);
      const base = r.seeds[0]!;
      r.seeds = perSeed.map(([max, min], seed) => ({
        ...base,
        seed,
        comparisons: [
          { a: 'LSTM news', b: 'LSTM price', max: dm(max), min: dm(min) },
        ],
      }));
      return thesis2Report(r).verdict;
    };
    // Better on the max in two of three seeds, worse on the min in one.
    const mixed = build([
      [-3, 0],
      [-3, 3],
      [0, 0],
    ]);
    expect(mixed).toMatch(/No news model beats LSTM price/);
    expect(mixed).toMatch(/Mixed \(significantly better .*\): LSTM news\./);
    // Better on the max in two of three seeds and worse nowhere.
    const win = build([
      [-3, 0],
      [-3, 0],
      [0, 0],
    ]);
    expect(win).toMatch(/LSTM news beats LSTM price/);
    expect(win).not.toMatch(/Mixed/);
    // Better in one seed only: no claim either way.
    const none = build([
      [-3, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(none).toMatch(/No news model beats LSTM price/);
    expect(none).not.toMatch(/Mixed/);
  });
});

describe.skipIf(!existsSync(SHARED))(
  'runThesis2 on the last 260 DJIA days',
  () => {
    it('trains every model and placebo for one epoch and writes the tables', async () => {
      const out = await mkdtemp(join(tmpdir(), 'thesis2-'));
      try {
        const result = await runThesis2({
          data: DATA,
          lastDays: 260,
          epochs: 1,
          seeds: [3],
          text: [],
          explain: 1,
          out,
        });
        expect(result.rowNames).toEqual([
          'LSTM price',
          'LSTM price+news',
          'Feature fusion',
          'LSTM news',
          'Decision fusion',
          'LSTM price+news [placebo]',
          'Feature fusion [placebo]',
          'LSTM news [placebo]',
          'Decision fusion [placebo]',
          'Last close',
          'Trailing 10d max/min',
          'Drift (train mean)',
          'Ridge (price)',
          'Ridge (price+news)',
          'Ridge (price+news) [placebo]',
        ]);
        for (const name of result.rowNames) {
          expect(Number.isFinite(result.summary[name]!['maeMax']!.mean)).toBe(
            true,
          );
        }
        const pairs = result.seeds[0]!.comparisons.map(
          (c) => `${c.a} | ${c.b}`,
        );
        expect(pairs).toContain('LSTM price+news | LSTM price');
        expect(pairs).toContain('Feature fusion | Feature fusion [placebo]');
        expect(result.report.text).toMatch(/Does news help beyond chance\?/);
        expect(result.report.verdict).toMatch(/one seed there is no spread/);
        const saved = JSON.parse(
          await readFile(join(out, 'results.json'), 'utf8'),
        );
        expect(saved.rowNames).toEqual(result.rowNames);
        // --explain: modality Shapley of news and price, KernelSHAP over
        // the price window, exact efficiency.
        const report = await readFile(
          join(out, 'explanations', 'explanations.md'),
          'utf8',
        );
        expect(report).toMatch(
          /exact Shapley values of the inputs \(news, price\)/,
        );
        expect(report).toMatch(
          /modalities: news [+−]\d\.\d{4}, price [+−]\d\.\d{4}\./,
        );
        expect(report).toMatch(/efficiency gap (0|\d\.\de-\d+)\)/);
        expect(result.files.some((f) => f.endsWith('explanations.md'))).toBe(
          true,
        );
        expect(tf.getBackend()).toBe('wasm');
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    });
  },
);
