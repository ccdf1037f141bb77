import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  loadDatedNews,
  loadDjiaNews,
  parseDatedNews,
  parseDjiaNews,
  unwrapBytesLiteral,
} from '../../src/data/news';

const REDDIT = fileURLToPath(
  new URL(
    '../../../shared/data/daily-news-stock-djia/RedditNews_2014-01-01_2016-07-01.csv',
    import.meta.url,
  ),
);
const DJIA = fileURLToPath(
  new URL(
    '../../../shared/data/daily-news-stock-djia/Combined_News_DJIA.csv',
    import.meta.url,
  ),
);

describe('unwrapBytesLiteral', () => {
  it('removes b\'...\' and b"..." wrappers and decodes escapes', () => {
    expect(unwrapBytesLiteral("b'BREAKING: Musharraf to be impeached.'")).toBe(
      'BREAKING: Musharraf to be impeached.',
    );
    expect(unwrapBytesLiteral(`b"Georgia 'downs two' jets"`)).toBe(
      "Georgia 'downs two' jets",
    );
    expect(unwrapBytesLiteral("b'Britain\\'s policy'")).toBe(
      "Britain's policy",
    );
    expect(unwrapBytesLiteral("b'a\\nb\\tc\\\\d'")).toBe('a\nb\tc\\d');
    expect(unwrapBytesLiteral("b'caf\\xc3\\xa9'")).toBe('café');
  });

  it('leaves other text alone', () => {
    for (const text of ['plain', "b'unterminated", "bob's", '', 'b\'x"']) {
      expect(unwrapBytesLiteral(text)).toBe(text);
    }
    expect(() => unwrapBytesLiteral(3 as unknown as string)).toThrow(
      /unwrapBytesLiteral: expected a string, received 3/,
    );
  });
});

describe('parseDjiaNews', () => {
  const wide =
    'Date,Label,Top1,Top2,Top3\r\n' +
    '2016-07-01,1,"b\'first\'",second,\r\n' +
    '2016-06-30,0,"b""it\'s""",x\r\n' +
    '2016-06-29,1,only\r\n';

  it('reads days oldest first with labels, unwrapped and without empties', () => {
    expect(parseDjiaNews(wide)).toEqual([
      { date: '2016-06-29', label: 1, headlines: ['only'] },
      { date: '2016-06-30', label: 0, headlines: ["it's", 'x'] },
      { date: '2016-07-01', label: 1, headlines: ['first', 'second'] },
    ]);
  });

  it('orders Top columns by number and works without a label', () => {
    const text = 'date,Top2,Top10,Top1\n2020-01-02,b,c,a\n';
    expect(parseDjiaNews(text)).toEqual([
      { date: '2020-01-02', headlines: ['a', 'b', 'c'] },
    ]);
  });

  it('keeps the wrappers when asked', () => {
    const days = parseDjiaNews(wide, { unwrapBytes: false });
    expect(days[2]!.headlines[0]).toBe("b'first'");
  });

  it('rejects missing columns, bad dates, bad labels and repeated dates', () => {
    expect(() => parseDjiaNews('Date,News\n2020-01-01,x\n')).toThrow(
      /parseDjiaNews: expected headline columns named Top1, Top2, \.\.\., received header \["Date", "News"\]/,
    );
    expect(() => parseDjiaNews('Date,Top1\n2020-13-01,x\n')).toThrow(
      /expected a date \(YYYY-MM-DD\) in column "Date" at line 2, received "2020-13-01"/,
    );
    expect(() => parseDjiaNews('Date,Label,Top1\n2020-01-01,up,x\n')).toThrow(
      /expected a number in column "Label" at line 2, received "up"/,
    );
    expect(() =>
      parseDjiaNews('Date,Top1\n2020-01-01,x\n2020-01-01,y\n'),
    ).toThrow(
      /expected one row per date, received 2020-01-01 twice \(lines 2 and 3\)/,
    );
  });
});

describe('parseDatedNews', () => {
  it('groups a long file by day, oldest first, keeping file order within a day', () => {
    const text =
      'Date,News\r\n2016-07-01,"a, with comma"\r\n2016-07-01,b\r\n' +
      '2016-06-30,"multi\r\nline"\r\n2016-06-30,\r\n';
    expect(parseDatedNews(text)).toEqual([
      { date: '2016-06-30', headlines: ['multi\r\nline'] },
      { date: '2016-07-01', headlines: ['a, with comma', 'b'] },
    ]);
  });

  it('takes other column names and names a missing one', () => {
    const text = 'day,title\n2020-01-02,x\n';
    expect(
      parseDatedNews(text, { dateColumn: ['day'], textColumn: ['title'] }),
    ).toEqual([{ date: '2020-01-02', headlines: ['x'] }]);
    expect(() => parseDatedNews(text)).toThrow(
      /parseDatedNews: expected a column named "date" \(any case\), received header \["day", "title"\]/,
    );
  });
});

describe.skipIf(!existsSync(DJIA))('loadDjiaNews on the Kaggle file', () => {
  it('reads 1989 days, pads the 3 short rows and unwraps every bytes literal', async () => {
    const days = await loadDjiaNews(DJIA);
    expect(days).toHaveLength(1989);
    expect(days[0]!.date).toBe('2008-08-08');
    expect(days.at(-1)!.date).toBe('2016-07-01');
    const short = days
      .filter((d) => d.headlines.length < 25)
      .map((d) => [d.date, d.headlines.length]);
    expect(short).toEqual([
      ['2009-09-15', 22],
      ['2009-12-24', 23],
      ['2011-04-21', 23],
    ]);
    const all = days.flatMap((d) => d.headlines);
    expect(all.filter((h) => /^b['"]/.test(h))).toEqual([]);
    expect(days[0]!.headlines[1]).toBe('BREAKING: Musharraf to be impeached.');
    expect(days.filter((d) => d.label === 1)).toHaveLength(1065);
  });
});

describe.skipIf(!existsSync(REDDIT))(
  'loadDatedNews on the RedditNews file',
  () => {
    it('groups 22800 headlines into 912 days, oldest first', async () => {
      const days = await loadDatedNews(REDDIT);
      expect(days).toHaveLength(912);
      expect(days[0]!.date).toBe('2014-01-01');
      expect(days.at(-1)!.date).toBe('2016-07-01');
      expect(days.reduce((s, d) => s + d.headlines.length, 0)).toBe(22800);
    });
  },
);
