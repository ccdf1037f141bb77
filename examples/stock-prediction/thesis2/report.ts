/**
 * Thesis 2 tables and verdict, rendered with the thesis-1 example's text
 * and Markdown table writers.
 */
import type { SeedSpread } from '../../../src/index';
import type { Comparison } from '../evaluate';
import { toMarkdown, toText, type Table } from '../tables';
import { BASELINES } from './baselines';
import type { DirectionCheck, RankCorrelation } from './direction';
import { DECISION_FUSION, MODELS } from './models';
import type { Thesis2Results } from './run';

/** The rendered report. */
export interface Thesis2Report {
  /** The tables, in order. */
  tables: Table[];
  /** A plain-language verdict from the seed spreads and tests. */
  verdict: string;
  /** Everything as fixed-width text. */
  text: string;
  /** Everything as Markdown. */
  markdown: string;
}

const ALPHA = 0.05;
const PRICE = MODELS.price.name;

/**
 * Builds the tables and the verdict of a run.
 *
 * @param r - The results (tables and verdict not yet filled in).
 * @returns The report.
 */
export function thesis2Report(r: Thesis2Results): Thesis2Report {
  const tables = [
    metricsTable(r, 'Max'),
    metricsTable(r, 'Min'),
    placeboTable(r),
    significanceTable(r),
    directionTable(r),
    timingTable(r),
  ].filter((t): t is Table => t !== null);
  const verdict = verdictOf(r);
  const head =
    `Thesis 2 on the DJIA and its headlines: ${r.options.seeds.length} ` +
    `seed(s), epoch cap ${r.options.epochs} (patience ${r.options.patience}), ` +
    `backend ${r.options.backend}, ${(r.totalSeconds / 60).toFixed(1)} min.`;
  const notes = r.notes.length ? `\n\n${r.notes.join('\n')}` : '';
  return {
    tables,
    verdict,
    text:
      [head, ...tables.map(toText), `Verdict: ${verdict}`].join('\n\n') + notes,
    markdown:
      [
        `# Thesis 2 results`,
        head,
        ...tables.map((t) => toMarkdown(t, 2)),
        `## Verdict`,
        verdict,
      ].join('\n\n') + notes,
  };
}

function cell(
  s: SeedSpread | undefined,
  format: (v: number) => string,
): string {
  if (!s) return 'n/a';
  return s.n > 1 ? `${format(s.mean)} ± ${format(s.std)}` : format(s.mean);
}

const fixed = (d: number) => (v: number) => v.toFixed(d);

function metricsTable(r: Thesis2Results, which: 'Max' | 'Min'): Table {
  const n = r.seeds.length;
  const firstPlacebo = r.rowNames.findIndex((x) => x.endsWith('[placebo]'));
  const firstBaseline = r.rowNames.indexOf(BASELINES.lastClose);
  return {
    title:
      `Test ${which === 'Max' ? 'highest high' : 'lowest low'} of the next ` +
      `${r.options.horizon} days (${n > 1 ? `mean ± sd over ${n} seeds` : 'one seed'})`,
    header: [
      'model',
      'MAE',
      'RMSE',
      'MAPE',
      'hit rate',
      'skill vs drift',
      'val MSE',
    ],
    rows: r.rowNames.map((name) => {
      const s = r.summary[name]!;
      return [
        name,
        cell(s[`mae${which}`], fixed(2)),
        cell(s[`rmse${which}`], fixed(2)),
        cell(s[`mape${which}`], (v) => `${v.toFixed(3)}%`),
        cell(s[`hit${which}`], (v) => `${(100 * v).toFixed(1)}%`),
        cell(s[`skill${which}`], fixed(3)),
        cell(s['valMse'], (v) => v.toExponential(3)),
      ];
    }),
    rules: [firstPlacebo, firstBaseline].filter((i) => i > 0),
    note:
      'Price units on the test part. ' +
      // Explained only when a placebo ran (not with --no-placebo).
      (firstPlacebo >= 0
        ? '[placebo]: the same model trained and tested with the news rows ' +
          'shuffled across days. '
        : '') +
      'Skill: 1 − MAE / MAE of the drift baseline. val MSE: ratio space, ' +
      'validation part.',
  };
}

