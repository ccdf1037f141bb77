import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  OHLCV_COLUMN_ALIASES,
  calendarDaysBetween,
  loadOhlcv,
  parseDate,
  parseOhlcv,
  sliceSeries,
} from '../../src/data';
import { SP500_CSV } from './sp500';

const ASCENDING = [
  'date,open,high,low,close,volume',
  '2020-01-02,10,12,9,11,100',
  '2020-01-03,11,13,10,12,200',
  '2020-01-06,12,12.5,11,11.5,150',
].join('\n');

describe('parseOhlcv', () => {
  it('reads 5,105 S&P 500 sessions, 2000-01-03 to 2020-04-17', async () => {
    const series = await loadOhlcv(SP500_CSV);
    expect(series.dates.length).toBe(5105);
    expect(series.dates[0]).toBe('2000-01-03');
    expect(series.dates[5104]).toBe('2020-04-17');
    expect(series.open[0]).toBe(1469.25);
    expect(series.high[0]).toBe(1478);
    expect(series.low[0]).toBe(1438.359985);
    expect(series.close[0]).toBe(1455.219971);
    expect(series.volume[0]).toBe(931800000);
  });

  it('reads the fields of each row into float64 arrays', () => {
    const s = parseOhlcv(ASCENDING);
    expect(s.dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    expect(s.open).toEqual(Float64Array.from([10, 11, 12]));
    expect(s.high).toEqual(Float64Array.from([12, 13, 12.5]));
    expect(s.low).toEqual(Float64Array.from([9, 10, 11]));
    expect(s.close).toEqual(Float64Array.from([11, 12, 11.5]));
    expect(s.volume).toEqual(Float64Array.from([100, 200, 150]));
  });

  it('sorts descending input ascending', () => {
    const [header, ...rows] = ASCENDING.split('\n');
    const descending = [header, ...rows.reverse()].join('\n');
    expect(parseOhlcv(descending)).toEqual(parseOhlcv(ASCENDING));
  });

  it('reads CRLF line endings and a byte order mark', () => {
    const crlf = '\ufeff' + ASCENDING.replaceAll('\n', '\r\n') + '\r\n';
    expect(parseOhlcv(crlf)).toEqual(parseOhlcv(ASCENDING));
  });

  it('matches mixed-case headers and ignores other columns', () => {
    const text = [
      'Date,OPEN,High,low,Close,Adj Close,VOLUME',
      '2020-01-02,10,12,9,11,10.5,100',
      '2020-01-03,11,13,10,12,11.5,200',
    ].join('\n');
    const s = parseOhlcv(text);
    expect(s.close).toEqual(Float64Array.from([11, 12]));
    expect(s.volume).toEqual(Float64Array.from([100, 200]));
  });

  it('takes max and min as high and low and Trading_Volume as volume', () => {
    const text = [
      'date,stock_id,Trading_Volume,Trading_money,open,max,min,close',
      '2016-01-04,2330,43800291,6137797502,142.5,143.5,139.0,139.5',
      '2016-01-05,2330,46502108,6436850512,139.0,140.0,137.0,138.0',
    ].join('\n');
    const s = parseOhlcv(text);
    expect(s.high).toEqual(Float64Array.from([143.5, 140]));
    expect(s.low).toEqual(Float64Array.from([139, 137]));
    expect(s.volume).toEqual(Float64Array.from([43800291, 46502108]));
    expect(OHLCV_COLUMN_ALIASES.volume).toContain('trading_volume');
  });

  it('reads YYYY/MM/DD dates and keeps the date part of ISO timestamps', () => {
    const text = [
      'timestamp,open,high,low,close,vol',
      '2020/1/2,10,12,9,11,100',
      '2020-01-03T00:00:00Z,11,13,10,12,200',
      '2020-01-06 16:00:00,12,12.5,11,11.5,150',
    ].join('\n');
    expect(parseOhlcv(text).dates).toEqual([
      '2020-01-02',
      '2020-01-03',
      '2020-01-06',
    ]);
  });

  it('uses column overrides instead of the aliases', () => {
    const text =
      'date,open,high,low,close,adjclose,volume\n' +
      '2020-01-02,10,12,9,11,10.5,100\n2020-01-03,11,13,10,12,11,200';
    const s = parseOhlcv(text, { columns: { close: ['adjclose'] } });
    expect(s.close).toEqual(Float64Array.from([10.5, 11]));
  });

  it('names the missing column and the header it received', () => {
    const text = 'date,open,high,low,volume\n2020-01-02,10,12,9,100\n';
    expect(() => parseOhlcv(text)).toThrow(
      'parseOhlcv: expected a column named "close" or "last" (any case), ' +
        'received header ["date", "open", "high", "low", "volume"]',
    );
  });

  it('names the column, line and value of an unreadable number', () => {
    const text = ASCENDING.replace('11,13,10,12,200', '11,13,10,n/a,200');
    expect(() => parseOhlcv(text)).toThrow(
      'parseOhlcv: expected a positive number in column "close" at line 3, ' +
        'received "n/a"',
    );
  });

  it('rejects a price that is not positive and a negative volume', () => {
    const zero = ASCENDING.replace('2020-01-03,11,', '2020-01-03,0,');
    expect(() => parseOhlcv(zero)).toThrow(
      'parseOhlcv: expected a positive number in column "open" at line 3, ' +
        'received "0"',
    );
    const negative = ASCENDING.replace(',150', ',-5');
    expect(() => parseOhlcv(negative)).toThrow(
      'parseOhlcv: expected a non-negative number in column "volume" at ' +
        'line 4, received "-5"',
    );
  });

  it('names the line and value of an unreadable or impossible date', () => {
    const bad = ASCENDING.replace('2020-01-03', '03.01.2020');
    expect(() => parseOhlcv(bad)).toThrow(
      'parseOhlcv: expected a date (YYYY-MM-DD, YYYY/MM/DD or ISO ' +
        'timestamp) in column "date" at line 3, received "03.01.2020"',
    );
    const impossible = ASCENDING.replace('2020-01-03', '2021-02-29');
    expect(() => parseOhlcv(impossible)).toThrow(/received "2021-02-29"/);
  });

  it('rejects a repeated date, naming both lines', () => {
    const text = ASCENDING.replace('2020-01-06', '2020-01-02');
    expect(() => parseOhlcv(text)).toThrow(
      'parseOhlcv: expected one row per date, received 2020-01-02 twice ' +
        '(lines 2 and 4)',
    );
  });

  it('rejects too few rows, with minRows configurable', () => {
    const oneRow = ASCENDING.split('\n').slice(0, 2).join('\n');
    expect(() => parseOhlcv(oneRow)).toThrow(
      'parseOhlcv: expected at least 2 data rows, received 1',
    );
    expect(() => parseOhlcv(ASCENDING, { minRows: 4 })).toThrow(
      'parseOhlcv: expected at least 4 data rows, received 3',
    );
    expect(parseOhlcv(oneRow, { minRows: 1 }).dates).toEqual(['2020-01-02']);
  });

  it('rejects a close above the high unless told to ignore', () => {
    const text = ASCENDING.replace('12,12.5,11,11.5', '12,12.5,11,13');
    expect(() => parseOhlcv(text)).toThrow(
      'parseOhlcv: expected low <= open, close <= high at line 4 ' +
        '(2020-01-06), received open 12, high 12.5, low 11, close 13',
    );
    expect(parseOhlcv(text, { consistency: 'ignore' }).close[2]).toBe(13);
  });

  it('loads a file by path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modalfuse-ohlcv-'));
    const path = join(dir, 'bars.csv');
    await writeFile(path, ASCENDING);
    expect(await loadOhlcv(path)).toEqual(parseOhlcv(ASCENDING));
  });
});

