import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';

import { parseOptions } from '../../examples/stock-prediction/options';
import { runExperiment } from '../../examples/stock-prediction/run';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = join(root, '../shared/data/tsmc-2330-twse');
const dirs: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'modalfuse-example-'));
  dirs.push(dir);
  return dir;
}
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
  const svg = await readFile(join(out, 'plot.svg'), 'utf8');
  return { result, json, svg };
}

describe('stock-prediction example, --quick', () => {
  it('trains every model on the default S&P 500 data and writes the table and files', async () => {
    const { result, json, svg } = await quickRun([]);
    expect(result.rows.map((r) => r.name)).toEqual([...MODELS, ...BASELINES]);
    for (const row of result.rows) {
      for (const m of [row.max, row.min]) {
        expect(Number.isFinite(m.mae) && m.mae > 0).toBe(true);
        expect(m.rmse).toBeGreaterThanOrEqual(m.mae);
      }
    }
    expect(result.table).toContain('MAE max');
    expect(json.rows).toHaveLength(8);
    expect(json.summary.data.features).toHaveLength(13);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Highest high');
  });

  it.skipIf(!existsSync(shared))(
    'runs on the TSMC prices with institutional net-buy features',
    async () => {
      const { result, json } = await quickRun([
        '--prices',
        join(shared, 'tsmc_daily_closing_price.csv'),
        '--flows',
        join(shared, 'tsmc_institutional_buy_and_sell.csv'),
      ]);
      expect(json.summary.data.features).toHaveLength(18);
      expect(json.summary.data.features.slice(13)).toEqual([
        'net_Foreign_Investor',
        'net_Foreign_Dealer_Self',
        'net_Investment_Trust',
        'net_Dealer_self',
        'net_Dealer_Hedging',
      ]);
      expect(result.rows).toHaveLength(8);
    },
  );
});

describe('stock-prediction example, command line', () => {
  const run = async (args: string[]) => {
    try {
      await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'examples/stock-prediction/main.ts', ...args],
        { cwd: root },
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
    expect(column.stderr).toMatch(/error: prices: .*close/i);
    expect(column.stderr).not.toMatch(/\n\s+at /);

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
      /^error: prices: 50 sessions are too few; .* at least 114 sessions$/,
    );
  });

  it('rejects unknown options and bad values with the usage', async () => {
    const bad = await run(['--epochs', 'three']);
    expect(bad.stderr).toMatch(
      /--epochs: expected an integer >= 1, received 'three'/,
    );
    const unknown = await run(['--bogus']);
    expect(unknown.stderr).toMatch(/Unknown option '--bogus'/);
    expect(unknown.stderr).toMatch(/Usage: npm run example/);
  });
});