/** Real news against shuffled news, and against the price-only LSTM. */
function placeboTable(r: Thesis2Results): Table | null {
  const pairs = r.rowNames.filter((n) => r.rowNames.includes(`${n} [placebo]`));
  if (pairs.length === 0) return null;
  const mae = (name: string) => {
    const s = r.summary[name]!;
    return `${s['maeMax']!.mean.toFixed(2)} / ${s['maeMin']!.mean.toFixed(2)}`;
  };
  const wins = (a: string, b: string) =>
    (['max', 'min'] as const)
      .map((out) => {
        const tests = r.seeds.map((s) => findTest(s.comparisons, a, b)?.[out]);
        const better = tests.filter(
          (t) => t && t.pNw < ALPHA && t.nw < 0,
        ).length;
        const worse = tests.filter(
          (t) => t && t.pNw < ALPHA && t.nw > 0,
        ).length;
        return `${better}/${worse}`;
      })
      .join(', ');
  return {
    title:
      'Does news help beyond chance? Test MAE of max / min (mean over seeds)',
    header: [
      'model',
      'real news',
      'shuffled news',
      `${PRICE}`,
      'vs placebo: DM wins/losses (max, min)',
      `vs ${PRICE}: DM wins/losses`,
    ],
    rows: pairs.map((name) => [
      name,
      mae(name),
      mae(`${name} [placebo]`),
      mae(PRICE),
      wins(name, `${name} [placebo]`),
      name.startsWith('Ridge') ? 'n/a' : wins(name, PRICE),
    ]),
    note:
      `Wins/losses: seeds in which the model's absolute errors were ` +
      `significantly smaller/larger (Diebold-Mariano, Newey-West, p < ${ALPHA}).`,
  };
}

function findTest(
  list: Comparison[],
  a: string,
  b: string,
): Comparison | undefined {
  return list.find((c) => c.a === a && c.b === b);
}

function significanceTable(r: Thesis2Results): Table {
  const keys = r.seeds[0]!.comparisons.map((c) => [c.a, c.b] as const);
  const rows: string[][] = [];
  for (const [a, b] of keys) {
    for (const out of ['max', 'min'] as const) {
      const per = r.seeds.map((s) => findTest(s.comparisons, a, b)![out]);
      const pooled = findTest(r.seedMean.comparisons, a, b)?.[out];
      const mean = per.reduce((s, d) => s + d.meanDifference, 0) / per.length;
      rows.push([
        `${a} vs ${b}`,
        out,
        mean.toFixed(2),
        per.map((d) => d.nw.toFixed(2)).join(' '),
        per.map((d) => d.pNw.toFixed(3)).join(' '),
        per.map((d) => (d.pHln === null ? 'n/a' : d.pHln.toFixed(3))).join(' '),
        pooled ? `${pooled.nw.toFixed(2)} (p ${pooled.pNw.toFixed(3)})` : 'n/a',
      ]);
    }
  }
  return {
    title: `Diebold-Mariano tests on absolute test errors (h = ${r.options.horizon})`,
    header: [
      'A vs B',
      'output',
      'mean |e_A|−|e_B|',
      'DM (NW) per seed',
      'p (NW) per seed',
      'p (HLN) per seed',
      'seed-mean forecasts: DM (p)',
    ],
    rows,
    note:
      'Loss d_t = |e_A,t| − |e_B,t| in price units; negative favours A. NW: ' +
      `Bartlett weights for lags 1..${r.options.horizon - 1}, N(0,1); HLN: ` +
      'rectangular kernel with the Harvey-Leybourne-Newbold correction, t(n−1).',
  };
}