describe('sliceSeries', () => {
  it('copies a range of rows', () => {
    const s = sliceSeries(parseOhlcv(ASCENDING), 1);
    expect(s.dates).toEqual(['2020-01-03', '2020-01-06']);
    expect(s.close).toEqual(Float64Array.from([12, 11.5]));
  });

  it('rejects an empty or outside range', () => {
    expect(() => sliceSeries(parseOhlcv(ASCENDING), 2, 2)).toThrow(
      'sliceSeries: expected 0 <= start < end <= 3, received [2, 2)',
    );
  });
});

describe('parseDate and calendarDaysBetween', () => {
  it.each([
    ['2020-01-02', '2020-01-02'],
    ['2020/1/2', '2020-01-02'],
    [' 2020-12-31 ', '2020-12-31'],
    ['2020-02-29T23:59:59+08:00', '2020-02-29'],
    ['2019-02-29', undefined],
    ['2020-13-01', undefined],
    ['20200102', undefined],
    ['2020-01-02 noon', undefined],
    ['', undefined],
  ])('reads %j as %j', (text, expected) => {
    expect(parseDate(text)).toBe(expected);
  });

  it('counts calendar days, 3 from a Friday to a Monday', () => {
    expect(calendarDaysBetween('2020-01-03', '2020-01-06')).toBe(3);
    expect(calendarDaysBetween('2020-02-28', '2020-03-01')).toBe(2);
    expect(calendarDaysBetween('2020-01-06', '2020-01-03')).toBe(-3);
    expect(() => calendarDaysBetween('2020/01/03', '2020-01-06')).toThrow(
      'calendarDaysBetween: expected a YYYY-MM-DD date, received "2020/01/03"',
    );
  });
});
