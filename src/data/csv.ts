/**
 * A small CSV reader on top of papaparse for the tabular files that the data
 * tools load: one header row, then one record per row.
 *
 * It accepts LF and CRLF line endings, quoted fields with embedded newlines
 * and commas, and a leading byte order mark. Fields stay strings; the
 * callers (`parseOhlcv`, `parseInstitutionalFlows`) convert and check them,
 * naming the line of each problem, which this reader records per row.
 */
import Papa from 'papaparse';

import { describe } from '../internal/errors';

/** Options of {@link parseCsv}. */
export interface ParseCsvOptions {
  /**
   * Name used at the start of error messages, so they say which caller
   * was reading.
   * @defaultValue `'parseCsv'`
   */
  where?: string;
  /**
   * Field separator.
   * @defaultValue `','`
   */
  delimiter?: string;
  /**
   * What to do with a row that has fewer fields than the header: `'error'`
   * throws, `'pad'` fills the missing trailing fields with `''`. A row with
   * more fields than the header is always an error.
   * @defaultValue `'error'`
   */
  shortRows?: 'error' | 'pad';
  /**
   * Columns that must be present, each given as a list of accepted names
   * (matched case-insensitively after trimming). The error for a missing
   * one lists the header that was received.
   * @defaultValue `[]`
   */
  required?: readonly (readonly string[])[];
}

/** The result of {@link parseCsv}. */
export interface CsvTable {
  /** Column names as written in the file, trimmed, in file order. */
  header: string[];
  /** One record per data row, keyed by the trimmed header names. */
  rows: Record<string, string>[];
  /** The 1-based line of the file on which each row starts. */
  lines: number[];
}

/**
 * Parses CSV text with a header row into string records.
 *
 * Blank lines are skipped. A leading byte order mark is removed. Header
 * names are trimmed; two names that differ only in case or surrounding
 * spaces are rejected, so that {@link findColumn} is unambiguous.
 *
 * @example
 * ```ts
 * const table = parseCsv('Date,Close\r\n2020-01-02,3257.85\r\n');
 * table.rows[0]; // { Date: '2020-01-02', Close: '3257.85' }
 * ```
 *
 * @param text - The whole file as a string.
 * @param options - See {@link ParseCsvOptions}.
 * @returns The header, the records and the line on which each starts.
 * @throws RangeError when the text is empty, has no header, has a malformed
 *   quoted field, has a ragged row (the message gives its line and field
 *   counts), or lacks a required column.
 */
export function parseCsv(
  text: string,
  options: ParseCsvOptions = {},
): CsvTable {
  const where = options.where ?? 'parseCsv';
  if (typeof text !== 'string') {
    throw new TypeError(
      `${where}: expected the CSV text as a string, received ${describe(text)}`,
    );
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new RangeError(
      `${where}: expected a header row and data rows, received an empty text`,
    );
  }

  const records: string[][] = [];
  const lines: number[] = [];
  const lineAt = lineCounter(body);
  let start = 0;
  let problem: string | undefined;
  Papa.parse<string[]>(body, {
    delimiter: options.delimiter ?? ',',
    skipEmptyLines: 'greedy',
    step: (result, handle) => {
      const line = lineAt(start);
      start = result.meta.cursor;
      const error = result.errors[0];
      if (error) {
        problem =
          `${where}: expected well-formed CSV, received ` +
          `${error.message.toLowerCase()} at line ${line}`;
        handle.abort();
        return;
      }
      records.push(result.data);
      lines.push(line);
    },
  });
  if (problem !== undefined) throw new RangeError(problem);

  const header = (records.shift() ?? []).map((name) => name.trim());
  lines.shift();
  checkHeader(where, header);
  const rows = records.map((fields, r) =>
    toRecord(where, header, fields, lines[r] as number, options.shortRows),
  );
  for (const names of options.required ?? []) {
    requireColumn({ header, rows, lines }, names, where);
  }
  return { header, rows, lines };
}

/**
 * Finds the header name that matches one of `names`, ignoring case and
 * surrounding spaces; the first name of `names` that matches wins.
 *
 * @param header - Header names, as in {@link CsvTable.header}.
 * @param names - Accepted names, in order of preference.
 * @returns The name as written in the header, or `undefined`.
 */
export function findColumn(
  header: readonly string[],
  names: readonly string[],
): string | undefined {
  for (const name of names) {
    const wanted = normalizeName(name);
    const hit = header.find((h) => normalizeName(h) === wanted);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * Like {@link findColumn}, but throws when no column matches.
 *
 * @param table - A parsed table.
 * @param names - Accepted names, in order of preference.
 * @param where - Caller name for the message.
 * @returns The name as written in the header.
 * @throws RangeError naming the accepted names and the received header.
 */
export function requireColumn(
  table: CsvTable,
  names: readonly string[],
  where = 'parseCsv',
): string {
  const hit = findColumn(table.header, names);
  if (hit === undefined) {
    const accepted = names.map((n) => `"${n}"`).join(' or ');
    throw new RangeError(
      `${where}: expected a column named ${accepted} (any case), ` +
        `received header [${table.header.map((h) => `"${h}"`).join(', ')}]`,
    );
  }
  return hit;
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase();
}

function checkHeader(where: string, header: string[]): void {
  if (header.length === 0 || header.every((h) => h === '')) {
    throw new RangeError(`${where}: expected a header row, received none`);
  }
  const empty = header.indexOf('');
  if (empty >= 0) {
    throw new RangeError(
      `${where}: expected a name for every header field, ` +
        `received an empty name at field ${empty + 1}`,
    );
  }
  const seen = new Map<string, string>();
  for (const name of header) {
    const key = normalizeName(name);
    const before = seen.get(key);
    if (before !== undefined) {
      throw new RangeError(
        `${where}: expected distinct header names (ignoring case), ` +
          `received "${before}" and "${name}"`,
      );
    }
    seen.set(key, name);
  }
}

function toRecord(
  where: string,
  header: string[],
  fields: string[],
  line: number,
  shortRows: 'error' | 'pad' | undefined,
): Record<string, string> {
  const short = fields.length < header.length;
  if (fields.length > header.length || (short && shortRows !== 'pad')) {
    throw new RangeError(
      `${where}: expected ${header.length} fields per row (as in the ` +
        `header), received ${fields.length} at line ${line}`,
    );
  }
  const record: Record<string, string> = {};
  for (let c = 0; c < header.length; c++) {
    record[header[c] as string] = fields[c] ?? '';
  }
  return record;
}

/** Returns a function from a character offset to its 1-based line. */
function lineCounter(text: string): (offset: number) => number {
  let position = 0;
  let line = 1;
  return (offset: number) => {
    // Skip the blank lines that papaparse passed over before this row.
    let target = offset;
    while (target < text.length && /\s/.test(text[target] as string)) target++;
    for (; position < target; position++) {
      if (text.charCodeAt(position) === 10) line++;
    }
    return line;
  };
}
