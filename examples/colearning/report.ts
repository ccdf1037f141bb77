/**
 * The co-learning example's results table.
 */

/** One row: a model's test scores over the seeds. */
export interface TableRow {
  name: string;
  /** True labels the model was trained on. */
  labels: number;
  /** Pseudo-labels it was trained on (mean over seeds). */
  pseudoLabels: number;
  /** Test accuracy of each seed. */
  accuracy: number[];
  /** Test balanced accuracy of each seed. */
  balancedAccuracy: number[];
  /** Mean training seconds. */
  seconds: number;
}

/**
 * Formats the rows as a plain-text table: labels and pseudo-labels trained
 * on, test accuracy and balanced accuracy in percent (mean ± standard
 * deviation over seeds when there are several), training seconds.
 */
export function formatTable(
  rows: TableRow[],
  nTest: number,
  upShare: number,
): string {
  const header = [
    'model',
    'labels',
    'pseudo',
    'test acc %',
    'bal. acc %',
    'train s',
  ];
  const cell = (values: number[]) => {
    const m = values.reduce((s, v) => s + v, 0) / values.length;
    if (values.length === 1) return (100 * m).toFixed(1);
    const sd = Math.sqrt(
      values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1),
    );
    return `${(100 * m).toFixed(1)} ± ${(100 * sd).toFixed(1)}`;
  };
  const body = rows.map((r) => [
    r.name,
    String(r.labels),
    r.pseudoLabels.toFixed(0),
    cell(r.accuracy),
    cell(r.balancedAccuracy),
    r.seconds.toFixed(0),
  ]);
  const noise = (100 * Math.sqrt(0.25 / nTest)).toFixed(1);
  const footer = [
    `${nTest} test days, ${(100 * upShare).toFixed(1)}% up`,
    '',
    '',
    `s.e. ${noise}`,
    `s.e. ${noise}`,
    '',
  ];
  const all = [header, ...body, footer];
  const widths = header.map((_, c) =>
    Math.max(...all.map((r) => r[c]!.length)),
  );
  const line = (r: string[]) =>
    r
      .map((text, c) =>
        c === 0 ? text.padEnd(widths[c]!) : text.padStart(widths[c]!),
      )
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line), rule, line(footer)].join('\n');
}
