/**
 * As-of join of timestamped or dated news to trading sessions, and the
 * per-session sentiment that follows from it.
 */
import { DateTime } from 'luxon';

import { assertOneOf } from '../internal/assert';
import { ShapeError, describe } from '../internal/errors';
import { parseDate } from './dates';
import {
  type SummarizeSentimentOptions,
  checkScores,
  summarize,
  summaryOptions,
} from './sentiment';

/**
 * When a news item appeared: an ISO 8601 or RFC 2822 string (with or
 * without a UTC offset; without one it is wall time in the alignment's
 * time zone), a `YYYY-MM-DD` date without a time, epoch milliseconds or a
 * `Date`.
 */
export type NewsTime = string | number | Date;

/** Options of {@link alignNewsToSessions}. */
export interface AlignNewsOptions {
  /**
   * IANA time zone of the exchange, in which sessions, closes and
   * offset-less timestamps are read. @defaultValue 'America/New_York'
   */
  timeZone?: string;
  /** Closing time of a session, `HH:mm` local. @defaultValue '16:00' */
  close?: string;
  /** Sessions that close early, date to `HH:mm` (e.g. `'13:00'`). */
  earlyCloses?: Record<string, string>;
  /**
   * Where news with a date but no time goes: `'sameSession'` (the session
   * of that date, or the next one if the date is not a session: the
   * convention of the DJIA headlines) or `'nextSession'` (as if published
   * after the close, the conservative choice when the publication time is
   * unknown). @defaultValue 'sameSession'
   */
  dateOnly?: 'sameSession' | 'nextSession';
}

/** The result of {@link alignNewsToSessions}. */
export interface NewsAlignment {
  /** The session dates, `YYYY-MM-DD`, ascending. */
  sessions: string[];
  /** Session index of each news item, or -1 when it has none. */
  session: Int32Array;
  /** Item indices of each session, in input order. */
  items: number[][];
  /** Items with no session, by reason. */
  unassigned: {
    /** Dated before the first session's day. */
    before: number[];
    /** After the last session's close. */
    after: number[];
  };
}

/**
 * Assigns each news item to the trading session whose prices it can
 * affect first (an as-of join). An item published during a session, or
 * before its open, belongs to that session; one published after the close,
 * on a weekend or on a holiday belongs to the next session. Times are
 * converted to the exchange's time zone with the IANA database (luxon), so
 * daylight-saving changes are handled.
 *
 * A session's features may use its items only from its close on: its
 * items can be published up to that close.
 *
 * @example
 * ```ts
 * const sessions = ['2016-07-01', '2016-07-05'];
 * const aligned = alignNewsToSessions(
 *   ['2016-07-01T15:59:00-04:00', '2016-07-01T16:01:00-04:00', '2016-07-04'],
 *   sessions,
 * );
 * aligned.session; // Int32Array [0, 1, 1]: after the close and the holiday
 * ```
 * @param times - When each item appeared (see {@link NewsTime}).
 * @param sessions - Session dates, `YYYY-MM-DD`, strictly increasing.
 * @param options - See {@link AlignNewsOptions}.
 * @returns The assignment of every item.
 * @throws TypeError when `times` is not an array; RangeError naming the
 *   index and value of an unparsable time or session date, for unsorted
 *   sessions, an unknown time zone, a bad closing time or an early-close
 *   date that is not `YYYY-MM-DD`.
 */
export function alignNewsToSessions(
  times: readonly NewsTime[],
  sessions: readonly string[],
  options: AlignNewsOptions = {},
): NewsAlignment {
  const where = 'alignNewsToSessions';
  if (!Array.isArray(times)) {
    const hint =
      typeof times === 'string' ? ' (wrap one time in an array)' : '';
    throw new TypeError(
      `${where}: expected an array of news times, received ` +
        `${describe(times)}${hint}`,
    );
  }
  const zone = options.timeZone ?? 'America/New_York';
  if (!DateTime.local().setZone(zone).isValid) {
    throw new RangeError(
      `${where}: expected an IANA time zone such as 'America/New_York', ` +
        `received ${describe(zone)}`,
    );
  }
  const dateOnly = options.dateOnly ?? 'sameSession';
  assertOneOf(where, 'dateOnly', dateOnly, ['sameSession', 'nextSession']);
  const close = minutesOf(where, 'close', options.close ?? '16:00');
  const closes = new Map<string, number>();
  for (const [date, time] of Object.entries(options.earlyCloses ?? {})) {
    if (parseDate(date) !== date) {
      throw new RangeError(
        `${where}: expected earlyCloses keyed by session dates as ` +
          `YYYY-MM-DD, received the key ${describe(date)}`,
      );
    }
    closes.set(date, minutesOf(where, `earlyCloses['${date}']`, time));
  }
  checkSessions(where, sessions);

  const session = new Int32Array(times.length).fill(-1);
  const items: number[][] = sessions.map(() => []);
  const unassigned = { before: [] as number[], after: [] as number[] };
  times.forEach((time, i) => {
    const { date, minutes } = localTime(where, time, i, zone);
    // The first session on or after the item's day, then the next one if
    // the item came after that day's close.
    let s = lowerBound(sessions, date);
    const sameDay = sessions[s] === date;
    const late =
      minutes === null
        ? dateOnly === 'nextSession'
        : minutes > (closes.get(date) ?? close);
    if (sameDay && late) s++;
    if (date < (sessions[0] as string)) unassigned.before.push(i);
    else if (s >= sessions.length) unassigned.after.push(i);
    else {
      session[i] = s;
      (items[s] as number[]).push(i);
    }
  });
  return { sessions: [...sessions], session, items, unassigned };
}