function directionTable(r: Thesis2Results): Table {
  const periods: [string, DirectionCheck][] = [
    ['all', r.direction.all],
    ['train', r.direction.train],
    ['val', r.direction.val],
    ['test', r.direction.test],
  ];
  const rc = (c: RankCorrelation) =>
    `${c.rho.toFixed(4)} (p ${c.p.toFixed(3)})`;
  const row = (label: string, pick: (d: DirectionCheck) => RankCorrelation) => [
    label,
    ...periods.map(([, d]) => rc(pick(d))),
  ];
  return {
    title: 'Direction check: Spearman rho (p) of news sentiment and returns',
    header: [
      'signal',
      ...periods.map(([p, d]) => `${p} (${d.dates[0]}..${d.dates[1]})`),
    ],
    rows: [
      row('(a) sent_mean_t vs r_t+1', (d) => d.nextDaySentMean),
      row('(b) sign(sent_mean_t) vs r_t+1', (d) => d.nextDaySignSentMean),
      row(
        '(c) sign(sent_mean_t − train median) vs r_t+1',
        (d) => d.nextDaySignRelTrainMedian,
      ),
      row('net tone (pos − neg share) vs r_t+1', (d) => d.nextDayNetTone),
      row('(d) sent_mean_t vs same-day r_t', (d) => d.sameDaySentMean),
      [
        'hit rate of sign (c) vs sign r_t+1 (binomial p; share up)',
        ...periods.map(
          ([, d]) =>
            `${(100 * d.hitRate.rate).toFixed(1)}% of ${d.hitRate.n} ` +
            `(p ${d.hitRate.binomP.toFixed(3)}; ${(100 * d.hitRate.shareUpDays).toFixed(1)}%)`,
        ),
      ],
    ],
    note: `Training median of sent_mean: ${r.direction.trainMedian.toFixed(5)}.`,
  };
}

