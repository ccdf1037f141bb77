import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { regressionMetrics } from '../../src/model/metrics';
import { thesis2Baselines } from '../../examples/stock-prediction/thesis2/baselines';
import {
  loadDjia,
  type DailyFeatures,
  type DjiaDays,
} from '../../examples/stock-prediction/thesis2/data';
import {
  makeDataset,
  type Thesis2Dataset,
} from '../../examples/stock-prediction/thesis2/dataset';
import {
  directionCheck,
  type RankCorrelation,
} from '../../examples/stock-prediction/thesis2/direction';
import { expectClose, readFixture } from '../helpers';

const DATA = fileURLToPath(
  new URL('../../../shared/data/daily-news-stock-djia', import.meta.url),
);
const SHARED = fileURLToPath(new URL('../../../shared', import.meta.url));

interface Metrics {
  MAE: number;
  RMSE: number;
  MAPE: number;
}

interface DjiaFixture {
  features: string[];
  first_rows: { row: number; date: string; values: number[] }[];
  sample0: {
    date: string;
    t: number;
    window_dates: [string, string];
    close_t: number;
    y_ratio: [number, number];
    y_price: [number, number];
    scaled_row0_float64: number[];
    scaled_row0_float32: number[];
    scaled_last_row_float64: number[];
  };
  split: {
    n_samples: number;
    n_train: number;
    n_val: number;
    n_test: number;
    train_dates: [string, string];
    val_dates: [string, string];
    test_dates: [string, string];
    rows_after_warmup: number;
    first_day_after_warmup: string;
    warmup_rows_dropped: number;
  };
  scaler: { row_dates: [string, string]; mean: number[]; std: number[] };
  sentiment_first_10_days: {
    date: string;
    n_headlines: number;
    sent_mean: number;
    sent_pos_share: number;
    sent_neg_share: number;
    compounds: number[];
  }[];
  sentiment_global: {
    n_headlines: number;
    sum_compound: number;
    days_with_fewer_than_25: Record<string, number>;
  };
  first_day_headlines: { slot: number; text: string; compound: number }[];
  unwrap_examples: { date: string; slot: number; unwrapped: string }[];
  feature_column_sums_post_warmup: number[];
  labels_sum_ratio: [number, number];
  deterministic_baselines_test: {
    metrics: Record<string, { max: Metrics; min: Metrics }>;
    ridge_alpha: Record<string, number>;
    drift_ratio: [number, number];
  };
  direction_check_all: Record<string, RankCorrelation & { rate?: number }> & {
    hit_rate_sign_rel_median: {
      rate: number;
      n: number;
      binom_p: number;
      share_up_days: number;
    };
  };
}

let fixture: DjiaFixture;
let days: DjiaDays;
let features: DailyFeatures;
let data: Thesis2Dataset;

const exact = { atol: 0, rtol: 1e-12 };

