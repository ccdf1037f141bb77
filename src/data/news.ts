/**
 * Dated news headlines: readers for the wide DJIA-news layout (one row per
 * day, one column per headline) and for a long layout (one row per
 * headline), both returning the headlines of each day in date order.
 */
import { describe } from '../internal/errors';
import { type CsvTable, findColumn, parseCsv, requireColumn } from './csv';
import { parseDate } from './dates';

/** The headlines of one day. */
export interface DatedHeadlines {
  /** The day, `YYYY-MM-DD`. */
  date: string;
  /** The day's headlines in file order, without empty ones. */
  headlines: string[];
  /** The file's label of the day, when it has a label column. */
  label?: number;
}

/** Options of {@link parseDjiaNews}. */
export interface ParseDjiaNewsOptions {
  /**
   * Remove Python bytes-literal wrappers (`b'...'`, `b"..."`) and decode
   * their escapes. @defaultValue true
   */
  unwrapBytes?: boolean;
  /**
   * Name used at the start of error messages.
   * @defaultValue 'parseDjiaNews'
   */
  where?: string;
}

/**
 * Reads the wide layout of the Kaggle "Daily News for Stock Market
 * Prediction" file `Combined_News_DJIA.csv`: columns `Date`, an optional
 * `Label` and `Top1` .. `TopN` (any N), one row per day.
 *
 * Rows with fewer fields than the header (three in that file) are read as
 * if the missing trailing headlines were empty; empty headlines are
 * dropped. Headlines written as Python bytes literals (`b'...'` or
 * `b"..."`, about a quarter of that file) are unwrapped by
 * {@link unwrapBytesLiteral}. The result is sorted by date.
 *
 * @example
 * ```ts
 * const days = parseDjiaNews(await readFile('Combined_News_DJIA.csv', 'utf8'));
 * days[0].date; // '2008-08-08'
 * days[0].headlines[1]; // 'BREAKING: Musharraf to be impeached.'
 * ```
 * @see Sun (2016), Daily News for Stock Market Prediction, Kaggle dataset
 * `aaron7sun/stocknews`.
 * @param text - The CSV text with a header row.
 * @param options - See {@link ParseDjiaNewsOptions}.
 * @returns One entry per day, oldest first.
 * @throws RangeError when there is no date column or no `TopN` column, a
 *   date cannot be read, a date repeats, a label is not a number, or a row
 *   has more fields than the header.
 */
export function parseDjiaNews(
  text: string,
  options: ParseDjiaNewsOptions = {},
): DatedHeadlines[] {
  const where = options.where ?? 'parseDjiaNews';
  const table = parseCsv(text, { where, shortRows: 'pad' });
  const dateColumn = requireColumn(table, ['date'], where);
  const labelColumn = findColumn(table.header, ['label']);
  const topColumns = table.header
    .map((name) => ({ name, rank: /^top\s*(\d+)$/i.exec(name)?.[1] }))
    .filter((c) => c.rank !== undefined)
    .sort((a, b) => Number(a.rank) - Number(b.rank))
    .map((c) => c.name);
  if (topColumns.length === 0) {
    throw new RangeError(
      `${where}: expected headline columns named Top1, Top2, ..., ` +
        `received header [${table.header.map((h) => `"${h}"`).join(', ')}]`,
    );
  }
  const unwrap = options.unwrapBytes ?? true;

  const days = table.rows.map((row, r): DatedHeadlines => {
    const line = table.lines[r] as number;
    const headlines = topColumns
      .map((c) => (row[c] ?? '').trim())
      .map((h) => (unwrap ? unwrapBytesLiteral(h) : h).trim())
      .filter((h) => h !== '');
    const day: DatedHeadlines = {
      date: readDate(where, dateColumn, row, line),
      headlines,
    };
    if (labelColumn !== undefined) {
      day.label = readLabel(where, labelColumn, row, line);
    }
    return day;
  });
  return sortUnique(where, days, table);
}

/** Options of {@link parseDatedNews}. */
export interface ParseDatedNewsOptions {
  /** Accepted names of the date column. @defaultValue ['date'] */
  dateColumn?: readonly string[];
  /**
   * Accepted names of the text column.
   * @defaultValue ['news', 'headline', 'title', 'text']
   */
  textColumn?: readonly string[];
  /** Unwrap Python bytes literals. @defaultValue true */
  unwrapBytes?: boolean;
  /**
   * Name used at the start of error messages.
   * @defaultValue 'parseDatedNews'
   */
  where?: string;
}

/**
 * Reads a long layout, one headline per row (e.g. the Kaggle file
 * `RedditNews.csv` with columns `Date,News`), and groups the headlines by
 * day. Within a day, headlines keep their file order; days are returned
 * oldest first whatever the file's order. Empty headlines are dropped.
 *
 * @param text - The CSV text with a header row.
 * @param options - See {@link ParseDatedNewsOptions}.
 * @returns One entry per day with at least one headline, oldest first.
 * @throws RangeError when a column is missing, a date cannot be read or a
 *   row is ragged.
 */
