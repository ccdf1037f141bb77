/**
 * `npm run bench`: runs every benchmark in its own process (fresh tfjs
 * state), merges their results into bench/results/latest.json and prints
 * one summary table of their headline ratios (modalfuse / baseline, below
 * 1 is faster), which it also writes to bench/results/latest.md.
 *
 *   npm run bench [-- --quick] [-- --only encoders,kernels]
 *
 * `--quick` (or `BENCH_QUICK=1`) runs fewer repeats and smaller grids, for
 * a smoke test of the whole command in a few minutes; `BENCH_REPEATS=n`
 * sets the repeats of every bench.
 */
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { type Headline, isQuick, machine } from './harness';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const quick = isQuick();
const only = option('only')?.split(',');
const benches = (await readdir(here))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'harness.ts'].includes(f))
  .filter((f) => only === undefined || only.includes(f.replace(/\.ts$/, '')))
  .sort();

const HEADER = [
  'bench',
  'case',
  'backend',
  'ours ms',
  'base ms',
  'baseline',
  'ratio med (min-max)',
  'goal',
  'peak ours/base, tensors',
];

const merged: Record<string, unknown> = {};
const seconds: Record<string, number> = {};
const headlines: (Headline & { bench: string })[] = [];
const started = performance.now();
for (const file of benches) {
  console.log(`\n== ${file}${quick ? ' (quick)' : ''}`);
  const t0 = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: here,
    stdio: 'inherit',
    env: { ...process.env, ...(quick ? { BENCH_QUICK: '1' } : {}) },
  });
  const name = file.replace(/\.ts$/, '');
  seconds[name] = Math.round((performance.now() - t0) / 1000);
  if (child.status !== 0) {
    console.error(`${file} failed with exit code ${child.status}`);
    process.exitCode = 1;
    merged[name] = null;
    continue;
  }
  try {
    const result = JSON.parse(
      await readFile(
        new URL(`./results/${name}.json`, import.meta.url),
        'utf8',
      ),
    ) as { headlines?: Headline[] };
    merged[name] = result;
    for (const h of result.headlines ?? [])
      headlines.push({ bench: name, ...h });
  } catch {
    merged[name] = null;
  }
}
const totalSeconds = Math.round((performance.now() - started) / 1000);

const table = summaryTable(headlines);
console.log(`\n${table}`);
console.log(
  `\n${benches.length} benches in ${totalSeconds} s ` +
    `(${Object.entries(seconds)
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')})`,
);
await writeFile(
  new URL('./results/latest.json', import.meta.url),
  `${JSON.stringify(
    {
      machine: machine(),
      quick,
      seconds: { total: totalSeconds, ...seconds },
      headlines,
      benches: merged,
    },
    null,
    2,
  )}\n`,
);
await writeFile(
  new URL('./results/latest.md', import.meta.url),
  `# Benchmarks${quick ? ' (quick)' : ''}\n\n` +
    `${JSON.stringify(machine())}\n\n${markdownTable(headlines)}\n`,
);
console.log('Wrote bench/results/latest.json and bench/results/latest.md');

function cells(h: Headline & { bench: string }): string[] {
  const ms = (v: number | null) =>
    v === null ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1);
  const r = h.ratio;
  return [
    h.bench,
    h.case,
    h.backend,
    ms(h.oursMs),
    ms(h.baselineMs),
    h.baseline,
    r === null
      ? '-'
      : `${r.median.toFixed(2)} (${r.min.toFixed(2)}-${r.max.toFixed(2)})`,
    h.goal === undefined ? '' : goalCell(h),
    memoryCell(h),
  ];
}

/** Peak MB of one call, ours / baseline, and ours' tensors before->after. */
function memoryCell(h: Headline): string {
  if (h.memory === undefined) return '';
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  const { ours, baseline } = h.memory;
  return (
    `${mb(ours.peakBytesAbove)}/${baseline ? mb(baseline.peakBytesAbove) : '-'}` +
    ` MB, ${ours.before.numTensors}->${ours.after.numTensors} tensors`
  );
}

function goalCell(h: Headline): string {
  const match = /^(<=|>=)\s*([\d.]+)/.exec(h.goal ?? '');
  if (!match || h.ratio === null) return `${h.goal ?? ''} ?`;
  const bound = Number(match[2]);
  const met =
    match[1] === '<=' ? h.ratio.median <= bound : h.ratio.median >= bound;
  return `${h.goal} ${met ? 'met' : 'NOT met'}`;
}

function summaryTable(rows: (Headline & { bench: string })[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) =>
    Math.max(...all.map((r) => (r[i] ?? '').length)),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) =>
        i >= 3 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [
    line(HEADER),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => line(cells(r))),
  ].join('\n');
}

function markdownTable(rows: (Headline & { bench: string })[]): string {
  const md = (r: string[]) => `| ${r.join(' | ')} |`;
  return [
    md(HEADER),
    md(HEADER.map(() => '---')),
    ...rows.map((r) => md(cells(r))),
  ].join('\n');
}
