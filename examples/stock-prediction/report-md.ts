/**
 * The written report: every table, the verdict and the plots, as Markdown
 * (report.md) and as terminal text.
 */
import type { RunOptions } from './options';
import type { RunResults, VariantResult } from './run';
import {
  foldTable,
  seedTable,
  significanceTable,
  spreadTable,
  toMarkdown,
  toText,
  variantTable,
  type Table,
} from './tables';
import { verdict } from './verdict';

/** The tables and verdict of one variant, in print order. */
function sections(v: VariantResult, options: RunOptions): (Table | string)[] {
  const out: (Table | string)[] = [
    spreadTable(v, 'Max'),
    spreadTable(v, 'Min'),
  ];
  if (v.seeds.length > 1) out.push(seedTable(v));
  const folds = foldTable(v);
  if (folds) out.push(folds);
  out.push(significanceTable(v, options.horizon));
  out.push(`Verdict (${v.features} features): ${verdict(v)}`);
  return out;
}

/** Everything printed at the end of a run. */
export function terminalReport(
  options: RunOptions,
  results: RunResults,
): string {
  const blocks: string[] = [];
  for (const v of results.variants) {
    for (const s of sections(v, options)) {
      blocks.push(typeof s === 'string' ? wrap(s, 78) : toText(s));
    }
  }
  const side = variantTable(results.variants);
  if (side) blocks.push(toText(side));
  return blocks.join('\n\n');
}

/** The Markdown report. */
export function writeReport(options: RunOptions, results: RunResults): string {
  const d = results.data as {
    prices: string;
    flows: string | null;
    sessions: number;
    firstDate: string;
    lastDate: string;
    features: string[];
    samples: number;
    splits: { train: string; val: string; test: string }[];
  };
  const seeds = results.variants[0]!.seeds.map((s) => s.seed);
  const lines: string[] = [
    '# Stock prediction: thesis-1 design on real prices',
    '',
    `- Data: \`${d.prices}\`${d.flows ? ` with flows \`${d.flows}\`` : ''}, ` +
      `${d.sessions} sessions ${d.firstDate}..${d.lastDate}, ` +
      `${d.samples} samples, ${d.features.length} features.`,
    `- Window ${options.window}, horizon ${options.horizon}, ` +
      `${options.horizon - 1} samples purged before each boundary.`,
    `- Evaluation: ${options.walkForward > 0 ? `walk-forward, ${options.walkForward} folds` : "the spec's 70/15/15 split"}.`,
    ...d.splits.map(
      (s, k) =>
        `  - ${d.splits.length > 1 ? `fold ${k + 1}: ` : ''}train ${s.train}; ` +
        `validation ${s.val}; test ${s.test}.`,
    ),
    `- Training: epoch cap ${options.epochs}, early-stopping patience ` +
      `${options.patience}, batch ${options.batchSize}, seeds ` +
      `${seeds.join(', ')}, backend ${options.backend}.`,
    `- Wall time ${(results.totalSeconds / 60).toFixed(1)} minutes.`,
    '',
    'Every choice (fusion weights, ridge penalty, early-stopping epoch, ' +
      '"best" models) is made on the validation part; the test part is ' +
      'only scored.',
  ];
  for (const v of results.variants) {
    lines.push('', `## ${v.features} features`, '');
    for (const s of sections(v, options)) {
      lines.push(typeof s === 'string' ? s : toMarkdown(s), '');
    }
    lines.push(`![predicted vs actual](plot-${v.features}.svg)`, '');
  }
  const side = variantTable(results.variants);
  if (side) lines.push('', toMarkdown(side, 2), '');
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, width: number): string {
  const words = text.split(/\s+/);
  const out: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length + 1 > width && line) {
      out.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) out.push(line);
  return out.join('\n');
}