export function parseDatedNews(
  text: string,
  options: ParseDatedNewsOptions = {},
): DatedHeadlines[] {
  const where = options.where ?? 'parseDatedNews';
  const table = parseCsv(text, { where });
  const dateColumn = requireColumn(
    table,
    options.dateColumn ?? ['date'],
    where,
  );
  const textColumn = requireColumn(
    table,
    options.textColumn ?? ['news', 'headline', 'title', 'text'],
    where,
  );
  const unwrap = options.unwrapBytes ?? true;
  const byDate = new Map<string, string[]>();
  table.rows.forEach((row, r) => {
    const date = readDate(where, dateColumn, row, table.lines[r] as number);
    const raw = (row[textColumn] ?? '').trim();
    const headline = (unwrap ? unwrapBytesLiteral(raw) : raw).trim();
    const list = byDate.get(date) ?? [];
    if (headline !== '') list.push(headline);
    byDate.set(date, list);
  });
  return [...byDate.entries()]
    .filter(([, headlines]) => headlines.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, headlines]) => ({ date, headlines }));
}

/** Bytes of the one-character escapes of a Python bytes literal. */
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
};

/**
 * Removes a Python bytes-literal wrapper, `b'...'` or `b"..."`, and decodes
 * its escapes (`\\`, `\'`, `\"`, `\n`, `\r`, `\t` and `\xNN` bytes, read
 * as UTF-8). Text that is not wrapped that way is returned unchanged.
 *
 * @example
 * ```ts
 * unwrapBytesLiteral("b'Britain\\'s policy'"); // "Britain's policy"
 * unwrapBytesLiteral('b"It\'s"'); // "It's"
 * ```
 * @param text - One field.
 * @returns The unwrapped text.
 */
export function unwrapBytesLiteral(text: string): string {
  if (typeof text !== 'string') {
    throw new TypeError(
      `unwrapBytesLiteral: expected a string, received ${describe(text)}`,
    );
  }
  const match = /^b(['"])([\s\S]*)\1$/.exec(text);
  if (!match) return text;
  const body = match[2] as string;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\' && i + 1 < body.length) {
      const next = body[i + 1] as string;
      const hex = /^x([0-9a-fA-F]{2})/.exec(body.slice(i + 1, i + 4));
      if (SIMPLE_ESCAPES[next] !== undefined) {
        bytes.push(SIMPLE_ESCAPES[next] as number);
        i++;
        continue;
      }
      if (hex) {
        bytes.push(parseInt(hex[1] as string, 16));
        i += 3;
        continue;
      }
    }
    bytes.push(...encoder.encode(ch));
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

/**
 * Reads a wide DJIA-news CSV file (Node only) with {@link parseDjiaNews}.
 *
 * @param path - File path or `file:` URL.
 * @param options - See {@link ParseDjiaNewsOptions}.
 * @returns One entry per day, oldest first.
 * @throws As {@link parseDjiaNews}; the file system's error when the file
 *   cannot be read.
 */
export async function loadDjiaNews(
  path: string | URL,
  options: ParseDjiaNewsOptions = {},
): Promise<DatedHeadlines[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  return parseDjiaNews(text, {
    where: `loadDjiaNews(${String(path)})`,
    ...options,
  });
}

/**
 * Reads a long-layout news CSV file (Node only) with {@link parseDatedNews}.
 *
 * @param path - File path or `file:` URL.
 * @param options - See {@link ParseDatedNewsOptions}.
 * @returns One entry per day, oldest first.
 * @throws As {@link parseDatedNews}; the file system's error when the file
 *   cannot be read.
 */
export async function loadDatedNews(
  path: string | URL,
  options: ParseDatedNewsOptions = {},
): Promise<DatedHeadlines[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  return parseDatedNews(text, {
    where: `loadDatedNews(${String(path)})`,
    ...options,
  });
}

function readDate(
  where: string,
  column: string,
  row: Record<string, string>,
  line: number,
): string {
  const raw = row[column] ?? '';
  const date = parseDate(raw);
  if (date === undefined) {
    throw new RangeError(
      `${where}: expected a date (YYYY-MM-DD) in column "${column}" at ` +
        `line ${line}, received "${raw}"`,
    );
  }
  return date;
}

function readLabel(
  where: string,
  column: string,
  row: Record<string, string>,
  line: number,
): number {
  const raw = (row[column] ?? '').trim();
  const value = raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `${where}: expected a number in column "${column}" at line ${line}, ` +
        `received "${raw}"`,
    );
  }
  return value;
}

function sortUnique(
  where: string,
  days: DatedHeadlines[],
  table: CsvTable,
): DatedHeadlines[] {
  const order = days.map((_, i) => i);
  order.sort((a, b) => {
    const da = (days[a] as DatedHeadlines).date;
    const db = (days[b] as DatedHeadlines).date;
    return da < db ? -1 : da > db ? 1 : 0;
  });
  for (let i = 1; i < order.length; i++) {
    const a = order[i - 1] as number;
    const b = order[i] as number;
    if ((days[a] as DatedHeadlines).date === (days[b] as DatedHeadlines).date) {
      const la = table.lines[a] as number;
      const lb = table.lines[b] as number;
      throw new RangeError(
        `${where}: expected one row per date, received ` +
          `${(days[a] as DatedHeadlines).date} twice (lines ` +
          `${Math.min(la, lb)} and ${Math.max(la, lb)})`,
      );
    }
  }
  return order.map((i) => days[i] as DatedHeadlines);
}
