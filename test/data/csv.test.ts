import { describe, expect, it } from 'vitest';

import { findColumn, parseCsv, requireColumn } from '../../src/data';

describe('parseCsv', () => {
  it('reads LF and CRLF text into the same records', () => {
    const lf = parseCsv('a,b\n1,2\n3,4\n');
    const crlf = parseCsv('a,b\r\n1,2\r\n3,4\r\n');
    expect(lf.header).toEqual(['a', 'b']);
    expect(lf.rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
    expect(crlf).toEqual(lf);
  });

  it('strips a byte order mark and trims header names', () => {
    const table = parseCsv('\ufeff Date , Close\n2020-01-02,3257.85');
    expect(table.header).toEqual(['Date', 'Close']);
    expect(table.rows[0]).toEqual({ Date: '2020-01-02', Close: '3257.85' });
  });

  it('keeps quoted newlines and commas and counts lines', () => {
    const text =
      'Date,News\r\n' +
      '2016-07-01,"first line\r\nsecond, with comma"\r\n' +
      '\r\n' +
      '2016-06-30,"say ""hi"""\r\n';
    const table = parseCsv(text);
    expect(table.rows).toEqual([
      { Date: '2016-07-01', News: 'first line\r\nsecond, with comma' },
      { Date: '2016-06-30', News: 'say "hi"' },
    ]);
    expect(table.lines).toEqual([2, 5]);
  });

  it('rejects an empty text', () => {
    expect(() => parseCsv('')).toThrow(
      'parseCsv: expected a header row and data rows, received an empty text',
    );
    expect(() => parseCsv('\ufeff \n\n')).toThrow(/empty text/);
  });

  it('reports a ragged row with its line and field counts', () => {
    const text = 'a,b,c\n1,2,3\n"x\ny",2\n';
    expect(() => parseCsv(text)).toThrow(
      'parseCsv: expected 3 fields per row (as in the header), ' +
        'received 2 at line 3',
    );
    expect(() => parseCsv('a,b\n1,2,3\n', { where: 'load' })).toThrow(
      'load: expected 2 fields per row (as in the header), ' +
        'received 3 at line 2',
    );
  });

  it('pads short rows with empty strings when shortRows is pad', () => {
    const table = parseCsv('a,b,c\n1,2\n', { shortRows: 'pad' });
    expect(table.rows[0]).toEqual({ a: '1', b: '2', c: '' });
  });

  it('rejects header names that repeat when case is ignored', () => {
    expect(() => parseCsv('Close,close\n1,2\n')).toThrow(
      'parseCsv: expected distinct header names (ignoring case), ' +
        'received "Close" and "close"',
    );
  });

  it('rejects an empty header name with its position', () => {
    expect(() => parseCsv('a,,c\n1,2,3\n')).toThrow(/empty name at field 2/);
  });

  it('reports an unterminated quote with its line', () => {
    expect(() => parseCsv('a,b\n1,2\n3,"open\n')).toThrow(
      /expected well-formed CSV, received quoted field unterminated at line 3/,
    );
  });

  it('checks required columns and names the header it received', () => {
    expect(() =>
      parseCsv('Date,Open\n2020-01-02,1\n', { required: [['close', 'last']] }),
    ).toThrow(
      'parseCsv: expected a column named "close" or "last" (any case), ' +
        'received header ["Date", "Open"]',
    );
  });
});

describe('findColumn and requireColumn', () => {
  it('match names ignoring case and spaces, preferring earlier names', () => {
    const header = ['DATE', ' Max ', 'high'];
    expect(findColumn(header, ['date'])).toBe('DATE');
    expect(findColumn(header, ['high', 'max'])).toBe('high');
    expect(findColumn(header, ['max'])).toBe(' Max ');
    expect(findColumn(header, ['volume'])).toBeUndefined();
  });

  it('requireColumn returns the name as written', () => {
    const table = parseCsv('Trading_Volume\n5\n');
    expect(requireColumn(table, ['volume', 'trading_volume'])).toBe(
      'Trading_Volume',
    );
  });
});
