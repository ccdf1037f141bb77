import { describe, expect, it } from 'vitest';

import {
  alignNewsToSessions,
  sessionSentiment,
} from '../../src/data/news-alignment';
import {
  sentimentClass,
  summarizeSentiment,
  vaderSentiment,
} from '../../src/data/sentiment';
import { unwrapBytesLiteral } from '../../src/data/news';
import { readFixture } from '../helpers';

interface UnwrapExample {
  kind: string;
  raw_cell: string;
  unwrapped: string;
  compound: number;
}

describe('vaderSentiment', () => {
  it('gives the reference compound of each DJIA unwrap example', async () => {
    const fixture = await readFixture<{ unwrap_examples: UnwrapExample[] }>(
      'fixture_djia.json',
    );
    const examples = fixture.unwrap_examples;
    const texts = examples.map((e) => unwrapBytesLiteral(e.raw_cell));
    expect(texts).toEqual(examples.map((e) => e.unwrapped));
    const scores = vaderSentiment(texts);
    expect(scores.map((s) => s.compound)).toEqual(
      examples.map((e) => e.compound),
    );
  });

  it('returns all four scores, sensitive to case and punctuation', () => {
    const [calm, loud] = vaderSentiment([
      'profits are good',
      'Profits are GOOD!!!',
    ]);
    expect(calm!.compound).toBeGreaterThan(0);
    expect(loud!.compound).toBeGreaterThan(calm!.compound);
    expect(calm!.positive + calm!.negative + calm!.neutral).toBeCloseTo(1, 2);
  });

  it('rejects empty texts unless told to score them neutral', () => {
    expect(() => vaderSentiment(['fine', '   '])).toThrow(
      /vaderSentiment: expected non-empty texts, received " {3}" at index 1; pass empty: 'neutral'/,
    );
    expect(vaderSentiment([''], { empty: 'neutral' })[0]!.compound).toBe(0);
    expect(() => vaderSentiment([null as unknown as string])).toThrow(
      /expected text 0 to be a string, received null/,
    );
  });

  it('classifies and summarises with the 0.05 thresholds, never NaN', () => {
    expect([0.05, 0.0499, -0.05].map((c) => sentimentClass(c))).toEqual([
      'positive',
      'neutral',
      'negative',
    ]);
    expect(summarizeSentiment([0.5, -0.5, 0, 0.05])).toEqual({
      mean: 0.0125,
      positiveShare: 0.5,
      negativeShare: 0.25,
      count: 4,
    });
    expect(summarizeSentiment([], { neutral: 0.1 })).toEqual({
      mean: 0.1,
      positiveShare: 0,
      negativeShare: 0,
      count: 0,
    });
  });
});

describe('sentimentClass and summarizeSentiment', () => {
  it('counts every score in exactly one class, threshold 0 included', () => {
    expect(summarizeSentiment([0, 0], { threshold: 0 })).toEqual({
      mean: 0,
      positiveShare: 0,
      negativeShare: 0,
      count: 2,
    });
    expect(summarizeSentiment([0.2, 0, -0.1, 0.3], { threshold: 0 })).toEqual({
      mean: 0.1,
      positiveShare: 0.5,
      negativeShare: 0.25,
      count: 4,
    });
    expect([0, 1e-9, -1e-9].map((c) => sentimentClass(c, 0))).toEqual([
      'neutral',
      'positive',
      'negative',
    ]);
    expect(sentimentClass(1.5, 1.2)).toBe('positive');
  });

  it('rejects NaN scores and thresholds that are not finite and >= 0', () => {
    expect(() => sentimentClass(NaN)).toThrow(
      /^sentimentClass: expected a finite compound score, received NaN$/,
    );
    for (const bad of [-0.05, NaN, Infinity]) {
      expect(() => sentimentClass(0.1, bad)).toThrow(
        `sentimentClass: expected threshold to be a finite number >= 0, received ${bad}`,
      );
      expect(() => summarizeSentiment([0.1], { threshold: bad })).toThrow(
        `summarizeSentiment: expected threshold to be a finite number >= 0, received ${bad}`,
      );
    }
    expect(() => summarizeSentiment([0.1, Infinity])).toThrow(
      /^summarizeSentiment: expected finite compound scores, received Infinity at index 1$/,
    );
  });

  it('points to .compound when given whole vaderSentiment results', () => {
    const scores = vaderSentiment(['Profits soar', 'Shares plunge']);
    const hint =
      /; pass the compound field of each vaderSentiment result, e.g. scores.map\(\(s\) => s.compound\)$/;
    expect(() => summarizeSentiment(scores as never)).toThrow(
      /^summarizeSentiment: expected compound scores \(numbers\), received an? Object at index 0/,
    );
    expect(() => summarizeSentiment(scores as never)).toThrow(hint);
    expect(() => sentimentClass(scores[0] as never)).toThrow(hint);
    expect(() => sentimentClass('0.5' as never)).toThrow(
      /^sentimentClass: expected compound scores \(numbers\), received "0.5"$/,
    );
  });
});