describe.skipIf(!existsSync(SHARED))(
  'thesis 2 on the DJIA data (spec S1-S9, deterministic part)',
  () => {
    beforeAll(async () => {
      fixture = await readFixture<DjiaFixture>('fixture_djia.json');
      ({ days, features } = await loadDjia(DATA));
      data = makeDataset(features, { window: 10, horizon: 10 });
    });

    it('unwraps the headlines and scores them with VADER as the reference', () => {
      const first = days.headlines[0]!;
      expect(first.texts).toEqual(
        fixture.first_day_headlines.map((h) => h.text),
      );
      expect(first.compounds).toEqual(
        fixture.first_day_headlines.map((h) => h.compound),
      );
      const byDate = new Map(days.headlines.map((d) => [d.date, d]));
      for (const example of fixture.unwrap_examples) {
        expect(byDate.get(example.date)!.texts[example.slot - 1]).toBe(
          example.unwrapped,
        );
      }
      const all = days.headlines.flatMap((d) => d.compounds);
      expect(all.length).toBe(fixture.sentiment_global.n_headlines);
      expectClose(
        [all.reduce((s, c) => s + c, 0)],
        [fixture.sentiment_global.sum_compound],
        {
          atol: 1e-9,
          rtol: 0,
        },
      );
      const short = Object.fromEntries(
        days.headlines
          .filter((d) => d.texts.length < 25)
          .map((d) => [d.date, d.texts.length]),
      );
      expect(short).toEqual(fixture.sentiment_global.days_with_fewer_than_25);
    });

    it('summarises the first 10 days as the reference', () => {
      fixture.sentiment_first_10_days.forEach((day, i) => {
        expect(days.sentiment.dates[i]).toBe(day.date);
        expect(days.headlines[i]!.compounds).toEqual(day.compounds);
        expect(days.sentiment.count[i]).toBe(day.n_headlines);
        expectClose(
          [
            days.sentiment.mean[i]!,
            days.sentiment.positiveShare[i]!,
            days.sentiment.negativeShare[i]!,
          ],
          [day.sent_mean, day.sent_pos_share, day.sent_neg_share],
          exact,
        );
      });
    });

    it('computes the 14 features of the first 15 post-warm-up rows and every column sum', () => {
      expect(features.names).toEqual(fixture.features);
      expect(features.warmup).toBe(fixture.split.warmup_rows_dropped);
      expect(features.dates.length).toBe(fixture.split.rows_after_warmup);
      expect(features.dates[0]).toBe(fixture.split.first_day_after_warmup);
      fixture.first_rows.forEach((row) => {
        expect(features.dates[row.row]).toBe(row.date);
        expectClose(features.rows[row.row]!, row.values, {
          atol: 0,
          rtol: 1e-9,
        });
      });
      const sums = features.names.map((_, c) =>
        features.rows.reduce((s, r) => s + r[c]!, 0),
      );
      expectClose(sums, fixture.feature_column_sums_post_warmup, {
        atol: 0,
        rtol: 1e-9,
      });
    });

    it('labels sample 0 and every sample as the reference', () => {
      const s0 = fixture.sample0;
      const { samples } = data;
      expect([samples.dates[0], samples.t[0]]).toEqual([s0.date, s0.t]);
      expect([features.dates[0], features.dates[s0.t]]).toEqual(
        s0.window_dates,
      );
      expect(samples.closeT[0]).toBe(s0.close_t);
      expectClose([samples.yMax[0]!, samples.yMin[0]!], s0.y_ratio, exact);
      expectClose(
        [0, 1].map((k) => s0.close_t * (1 + s0.y_ratio[k]!)),
        s0.y_price,
        exact,
      );
      const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
      expectClose(
        [sum(samples.yMax), sum(samples.yMin)],
        fixture.labels_sum_ratio,
        exact,
      );
    });

    it('splits 70/15/15 with 9 purged samples before each boundary', () => {
      const { train, val, test } = data.parts;
      const m = fixture.split;
      expect(data.samples.t.length).toBe(m.n_samples);
      expect([train.y.length, val.y.length, test.y.length]).toEqual([
        m.n_train,
        m.n_val,
        m.n_test,
      ]);
      expect([train.dates[0], train.dates.at(-1)]).toEqual(m.train_dates);
      expect([val.dates[0], val.dates.at(-1)]).toEqual(m.val_dates);
      expect([test.dates[0], test.dates.at(-1)]).toEqual(m.test_dates);
    });

    it('fits the scaler on the training input rows and scales sample 0 as the reference', () => {
      const [first, last] = data.scalerRows;
      expect([features.dates[first], features.dates[last]]).toEqual(
        fixture.scaler.row_dates,
      );
      expectClose(data.scaler.mean, fixture.scaler.mean, {
        atol: 0,
        rtol: 1e-9,
      });
      expectClose(data.scaler.std, fixture.scaler.std, { atol: 0, rtol: 1e-9 });
      const s0 = fixture.sample0;
      const scaled = data.scaler.transform64([
        features.rows[0]!,
        features.rows[9]!,
      ]);
      expectClose(scaled.subarray(0, 14), s0.scaled_row0_float64, {
        atol: 1e-12,
        rtol: 1e-9,
      });
      expectClose(scaled.subarray(14), s0.scaled_last_row_float64, {
        atol: 1e-12,
        rtol: 1e-9,
      });
      expectClose(
        data.parts.train.inputs.features!.subarray(0, 14),
        s0.scaled_row0_float32,
        { atol: 0, rtol: 0 },
      );
      expectClose(
        data.parts.train.inputs.price!.subarray(0, 10),
        s0.scaled_row0_float32.slice(0, 10),
        { atol: 0, rtol: 0 },
      );
      expectClose(
        data.parts.train.inputs.news!.subarray(0, 4),
        s0.scaled_row0_float32.slice(10),
        { atol: 0, rtol: 0 },
      );
    });

    it('gives the reference test metrics of the deterministic baselines', () => {
      const reference = fixture.deterministic_baselines_test;
      const names: Record<string, string> = {
        last_close: 'Last close',
        trailing_10d: 'Trailing 10d max/min',
        drift: 'Drift (train mean)',
        ridge_price: 'Ridge (price)',
        ridge_price_news: 'Ridge (price+news)',
      };
      const baselines = new Map(thesis2Baselines(data).map((b) => [b.name, b]));
      const test = data.parts.test;
      for (const [key, name] of Object.entries(names)) {
        const predictions = baselines.get(name)!.test;
        (['max', 'min'] as const).forEach((out, k) => {
          const actual = test.y.map((y, i) => test.closeT[i]! * (1 + y[k]!));
          const predicted = predictions.map(
            (p, i) => test.closeT[i]! * (1 + p[k]!),
          );
          const m = regressionMetrics(actual, predicted);
          const want = reference.metrics[key]![out];
          // Ridge's linear solve (ml-matrix) differs from the reference's
          // in the last digits: 3.5e-10 relative at worst.
          const rtol = key.startsWith('ridge') ? 1e-9 : 1e-11;
          expectClose(
            [m.mae, m.rmse, m.mape],
            [want.MAE, want.RMSE, want.MAPE],
            { atol: 0, rtol },
          );
        });
      }
      expect(baselines.get('Ridge (price)')!.note).toBe(
        'alpha 100000 chosen on validation MSE',
      );
      expect(baselines.get('Ridge (price+news)')!.note).toBe(
        'alpha 100000 chosen on validation MSE',
      );
      expectClose(
        baselines.get('Drift (train mean)')!.test[0]!,
        reference.drift_ratio,
        exact,
      );
    });

    it('ranks next-day returns by sentiment as the reference direction check', () => {
      const [first, last] = data.scalerRows;
      const trainSent = Array.from(
        { length: last - first + 1 },
        (_, i) => features.rows[first + i]![10]!,
      ).sort((a, b) => a - b);
      const mid = trainSent.length / 2;
      const median =
        trainSent.length % 2
          ? trainSent[Math.floor(mid)]!
          : (trainSent[mid - 1]! + trainSent[mid]!) / 2;
      const check = directionCheck(days, median);
      const ref = fixture.direction_check_all;
      const pairs: [keyof typeof check, string][] = [
        ['nextDaySentMean', 'next_day_sent_mean'],
        ['nextDaySignSentMean', 'next_day_sign_sent_mean'],
        ['nextDaySignRelTrainMedian', 'next_day_sign_rel_train_median'],
        ['nextDayNetTone', 'next_day_net_tone'],
        ['sameDaySentMean', 'same_day_sent_mean'],
      ];
      for (const [ours, theirs] of pairs) {
        const got = check[ours] as RankCorrelation;
        const want = ref[theirs]!;
        expect(got.n).toBe(want.n);
        expectClose([got.rho, got.p], [want.rho, want.p], {
          atol: 1e-10,
          rtol: 1e-7,
        });
      }
      const hit = ref.hit_rate_sign_rel_median;
      expect(check.hitRate.n).toBe(hit.n);
      expectClose(
        [check.hitRate.rate, check.hitRate.binomP, check.hitRate.shareUpDays],
        [hit.rate, hit.binom_p, hit.share_up_days],
        { atol: 1e-12, rtol: 1e-9 },
      );
    });
  },
);
