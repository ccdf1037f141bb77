/**
 * Calendar dates as the data tools carry them: `YYYY-MM-DD` strings, which
 * sort in time order and compare without time zones.
 */

const DATE_PART = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T ]\d)/;

/**
 * Reads a calendar date written as `YYYY-MM-DD` or `YYYY/MM/DD` (months and
 * days may have one digit), or an ISO timestamp such as
 * `2020-01-02T00:00:00Z` or `2020-01-02 16:00:00`, whose date part is kept
 * as written (no time-zone conversion).
 *
 * @param text - The field as found in a file; surrounding spaces are
 *   ignored.
 * @returns The date as `YYYY-MM-DD`, or `undefined` when the text is not
 *   one of those forms or names a day that does not exist (`2021-02-29`).
 */
export function parseDate(text: string): string | undefined {
  const match = DATE_PART.exec(text.trim());
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  return `${match[1]}-${pad2(month)}-${pad2(day)}`;
}

/**
 * Counts calendar days from `from` to `to` (negative when `to` is earlier).
 *
 * @param from - A `YYYY-MM-DD` date.
 * @param to - A `YYYY-MM-DD` date.
 * @returns `to - from` in days, e.g. 3 from a Friday to the next Monday.
 * @throws RangeError when either is not a valid `YYYY-MM-DD` date.
 */
export function calendarDaysBetween(from: string, to: string): number {
  return (dayNumber(to) - dayNumber(from)) / 86_400_000;
}

function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match || parseDate(date) !== date) {
    throw new RangeError(
      `calendarDaysBetween: expected a YYYY-MM-DD date, received "${date}"`,
    );
  }
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
