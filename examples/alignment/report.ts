/**
 * The alignment example's results table.
 */
import type { ResultRow } from './run';

/**
 * Formats the rows as a plain-text table: test retrieval in both
 * directions (recall@1/5/10 in percent, median rank) and the test
 * correlations of the canonical pairs fitted on the training days.
 */
export function formatTable(
  rows: ResultRow[],
  nTest: number,
  topK: number,
): string {
  const header = [
    'model',
    'p→n R@1',
    'R@5',
    'R@10',
    'MedR',
    'n→p R@1',
    'R@5',
    'R@10',
    'MedR',
    'test ρ1',
    `Σρ1..${topK}`,
    `train Σρ1..${topK}`,
    'train s',
  ];
  const pct = (x: number) => (100 * x).toFixed(1);
  const body = rows.map((r) => {
    const a = r.retrieval.aToB;
    const b = r.retrieval.bToA;
    const sum = (values: number[]) =>
      values.slice(0, topK).reduce((s, c) => s + c, 0);
    return [
      r.name,
      pct(a.recallAtK[1]!),
      pct(a.recallAtK[5]!),
      pct(a.recallAtK[10]!),
      a.medianRank.toFixed(0),
      pct(b.recallAtK[1]!),
      pct(b.recallAtK[5]!),
      pct(b.recallAtK[10]!),
      b.medianRank.toFixed(0),
      r.testCorrelations[0]!.toFixed(3),
      sum(r.testCorrelations).toFixed(3),
      sum(r.trainCorrelations).toFixed(3),
      r.seconds.toFixed(0),
    ];
  });
  const chance = [
    `chance (${nTest} test days)`,
    pct(1 / nTest),
    pct(5 / nTest),
    pct(10 / nTest),
    ((nTest + 1) / 2).toFixed(0),
    pct(1 / nTest),
    pct(5 / nTest),
    pct(10 / nTest),
    ((nTest + 1) / 2).toFixed(0),
    '0',
    '0',
    '',
    '',
  ];
  const all = [header, ...body, chance];
  const widths = header.map((_, c) =>
    Math.max(...all.map((r) => r[c]!.length)),
  );
  const line = (r: string[]) =>
    r
      .map((cell, c) =>
        c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line), rule, line(chance)].join('\n');
}
