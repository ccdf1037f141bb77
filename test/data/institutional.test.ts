import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  TWSE_INSTITUTION_NAMES,
  joinByDate,
  loadOhlcv,
  parseCsv,
  parseInstitutionalFlows,
  thesisFeatures,
} from '../../src/data';

const LONG = [
  'date,stock_id,buy,name,sell',
  '2020-01-03,2330,50,B,20',
  '2020-01-02,2330,100,A,40',
  '2020-01-02,2330,7,B,9',
  '2020-01-04,2330,1,A,1',
  '2020-01-03,2330,30,A,35',
].join('\n');

describe('parseInstitutionalFlows', () => {
  it('pivots buy minus sell per date in the given name order', () => {
    const flows = parseInstitutionalFlows(LONG, { names: ['B', 'A'] });
    expect(flows.dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-04']);
    expect(flows.names).toEqual(['net_B', 'net_A']);
    expect(flows.columns[0]).toEqual(Float64Array.from([-2, 30, 0]));
    expect(flows.columns[1]).toEqual(Float64Array.from([60, -5, 0]));
  });

  it('rejects a name outside the list unless told to ignore it', () => {
    expect(() => parseInstitutionalFlows(LONG, { names: ['A'] })).toThrow(
      'parseInstitutionalFlows: expected a name in [A] at line 2, ' +
        `received "B"; pass unknownNames: 'ignore' to skip such rows`,
    );
    const onlyA = parseInstitutionalFlows(LONG, {
      names: ['A'],
      unknownNames: 'ignore',
    });
    expect(onlyA.columns[0]).toEqual(Float64Array.from([60, -5, 0]));
  });

  it('rejects a repeated (date, name) pair and an unreadable number', () => {
    const twice = LONG + '\n2020-01-02,2330,1,A,0';
    expect(() => parseInstitutionalFlows(twice, { names: ['A', 'B'] })).toThrow(
      'parseInstitutionalFlows: expected one row per (date, name), ' +
        'received (2020-01-02, A) again at line 7',
    );
    const bad = LONG.replace('100,A', 'x,A');
    expect(() => parseInstitutionalFlows(bad, { names: ['A', 'B'] })).toThrow(
      'parseInstitutionalFlows: expected a number in column "buy" at line 3, ' +
        'received "x"',
    );
  });

  it('rejects an empty or repeating name list', () => {
    expect(() => parseInstitutionalFlows(LONG, { names: ['A', 'A'] })).toThrow(
      'parseInstitutionalFlows: expected a non-empty list of distinct names, ' +
        'received [A, A]',
    );
  });
});

describe('joinByDate', () => {
  it('follows the price dates, fills 0 and drops flow-only dates', () => {
    const flows = parseInstitutionalFlows(LONG, { names: ['A', 'B'] });
    const prices = { dates: ['2020-01-02', '2020-01-03', '2020-01-06'] };
    const joined = joinByDate(prices, flows);
    expect(joined.dates).toEqual(prices.dates);
    expect(joined.names).toEqual(['net_A', 'net_B']);
    expect(joined.columns[0]).toEqual(Float64Array.from([60, -5, 0]));
    expect(joined.columns[1]).toEqual(Float64Array.from([-2, 30, 0]));
    expect(joined.droppedDates).toEqual(['2020-01-04']);
  });
});

const TSMC_DIR = fileURLToPath(
  new URL('../../../shared/data/tsmc-2330-twse/', import.meta.url),
);

describe.skipIf(!existsSync(TSMC_DIR))('TSMC 2330 from TWSE', () => {
  const load = async () => {
    const series = await loadOhlcv(`${TSMC_DIR}tsmc_daily_closing_price.csv`);
    const text = await readFile(
      `${TSMC_DIR}tsmc_institutional_buy_and_sell.csv`,
      'utf8',
    );
    const flows = parseInstitutionalFlows(text);
    return { series, flows, joined: joinByDate(series, flows) };
  };

  it('has 2,388 sessions from 2016-01-04 to 2025-10-20', async () => {
    const { series } = await load();
    expect(series.dates.length).toBe(2388);
    expect(series.dates[0]).toBe('2016-01-04');
    expect(series.dates[2387]).toBe('2025-10-20');
    expect(series.high[0]).toBe(143.5);
    expect(series.low[0]).toBe(139);
    expect(series.volume[0]).toBe(43800291);
  });

  it('gives the five net-buy columns on the price dates', async () => {
    const { flows, joined, series } = await load();
    expect(TWSE_INSTITUTION_NAMES).toEqual([
      'Foreign_Investor',
      'Foreign_Dealer_Self',
      'Investment_Trust',
      'Dealer_self',
      'Dealer_Hedging',
    ]);
    expect(joined.names).toEqual([
      'net_Foreign_Investor',
      'net_Foreign_Dealer_Self',
      'net_Investment_Trust',
      'net_Dealer_self',
      'net_Dealer_Hedging',
    ]);
    expect(flows.dates.length).toBe(2391);
    expect(joined.dates).toEqual(series.dates);
    // 2016-01-04: Foreign_Investor bought 17,380,120 and sold 37,919,486.
    expect(joined.columns[0]?.[0]).toBe(17380120 - 37919486);
    expect(joined.columns[2]?.[0]).toBe(959000 - 553000);
  });

  it('drops the three flow-only dates', async () => {
    const { joined } = await load();
    expect(joined.droppedDates).toEqual([
      '2016-02-05',
      '2019-08-24',
      '2019-10-26',
    ]);
  });

  it('fills Foreign_Dealer_Self with 0 before 2017-12-18', async () => {
    const { joined } = await load();
    const text = await readFile(
      `${TSMC_DIR}tsmc_institutional_buy_and_sell.csv`,
      'utf8',
    );
    const listed = parseCsv(text)
      .rows.filter((row) => row.name === 'Foreign_Dealer_Self')
      .map((row) => row.date as string);
    expect(listed[0]).toBe('2017-12-18');
    expect(listed.length).toBe(1910);

    const first = joined.dates.indexOf('2017-12-18');
    expect(first).toBe(480);
    const column = joined.columns[1] as Float64Array;
    expect(column.subarray(0, first).every((v) => v === 0)).toBe(true);
    // The file's own Foreign_Dealer_Self rows are all 0 buy and 0 sell too.
    expect(column.every((v) => v === 0)).toBe(true);
  });

  it('adds the flows after the 13 thesis features', async () => {
    const { series, joined } = await load();
    const table = thesisFeatures(series, { flows: joined });
    expect(table.names.length).toBe(18);
    expect(table.names[13]).toBe('net_Foreign_Investor');
    expect(table.warmup).toBe(33);
    expect(table.rows.length).toBe(2388 - 33);
    expect(table.rows[0]?.[13]).toBe(joined.columns[0]?.[33]);
  });
});