/** Per-session sentiment: {@link summarizeSentiment} of each session. */
export interface SessionSentiment {
  /** The session dates. */
  dates: string[];
  /** Mean compound score, the neutral value for a session without news. */
  mean: Float64Array;
  /** Number of items. */
  count: Int32Array;
  /** Share of positive items (see {@link sentimentClass}). */
  positiveShare: Float64Array;
  /** Share of negative items (see {@link sentimentClass}). */
  negativeShare: Float64Array;
}

/**
 * Summarises the sentiment of each session's news: mean, count and class
 * shares. A session without news gets the neutral value (default 0), count
 * 0 and shares 0, never NaN.
 *
 * @param alignment - From {@link alignNewsToSessions}.
 * @param scores - One compound score (a number) per news item, in the
 *   same order.
 * @param options - See {@link SummarizeSentimentOptions}.
 * @returns One value per session for each statistic.
 * @throws ShapeError when the scores do not match the aligned items;
 *   TypeError for a score that is not a number; RangeError for a
 *   non-finite score (naming its index in `scores`) or a bad threshold.
 */
export function sessionSentiment(
  alignment: NewsAlignment,
  scores: ArrayLike<number>,
  options: SummarizeSentimentOptions = {},
): SessionSentiment {
  const where = 'sessionSentiment';
  if (!Array.isArray(alignment?.items) || !alignment?.session) {
    throw new TypeError(
      `${where}: expected the result of alignNewsToSessions, received ` +
        describe(alignment),
    );
  }
  const settings = summaryOptions(where, options);
  // Checked here, so a bad score is named by its index in `scores`.
  checkScores(where, scores);
  if (scores.length !== alignment.session.length) {
    throw new ShapeError(
      `${where}: expected one score per aligned item ` +
        `(${alignment.session.length}), received ${scores.length}`,
    );
  }

  const n = alignment.sessions.length;
  const out: SessionSentiment = {
    dates: [...alignment.sessions],
    mean: new Float64Array(n),
    count: new Int32Array(n),
    positiveShare: new Float64Array(n),
    negativeShare: new Float64Array(n),
  };
  alignment.items.forEach((indices, s) => {
    const summary = summarize(
      indices.map((i) => scores[i] as number),
      settings,
    );
    out.mean[s] = summary.mean;
    out.count[s] = summary.count;
    out.positiveShare[s] = summary.positiveShare;
    out.negativeShare[s] = summary.negativeShare;
  });
  return out;
}

/** The local date and minutes after midnight (null for a bare date). */
function localTime(
  where: string,
  time: NewsTime,
  index: number,
  zone: string,
): { date: string; minutes: number | null } {
  if (typeof time === 'string') {
    const trimmed = time.trim();
    if (/^\d{4}[-/]\d{1,2}[-/]\d{1,2}$/.test(trimmed)) {
      const date = parseDate(trimmed);
      if (date !== undefined) return { date, minutes: null };
    }
  }
  let instant: DateTime | null = null;
  if (time instanceof Date) {
    instant = DateTime.fromJSDate(time, { zone });
  } else if (typeof time === 'number') {
    instant = DateTime.fromMillis(time, { zone });
  } else if (typeof time === 'string') {
    const text = time.trim();
    const iso = DateTime.fromISO(text.replace(' ', 'T'), { zone });
    instant = iso.isValid ? iso : DateTime.fromRFC2822(text, { zone });
  }
  if (instant === null || !instant.isValid) {
    throw new RangeError(
      `${where}: expected a date, an ISO 8601 or RFC 2822 timestamp or ` +
        `epoch milliseconds for news item ${index}, received ` +
        describe(time),
    );
  }
  const local = instant.setZone(zone);
  return {
    date: local.toISODate() as string,
    minutes: local.hour * 60 + local.minute + local.second / 60,
  };
}

function minutesOf(where: string, name: string, text: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(String(text));
  const h = Number(match?.[1]);
  const m = Number(match?.[2]);
  if (!match || h > 23 || m > 59) {
    throw new RangeError(
      `${where}: expected ${name} as HH:mm (e.g. '16:00'), received ` +
        describe(text),
    );
  }
  return h * 60 + m;
}

function checkSessions(where: string, sessions: readonly string[]): void {
  if (!Array.isArray(sessions) || sessions.length === 0) {
    throw new RangeError(
      `${where}: expected at least one session date, received ` +
        describe(sessions),
    );
  }
  sessions.forEach((date, i) => {
    if (parseDate(String(date)) !== date) {
      throw new RangeError(
        `${where}: expected session dates as YYYY-MM-DD, received ` +
          `${describe(date)} at index ${i}`,
      );
    }
    if (i > 0 && !((sessions[i - 1] as string) < date)) {
      throw new RangeError(
        `${where}: expected strictly increasing session dates, received ` +
          `${sessions[i - 1]} then ${date} at indices ${i - 1} and ${i}`,
      );
    }
  });
}

/** Index of the first element >= `date` (the length when none is). */
function lowerBound(sorted: readonly string[], date: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
