/**
 * Institutional investor flows (net buying per investor group and day) read
 * from a long-format file and aligned on the sessions of a price series.
 *
 * The long format has one row per (date, investor group) with `buy` and
 * `sell` volumes, as in FinMind's TaiwanStockInstitutionalInvestorsBuySell
 * data for TWSE stocks (三大法人).
 */
import { describe } from '../internal/errors';
import { parseCsv, requireColumn } from './csv';
import { parseDate } from './dates';
import type { OhlcvSeries } from './ohlcv';

/**
 * The investor groups of the TWSE per-stock file, in the fixed column order
 * of the thesis specification (S1).
 */
export const TWSE_INSTITUTION_NAMES: readonly string[] = [
  'Foreign_Investor',
  'Foreign_Dealer_Self',
  'Investment_Trust',
  'Dealer_self',
  'Dealer_Hedging',
];

/** Net buying (buy − sell) per investor group and date. */
export interface InstitutionalFlows {
  /** Dates as `YYYY-MM-DD`, strictly increasing. */
  dates: string[];
  /** Column names, `net_<group>`, in the order the groups were given. */
  names: string[];
  /** One array per name, aligned with `dates`. */
  columns: Float64Array[];
}

/** Flows left-joined on the sessions of a price series. */
export interface JoinedFlows extends InstitutionalFlows {
  /** Flow dates that have no price session and were dropped, ascending. */
  droppedDates: string[];
}

/** Options of {@link parseInstitutionalFlows}. */
export interface ParseInstitutionalFlowsOptions {
  /**
   * The investor groups to keep, in output order; values of the `name`
   * column, matched exactly.
   * @defaultValue {@link TWSE_INSTITUTION_NAMES}
   */
  names?: readonly string[];
  /**
   * What to do with a row whose group is not in `names`: `'error'` throws,
   * `'ignore'` skips it (as for the `total` rows of a market-wide file).
   * @defaultValue `'error'`
   */
  unknownNames?: 'error' | 'ignore';
}

/**
 * Parses a long-format institutional file (`date`, `name`, `buy`, `sell`
 * columns, any case, other columns ignored) into one net-buy column per
 * group: `net_<name> = buy − sell`, one value per (date, group). A group
 * with no row on a date gets 0 there (TWSE lists `Foreign_Dealer_Self`
 * only from 2017-12-18).
 *
 * @param text - CSV text with a header row.
 * @param options - See {@link ParseInstitutionalFlowsOptions}.
 * @returns The flows on every date of the file, ascending.
 * @throws RangeError naming the line and value for an unreadable date or
 *   number, a repeated (date, group) pair or an unknown group; when a
 *   column is missing or `names` is empty or repeats a name.
 */
export function parseInstitutionalFlows(
  text: string,
  options: ParseInstitutionalFlowsOptions = {},
): InstitutionalFlows {
  const where = 'parseInstitutionalFlows';
  const groups = options.names ?? TWSE_INSTITUTION_NAMES;
  if (groups.length === 0 || new Set(groups).size !== groups.length) {
    throw new RangeError(
      `${where}: expected a non-empty list of distinct names, ` +
        `received [${groups.join(', ')}]`,
    );
  }
  const table = parseCsv(text, { where });
  const col = {
    date: requireColumn(table, ['date'], where),
    name: requireColumn(table, ['name'], where),
    buy: requireColumn(table, ['buy'], where),
    sell: requireColumn(table, ['sell'], where),
  };

  // date -> one net value per group, NaN where the file has no row.
  const byDate = new Map<string, Float64Array>();
  table.rows.forEach((row, r) => {
    const line = table.lines[r] as number;
    const group = (row[col.name] ?? '').trim();
    const g = groups.indexOf(group);
    if (g < 0) {
      if (options.unknownNames === 'ignore') return;
      throw new RangeError(
        `${where}: expected a name in [${groups.join(', ')}] at line ` +
          `${line}, received "${group}"; pass unknownNames: 'ignore' ` +
          `to skip such rows`,
      );
    }
    const raw = row[col.date] ?? '';
    const date = parseDate(raw);
    if (date === undefined) {
      throw new RangeError(
        `${where}: expected a date in column "${col.date}" at line ` +
          `${line}, received "${raw}"`,
      );
    }
    let values = byDate.get(date);
    if (!values) {
      values = new Float64Array(groups.length).fill(NaN);
      byDate.set(date, values);
    }
    if (!Number.isNaN(values[g])) {
      throw new RangeError(
        `${where}: expected one row per (date, name), received ` +
          `(${date}, ${group}) again at line ${line}`,
      );
    }
    const buy = readVolume(where, col.buy, row, line);
    values[g] = buy - readVolume(where, col.sell, row, line);
  });

  const dates = [...byDate.keys()].sort();
  const columns = groups.map((_, g) =>
    Float64Array.from(dates, (d) => {
      const v = (byDate.get(d) as Float64Array)[g] as number;
      return Number.isNaN(v) ? 0 : v;
    }),
  );
  return { dates, names: groups.map((g) => `net_${g}`), columns };
}

/**
 * Left-joins flows on the sessions of a price series: the result has one
 * value per price date; a price date without flows gets 0 in every column,
 * and flow dates without a price session are dropped (and listed).
 *
 * @param series - The price series whose dates the result follows.
 * @param flows - Flows from {@link parseInstitutionalFlows}.
 * @returns Flows aligned with `series.dates`, plus the dropped dates.
 * @throws TypeError when either argument lacks its `dates`.
 */
export function joinByDate(
  series: Pick<OhlcvSeries, 'dates'>,
  flows: InstitutionalFlows,
): JoinedFlows {
  if (!Array.isArray(series?.dates) || !Array.isArray(flows?.dates)) {
    throw new TypeError(
      `joinByDate: expected a series and flows with dates arrays, ` +
        `received ${describe(series)} and ${describe(flows)}`,
    );
  }
  const rowOf = new Map(flows.dates.map((d, i) => [d, i] as const));
  const columns = flows.columns.map((column) =>
    Float64Array.from(series.dates, (d) => {
      const i = rowOf.get(d);
      return i === undefined ? 0 : (column[i] as number);
    }),
  );
  const priceDates = new Set(series.dates);
  return {
    dates: series.dates.slice(),
    names: flows.names.slice(),
    columns,
    droppedDates: flows.dates.filter((d) => !priceDates.has(d)),
  };
}

function readVolume(
  where: string,
  column: string,
  row: Record<string, string>,
  line: number,
): number {
  const raw = row[column] ?? '';
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `${where}: expected a number in column "${column}" at line ${line}, ` +
        `received "${raw}"`,
    );
  }
  return value;
}