// New York sessions around the 4 July 2016 holiday and the March 2016
// daylight-saving change (Sunday 13 March).
const SESSIONS = [
  '2016-03-11',
  '2016-03-14',
  '2016-06-30',
  '2016-07-01',
  '2016-07-05',
];

describe('alignNewsToSessions', () => {
  it('puts news during or before a session in it and later news in the next one', () => {
    const aligned = alignNewsToSessions(
      [
        '2016-07-01T15:59:00-04:00', // during the session
        '2016-07-01T16:00:00-04:00', // at the close: still that session
        '2016-07-01T16:00:30-04:00', // after the close
        '2016-07-02 12:00', // Saturday, New York wall time
        '2016-07-04', // holiday, date only
        '2016-07-05T08:00:00-04:00', // before the open
        '2016-06-30T21:00:00Z', // 17:00 in New York
      ],
      SESSIONS,
    );
    expect(Array.from(aligned.session)).toEqual([3, 3, 4, 4, 4, 4, 3]);
    expect(aligned.items[3]).toEqual([0, 1, 6]);
    expect(aligned.items[4]).toEqual([2, 3, 4, 5]);
  });

  it('converts with the time-zone database across a daylight-saving change', () => {
    // 20:30 UTC is 15:30 EST on Friday 11 March, 16:30 EDT on Monday 14.
    const aligned = alignNewsToSessions(
      [
        '2016-03-11T20:30:00Z',
        '2016-03-14T20:30:00Z',
        Date.UTC(2016, 2, 14, 19, 30),
      ],
      SESSIONS,
    );
    expect(Array.from(aligned.session)).toEqual([0, 2, 1]);
    const tokyo = alignNewsToSessions(['2016-03-11T20:30:00Z'], SESSIONS, {
      timeZone: 'Asia/Tokyo',
      close: '15:00',
    });
    // 05:30 on Saturday 12 March in Tokyo: the next session.
    expect(Array.from(tokyo.session)).toEqual([1]);
  });

  it('reads RFC 2822 times, Date objects, early closes and the date-only option', () => {
    const aligned = alignNewsToSessions(
      [
        'Fri, 01 Jul 2016 13:30:00 -0400',
        new Date('2016-07-01T16:50:00Z'), // 12:50 EDT
        '2016-07-01',
      ],
      SESSIONS,
      { earlyCloses: { '2016-07-01': '13:00' }, dateOnly: 'nextSession' },
    );
    expect(Array.from(aligned.session)).toEqual([4, 3, 4]);
  });

  it('reports news before the first session day and after the last close', () => {
    const aligned = alignNewsToSessions(
      ['2016-03-10T12:00:00-05:00', '2016-07-05T17:00:00-04:00', '2016-07-05'],
      SESSIONS,
    );
    expect(Array.from(aligned.session)).toEqual([-1, -1, 4]);
    expect(aligned.unassigned).toEqual({ before: [0], after: [1] });
  });

  it('says which item or option it cannot read', () => {
    expect(() =>
      alignNewsToSessions(['2016-07-01', 'yesterday'], SESSIONS),
    ).toThrow(
      /alignNewsToSessions: expected a date, an ISO 8601 or RFC 2822 timestamp or epoch milliseconds for news item 1, received "yesterday"/,
    );
    expect(() => alignNewsToSessions([new Date(NaN)], SESSIONS)).toThrow(
      /for news item 0, received a Date/,
    );
    expect(() =>
      alignNewsToSessions([], SESSIONS, { timeZone: 'Mars/Olympus' }),
    ).toThrow(/expected an IANA time zone .+received "Mars\/Olympus"/);
    expect(() => alignNewsToSessions([], SESSIONS, { close: '4pm' })).toThrow(
      /expected close as HH:mm \(e.g. '16:00'\), received "4pm"/,
    );
    expect(() => alignNewsToSessions([], ['2016-07-05', '2016-07-01'])).toThrow(
      /expected strictly increasing session dates, received 2016-07-05 then 2016-07-01/,
    );
    expect(() => alignNewsToSessions([], ['2016-02-30'])).toThrow(
      /expected session dates as YYYY-MM-DD, received "2016-02-30" at index 0/,
    );
    expect(() => alignNewsToSessions('2016-07-01' as never, SESSIONS)).toThrow(
      new TypeError(
        'alignNewsToSessions: expected an array of news times, received ' +
          '"2016-07-01" (wrap one time in an array)',
      ),
    );
    expect(() =>
      alignNewsToSessions([], SESSIONS, { earlyCloses: { 'July 1': '13:00' } }),
    ).toThrow(
      /^alignNewsToSessions: expected earlyCloses keyed by session dates as YYYY-MM-DD, received the key "July 1"$/,
    );
  });
});

