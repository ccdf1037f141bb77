import { describe, expect, it } from 'vitest';

import {
  THESIS_FEATURE_NAMES,
  THESIS_WARMUP,
  parseOhlcv,
  thesisFeatures,
} from '../../src/data';
import { expectClose } from '../helpers';
import { sp500Pipeline } from './sp500';

describe('thesisFeatures on the S&P 500 file', () => {
  it('has the 13 features of the fixture, in its order', async () => {
    const { table, fixture } = await sp500Pipeline();
    expect(table.names).toEqual(fixture.features);
    expect([...THESIS_FEATURE_NAMES]).toEqual(fixture.features);
  });

  it('drops the 33 warm-up rows and keeps 5,072', async () => {
    const { table, fixture } = await sp500Pipeline();
    expect(table.warmup).toBe(THESIS_WARMUP);
    expect(table.warmup).toBe(fixture.meta.warmup_rows_dropped);
    expect(table.rows.length).toBe(fixture.meta.rows_after_warmup);
    expect(table.values.length).toBe(5072 * 13);
    expect(table.series.dates).toEqual(table.dates);
    expect(table.series.close[0]).toBe(table.rows[0]?.[3]);
  });

  it('matches 20 fixture rows to 1e-9 relative, dates equal', async () => {
    const { table, fixture } = await sp500Pipeline();
    fixture.first_rows.forEach((row, i) => {
      expect(table.dates[i]).toBe(row.date);
      expectClose(table.rows[i] as Float64Array, row.raw_features, {
        atol: 0,
        rtol: 1e-9,
      });
    });
  });

  it('has every value finite after the warm-up', async () => {
    const { table } = await sp500Pipeline();
    expect(table.values.every(Number.isFinite)).toBe(true);
  });
});

describe('thesisFeatures errors', () => {
  const rows = (n: number) =>
    'date,open,high,low,close,volume\n' +
    Array.from({ length: n }, (_, i) => {
      const day = new Date(Date.UTC(2020, 0, 1 + i)).toISOString();
      return `${day.slice(0, 10)},10,11,9,10,100`;
    }).join('\n');

  it('rejects a series no longer than the warm-up', () => {
    expect(() => thesisFeatures(parseOhlcv(rows(33)))).toThrow(
      'thesisFeatures: expected more than 33 rows (the indicator warm-up), ' +
        'received 33',
    );
  });

  it('gives finite features on a flat series (RSI 50, %K 50)', () => {
    const table = thesisFeatures(parseOhlcv(rows(40)));
    expect(table.rows.length).toBe(7);
    expect(table.rows[0]?.[7]).toBe(50);
    expect(table.rows[0]?.[10]).toBe(50);
    expect(table.rows[0]?.[12]).toBe(0);
  });

  it('rejects flows that are not on the series dates', () => {
    const series = parseOhlcv(rows(40));
    const flows = {
      dates: series.dates.slice(1),
      names: ['net_A'],
      columns: [new Float64Array(39)],
    };
    expect(() => thesisFeatures(series, { flows })).toThrow(
      "thesisFeatures: expected flows on the series' 40 dates (use " +
        'joinByDate), received an array of length 39',
    );
  });
});
