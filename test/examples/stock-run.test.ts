import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chronologicalSplit } from '../../src/index';
import {
  makeSplit,
  prepareSamples,
  type Part,
  type SplitData,
} from '../../examples/stock-prediction/dataset';
import { trainAndPredict } from '../../examples/stock-prediction/experiment';
import {
  DEFAULT_PRICES,
  parseOptions,
} from '../../examples/stock-prediction/options';
import { runExperiment } from '../../examples/stock-prediction/run';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = join(root, '../shared/data/tsmc-2330-twse');
const dirs: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'modalfuse-example-'));
  dirs.push(dir);
  return dir;
}
beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const MODELS = ['LSTM', 'CNN', 'Feature fusion', 'Decision fusion'];
const BASELINES = [
  'Last close',
  'Trailing max/min',
  'Ridge (window)',
  'Drift (train mean)',
];

async function quickRun(extra: string[]) {
  const out = await tempDir();
  const options = parseOptions(['--quick', '--out', out, ...extra]);
  if (options === 'help') throw new Error('unexpected help');
  const result = await runExperiment(options);
  const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
  const report = await readFile(join(out, 'report.md'), 'utf8');
  return { result, json, report, out };
}

describe('stock-prediction example, --quick', () => {
  it('trains every model on the default S&P 500 data and writes the tables, report and plot', async () => {
    const { result, json, report, out } = await quickRun([]);
    const v = result.variants[0]!;
    expect(v.rowNames).toEqual([...MODELS, ...BASELINES]);
    for (const name of v.rowNames) {
      const row = v.seeds[0]!.rows[name]!;
      for (const [k, value] of Object.entries(row)) {
        expect(Number.isFinite(value), `${name} ${k}`).toBe(true);
      }
      expect(row.rmseMax).toBeGreaterThanOrEqual(row.maeMax);
      expect(row.hitMax).toBeGreaterThanOrEqual(0);
      expect(row.hitMax).toBeLessThanOrEqual(1);
    }
    expect(v.seeds[0]!.rows['Drift (train mean)']!.skillMax).toBe(0);
    expect(json.data.features).toHaveLength(13);
    expect(report).toContain('## raw features');
    expect(report).toMatch(
      /Verdict \(raw features\): With raw features over one seed, validation ranks/,
    );
    // One seed cannot show a win beyond seed noise, whatever the tests say.
    expect(report).toMatch(/with one seed there is no spread to judge seed/);
    expect(report).not.toMatch(/does win beyond seed noise/);
    expect(report).toContain('Diebold-Mariano tests on absolute test errors');
    const svg = await readFile(join(out, 'plot-raw.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
  });

  it.skipIf(!existsSync(shared))(
    'runs on the TSMC prices with institutional net-buy features',
    async () => {
      const { result, json } = await quickRun([
        '--epochs',
        '1',
        '--prices',
        join(shared, 'tsmc_daily_closing_price.csv'),
        '--flows',
        join(shared, 'tsmc_institutional_buy_and_sell.csv'),
      ]);
      expect(json.data.features).toHaveLength(18);
      expect(json.data.features.slice(13)).toEqual([
        'net_Foreign_Investor',
        'net_Foreign_Dealer_Self',
        'net_Investment_Trust',
        'net_Dealer_self',
        'net_Dealer_Hedging',
      ]);
      expect(result.variants[0]!.rowNames).toHaveLength(8);
    },
  );

  it('runs walk-forward folds with per-fold and pooled metrics', async () => {
    const { result, report } = await quickRun([
      '--epochs',
      '1',
      '--walk-forward',
      '2',
      '--features',
      'relative',
    ]);
    const v = result.variants[0]!;
    expect(v.evaluation).toBe('walk-forward');
    const seed = v.seeds[0]!;
    expect(seed.folds).toHaveLength(2);
    expect(seed.folds![0]!.to < seed.folds![1]!.from).toBe(true);
    expect(report).toContain('Walk-forward: test MAE of max / min per fold');
  });
});

describe('stock-prediction example, validation-only choices and reproducibility', () => {
  let data: ReturnType<typeof prepareSamples>;
  let split: SplitData;
  beforeAll(async () => {
    data = prepareSamples({
      pricesText: await readFile(DEFAULT_PRICES, 'utf8'),
      window: 20,
      horizon: 20,
      lastRows: 500,
    });
    split = makeSplit(
      data,
      chronologicalSplit(data.samples.t.length, { purge: 19 }),
    );
  });
  const shapes = () => ({
    price: [20, 13] as [number, number],
    chart: [64, 64, 1] as [number, number, number],
  });
  const options = {
    epochs: 1,
    patience: 5,
    batchSize: 64,
    fusions: ['concat' as const],
  };

  it('gives identical predictions for the same seed, and never looks at test rows to choose', async () => {
    const a = await trainAndPredict(split, shapes(), 3, options);
    const b = await trainAndPredict(split, shapes(), 3, options);
    expect(b.predictions).toEqual(a.predictions);

    // The same run with every test input and label replaced by garbage:
    // every validation prediction, fusion weight and ridge penalty is
    // unchanged, so no choice looked at the test rows.
    const poison = (p: Part): Part => ({
      ...p,
      windows: p.windows.map((_, i) => (i % 7) * 1e3),
      charts: p.charts.map((_, i) => i % 2),
      labels: p.labels.map(() => 5),
      y: p.y.map(() => [5, -5]),
      closeT: p.closeT.map(() => 1),
      trailing: p.trailing.map(() => [2, 0.5]),
    });
    const poisoned = {
      ...split,
      parts: { ...split.parts, test: poison(split.parts.test) },
    };
    const c = await trainAndPredict(poisoned, shapes(), 3, options);
    for (const name of Object.keys(a.predictions)) {
      expect(c.predictions[name]!.val, name).toEqual(a.predictions[name]!.val);
      expect(c.predictions[name]!.note, name).toBe(a.predictions[name]!.note);
    }
    expect(c.training['Decision fusion']).toEqual(
      a.training['Decision fusion'],
    );
  });
});

describe('stock-prediction example, command line', () => {
  const run = async (args: string[]) => {
    try {
      await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'examples/stock-prediction/main.ts', ...args],
        {
          cwd: root,
        },
      );
      return { code: 0, stderr: '' };
    } catch (error) {
      const e = error as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr };
    }
  };

  it('reports a missing file, a missing column and too few rows in one line', async () => {
    const dir = await tempDir();
    const missing = await run(['--prices', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(
      /^error: prices: cannot read '.*nope\.csv' \(no such file\)$/,
    );

    const noClose = join(dir, 'no-close.csv');
    await writeFile(
      noClose,
      'date,open,high,low,volume\n2020-01-02,1,2,0.5,10\n',
    );
    const column = await run(['--prices', noClose]);
    expect(column.code).toBe(1);
    expect(column.stderr.trim()).toMatch(
      /^error: prices: expected a column named "close"/,
    );

    const short = join(dir, 'short.csv');
    const lines = ['date,open,high,low,close,volume'];
    for (let d = 0; d < 50; d++) {
      const date = new Date(Date.UTC(2020, 0, 1 + d))
        .toISOString()
        .slice(0, 10);
      lines.push(`${date},1,2,0.5,1.5,10`);
    }
    await writeFile(short, lines.join('\n'));
    const few = await run(['--prices', short]);
    expect(few.code).toBe(1);
    expect(few.stderr.trim()).toMatch(
      /^error: prices: 50 sessions are too few; .* at least 206 sessions$/,
    );

    const folds = await run(['--quick', '--walk-forward', '40']);
    expect(folds.stderr.trim()).toMatch(
      /^error: walkForwardFolds: \d+ samples are too few for 40 folds/,
    );
  });

  it('rejects unknown options and bad values with the usage', async () => {
    const bad = await run(['--epochs', 'three']);
    expect(bad.stderr).toMatch(
      /--epochs: expected an integer >= 1, received 'three'/,
    );
    const features = await run(['--features', 'log']);
    expect(features.stderr).toMatch(
      /--features: expected raw, relative or both, received 'log'/,
    );
    const unknown = await run(['--bogus']);
    expect(unknown.stderr).toMatch(/Unknown option '--bogus'/);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/run with --help to see the options/);
    const blank = await run(['--seed', ' ']);
    expect(blank.stderr).toMatch(
      /--seed: expected an integer >= 0, received ' '/,
    );
    const out = await run(['--quick', '--out', '/dev/null/x']);
    expect(out.stderr.trim()).toMatch(
      /^error: --out: cannot create the directory '\/dev\/null\/x' \(ENOTDIR\)$/,
    );
  });
});