describe('sessionSentiment', () => {
  it('gives each session the mean, count and shares of its news, 0 without news', () => {
    const aligned = alignNewsToSessions(
      ['2016-07-01', '2016-07-01', '2016-07-02', '2016-03-14'],
      SESSIONS,
    );
    const summary = sessionSentiment(aligned, [0.5, -0.1, 0.2, -0.3]);
    expect(summary.dates).toEqual(SESSIONS);
    expect(Array.from(summary.count)).toEqual([0, 1, 0, 2, 1]);
    expect(Array.from(summary.mean)).toEqual([0, -0.3, 0, 0.2, 0.2]);
    expect(Array.from(summary.positiveShare)).toEqual([0, 0, 0, 0.5, 1]);
    expect(Array.from(summary.negativeShare)).toEqual([0, 1, 0, 0.5, 0]);
    expect(() => sessionSentiment(aligned, [0.1])).toThrow(
      /expected one score per aligned item \(4\), received 1/,
    );
  });

  it('names a bad score by its index in the scores given', () => {
    const aligned = alignNewsToSessions(
      ['2016-07-01', '2016-07-01', '2016-07-02', '2016-03-14'],
      SESSIONS,
    );
    // Item 2 is the only one of its session.
    expect(() => sessionSentiment(aligned, [0.5, -0.1, NaN, -0.3])).toThrow(
      /^sessionSentiment: expected finite compound scores, received NaN at index 2$/,
    );
    const whole = vaderSentiment(['a gain', 'a loss', 'flat', 'fine']);
    expect(() => sessionSentiment(aligned, whole as never)).toThrow(
      /^sessionSentiment: expected compound scores \(numbers\), received an? Object at index 0; pass the compound field/,
    );
    expect(() =>
      sessionSentiment(aligned, [0, 0, 0, 0], { threshold: -1 }),
    ).toThrow(
      /^sessionSentiment: expected threshold to be a finite number >= 0, received -1$/,
    );
  });
});
