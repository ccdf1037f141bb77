/**
 * The result tables, as plain cells, rendered to fixed-width text for the
 * terminal or to Markdown for report.md.
 */
import type { SeedSpread } from '../../src/index';
import { DRIFT } from './evaluate';
import type { VariantResult } from './run';

/** A table: a header and rows of cells; `split` marks a rule before a row. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  /** Row indices before which a rule is drawn. */
  rules?: number[];
  /** A note printed under the table. */
  note?: string;
}

/** Fixed-width text; the first column left-aligned, the rest right. */
export function toText(table: Table): string {
  const widths = table.header.map((h, c) =>
    Math.max(h.length, ...table.rows.map((r) => (r[c] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, c) =>
        c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [table.title, '', line(table.header), rule];
  table.rows.forEach((r, i) => {
    if (table.rules?.includes(i)) out.push(rule);
    out.push(line(r));
  });
  if (table.note) out.push('', table.note);
  return out.join('\n');
}

/** A Markdown table with its title as a heading. */
export function toMarkdown(table: Table, level = 3): string {
  const out = [
    `${'#'.repeat(level)} ${table.title}`,
    '',
    `| ${table.header.join(' | ')} |`,
    `| ${table.header.map((_, c) => (c === 0 ? '---' : '---:')).join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (table.note) out.push('', table.note);
  return out.join('\n');
}

const fixed = (digits: number) => (v: number) => v.toFixed(digits);
const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

/**
 * Whether seeds gave different values: a standard deviation above float
 * rounding (a deterministic baseline repeated per seed gives about 1e-14).
 */
export function seedsDisagree(s: SeedSpread): boolean {
  return s.n > 1 && s.std > 1e-9 * Math.max(1, Math.abs(s.mean));
}

/** "mean ± sd" when seeds disagree, the value alone otherwise. */
function cell(s: SeedSpread, format: (v: number) => string): string {
  return seedsDisagree(s)
    ? `${format(s.mean)} ± ${format(s.std)}`
    : format(s.mean);
}

/** Test metrics of the max or the min, mean ± sd over seeds. */
export function spreadTable(v: VariantResult, which: 'Max' | 'Min'): Table {
  const n = v.seeds.length;
  const metric = (name: string, m: string) =>
    v.summary[name]![`${m}${which}`] as SeedSpread;
  const firstBaseline = v.rowNames.findIndex((r) => v.kinds[r] === 'baseline');
  return {
    title:
      `Test ${which === 'Max' ? 'highest high' : 'lowest low'}, ` +
      `${v.features} features, ${v.evaluation === 'split' ? 'spec split' : 'walk-forward, folds pooled'}` +
      (n > 1 ? ` (mean ± sd over ${n} seeds)` : ' (one seed)'),
    header: [
      'model',
      'MAE',
      'RMSE',
      'MAPE',
      'hit rate',
      'skill vs drift',
      'val MSE',
    ],
    rows: v.rowNames.map((name) => [
      name,
      cell(metric(name, 'mae'), fixed(2)),
      cell(metric(name, 'rmse'), fixed(2)),
      cell(metric(name, 'mape'), (x) => `${x.toFixed(2)}%`),
      cell(metric(name, 'hit'), percent),
      cell(metric(name, 'skill'), fixed(3)),
      cell(v.summary[name]!.valMse as SeedSpread, (x) => x.toExponential(2)),
    ]),
    rules: firstBaseline > 0 ? [firstBaseline] : [],
    note:
      'Price units. Hit rate: share of samples whose predicted move from ' +
      "the last close has the actual move's sign. Skill: 1 − MAE / MAE of " +
      `${DRIFT}. val MSE: ratio space, validation part.`,
  };
}

/** Which seed gave what: test MAE of max / min per model and seed. */
export function seedTable(v: VariantResult): Table {
  const names = v.rowNames.filter((r) => v.kinds[r] !== 'baseline');
  return {
    title: `Test MAE of max / min by seed (${v.features} features)`,
    header: ['model', ...v.seeds.map((s) => `seed ${s.seed}`), 'best on val'],
    rows: names.map((name) => [
      name,
      ...v.seeds.map(
        (s) =>
          `${s.rows[name]!.maeMax.toFixed(2)} / ${s.rows[name]!.maeMin.toFixed(2)}`,
      ),
      `${v.seeds.filter((s) => s.selection.best === name).length} of ${v.seeds.length}`,
    ]),
  };
}

/** Diebold-Mariano tests summarised over seeds. */
export function significanceTable(v: VariantResult, horizon: number): Table {
  const keys = new Map<string, { a: string; b: string }>();
  for (const s of v.seeds) {
    for (const c of s.comparisons) keys.set(`${c.a}|${c.b}`, c);
  }
  const rows: string[][] = [];
  for (const { a, b } of keys.values()) {
    for (const out of ['max', 'min'] as const) {
      const found = v.seeds
        .map((s) => s.comparisons.find((c) => c.a === a && c.b === b)?.[out])
        .filter((x) => x !== undefined);
      const aBetter = found.filter((d) => d.pNw < 0.05 && d.nw < 0).length;
      const bBetter = found.filter((d) => d.pNw < 0.05 && d.nw > 0).length;
      const hln = found.filter((d) => d.pHln !== null);
      rows.push([
        `${a} vs ${b}`,
        out,
        String(found.length),
        mean(found.map((d) => d.meanDifference)).toFixed(2),
        mean(found.map((d) => d.nw)).toFixed(2),
        median(found.map((d) => d.pNw)).toFixed(3),
        `${aBetter} / ${bBetter}`,
        hln.length
          ? median(hln.map((d) => d.pHln as number)).toFixed(3)
          : 'n/a',
      ]);
    }
  }
  const first = v.seeds[0]!.selection;
  return {
    title: `Diebold-Mariano tests on absolute test errors (${v.features} features, h = ${horizon})`,
    header: [
      'A vs B',
      'output',
      'seeds',
      'mean |e_A|−|e_B|',
      'mean DM (NW)',
      'median p (NW)',
      'p<0.05: A / B better',
      'median p (HLN)',
    ],
    rows,
    note:
      `First row: the best fusion against the best single-modality model, ` +
      `both chosen on validation per seed (seed ${v.seeds[0]!.seed}: ` +
      `${first.fusion} vs ${first.unimodal}). Negative statistics favour A. ` +
      `NW: Newey-West variance with Bartlett weights for lags 1..${horizon - 1}, ` +
      `N(0,1); HLN: rectangular kernel with the Harvey-Leybourne-Newbold ` +
      `correction, t(n−1).`,
  };
}

/** Walk-forward: test MAE of max / min per fold (mean over seeds). */
export function foldTable(v: VariantResult): Table | null {
  const folds = v.seeds[0]!.folds;
  if (!folds) return null;
  return {
    title: `Walk-forward: test MAE of max / min per fold (${v.features} features, mean over seeds)`,
    header: [
      'model',
      ...folds.map((f) => `fold ${f.fold} (${f.from}..${f.to})`),
    ],
    rows: v.rowNames.map((name) => [
      name,
      ...folds.map((_, k) => {
        const rows = v.seeds.map((s) => s.folds![k]!.rows[name]!);
        return `${mean(rows.map((r) => r.maeMax)).toFixed(2)} / ${mean(rows.map((r) => r.maeMin)).toFixed(2)}`;
      }),
    ]),
  };
}

/** Raw against relative features, side by side (mean test MAE). */
export function variantTable(variants: VariantResult[]): Table | null {
  if (variants.length < 2) return null;
  const names = variants[0]!.rowNames;
  return {
    title: 'Feature variants side by side: mean test MAE of max / min',
    header: ['model', ...variants.map((v) => `${v.features} features`)],
    rows: names.map((name) => [
      name,
      ...variants.map((v) => {
        const s = v.summary[name]!;
        return `${s.maeMax!.mean.toFixed(2)} / ${s.maeMin!.mean.toFixed(2)}`;
      }),
    ]),
  };
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