function timingTable(r: Thesis2Results): Table {
  const names = r.rowNames.filter(
    (n) =>
      !n.startsWith(DECISION_FUSION) &&
      typeof r.seeds[0]!.training[n]?.['msPerStep'] === 'number',
  );
  const mean = (name: string, key: string) => {
    const values = r.seeds.map((s) => Number(s.training[name]?.[key]));
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  return {
    title: `Training and inference time (${r.options.backend}, mean over seeds)`,
    header: [
      'model',
      'epochs run',
      'train wall (s)',
      'ms per step',
      'inference µs per sample',
      'parameters',
    ],
    rows: names.map((n) => [
      n,
      mean(n, 'epochsRun').toFixed(1),
      mean(n, 'trainSeconds').toFixed(1),
      mean(n, 'msPerStep').toFixed(1),
      (1000 * mean(n, 'inferenceMsPerSample')).toFixed(0),
      String(r.seeds[0]!.training[n]!['parameters']),
    ]),
    note:
      'Train wall includes the per-epoch validation. A step is batch gather, ' +
      'forward, backward and the Adam update. The decision fusion reuses the ' +
      'price and news models.',
  };
}

/** One paragraph from the seed spreads and the tests, never one seed. */
function verdictOf(r: Thesis2Results): string {
  const n = r.seeds.length;
  const s = r.summary;
  const caution =
    n === 1
      ? ' With one seed there is no spread: read this as a smoke test.'
      : '';
  const mae = (name: string, which: 'Max' | 'Min') =>
    s[name]?.[`mae${which}`]?.mean;
  const parts: string[] = [];
  const models = r.rowNames.filter(
    (x) =>
      !x.endsWith('[placebo]') &&
      r.seeds[0]!.notes[x] !== undefined &&
      !Object.values(BASELINES).includes(x as never),
  );
  const best = [...models].sort(
    (a, b) => s[a]!['valMse']!.mean - s[b]!['valMse']!.mean,
  )[0]!;
  parts.push(
    `Over ${n} seed${n > 1 ? 's' : ''}, validation ranks ${best} first among the ` +
      `networks; its test MAE is ${mae(best, 'Max')!.toFixed(1)} (max) and ` +
      `${mae(best, 'Min')!.toFixed(1)} (min), against ${mae(PRICE, 'Max')!.toFixed(1)} ` +
      `and ${mae(PRICE, 'Min')!.toFixed(1)} for ${PRICE}, and ` +
      `${mae(BASELINES.drift, 'Max')!.toFixed(1)} and ${mae(BASELINES.drift, 'Min')!.toFixed(1)} ` +
      `for the drift baseline.`,
  );

  // Seeds in which A is significantly better (sign -1) or worse (+1) than
  // B on one output.
  const count = (a: string, b: string, out: 'max' | 'min', sign: 1 | -1) =>
    r.seeds.filter((seed) => {
      const t = findTest(seed.comparisons, a, b)?.[out];
      return t !== undefined && t.pNw < ALPHA && sign * t.nw > 0;
    }).length;
  const outputs = ['max', 'min'] as const;
  // A win: better in most seeds on some output, and significantly worse in
  // no seed on either output. Mixed: significant wins and losses both.
  const judge = (a: string, b: string): 'win' | 'mixed' | 'none' => {
    const better = outputs.map((o) => count(a, b, o, -1));
    const worse = outputs.map((o) => count(a, b, o, 1));
    const anyWorse = worse.some((k) => k > 0);
    if (better.some((k) => k > n / 2) && !anyWorse) return 'win';
    return better.some((k) => k > 0) && anyWorse ? 'mixed' : 'none';
  };
  const verdicts = (against: (m: string) => string | null) => {
    const win: string[] = [];
    const mixed: string[] = [];
    for (const m of models.filter((x) => x !== PRICE)) {
      const b = against(m);
      if (b === null) continue;
      const v = judge(m, b);
      if (v === 'win') win.push(m);
      if (v === 'mixed') mixed.push(m);
    }
    return { win, mixed };
  };
  const mixedNote = (mixed: string[]) =>
    mixed.length
      ? ` Mixed (significantly better in some seeds or outputs, ` +
        `significantly worse in others): ${mixed.join(', ')}.`
      : '';
  const helped = verdicts(() => PRICE);
  parts.push(
    (helped.win.length
      ? `${helped.win.join(', ')} beat${helped.win.length === 1 ? 's' : ''} ${PRICE} ` +
        `(Diebold-Mariano, p < ${ALPHA}, in most seeds on one output and ` +
        `significantly worse in no seed).`
      : `No news model beats ${PRICE} significantly in most seeds on one ` +
        `output without being significantly worse in some seed.`) +
      mixedNote(helped.mixed),
  );
  const placebos = r.rowNames.some((x) => x.endsWith('[placebo]'));
  if (placebos) {
    const real = verdicts((m) =>
      s[`${m} [placebo]`] ? `${m} [placebo]` : null,
    );
    parts.push(
      (real.win.length
        ? `Against shuffled news, ${real.win.join(', ')} ` +
          `${real.win.length === 1 ? 'is' : 'are'} significantly better in most ` +
          `seeds and worse in none, so the day's news carries information ` +
          `beyond chance there.`
        : `No news model is significantly better with the real news than ` +
          `with the news shuffled across days in most seeds without being ` +
          `worse in some: the table gives no clear evidence that the ` +
          `headlines help beyond chance.`) + mixedNote(real.mixed),
    );
  }
  const d = r.direction.all;
  parts.push(
    `Direction check over all days: next-day rank correlation of sent_mean ` +
      `${d.nextDaySentMean.rho.toFixed(4)} (p ${d.nextDaySentMean.p.toFixed(2)}), hit rate ` +
      `of the tone's sign ${(100 * d.hitRate.rate).toFixed(1)}% against ` +
      `${(100 * d.hitRate.shareUpDays).toFixed(1)}% up days (p ${d.hitRate.binomP.toFixed(2)}).`,
  );
  return parts.join(' ') + caution;
}
