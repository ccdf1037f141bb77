/**
 * `npx tsx examples/hybrid-fusion/main.ts`: one model that fuses early,
 * intermediate and late at once, on the S&P 500 file of vega-datasets.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';

import { FUSION_KINDS, setLogLevel, type FusionKind } from '../../src/index';
import { formatRobustnessReport } from '../../src/index';
import { runHybrid } from './run';

const USAGE = `Usage: npx tsx examples/hybrid-fusion/main.ts [options]

Trains one hybrid-fusion model (price and indicator windows fused early
into an LSTM, that encoding fused with a trend table by a fusion operator,
and the fused and unimodal predictions averaged with learned weights) to
predict the next 20 sessions' highest high and lowest low relative to
today's close, and reports it against baselines and under missing and
noisy modalities.

Options:
  --prices FILE     daily OHLCV CSV (default: S&P 500 2000-2020 from vega-datasets)
  --fusion KIND     intermediate operator: ${FUSION_KINDS.join(', ')} (default gated)
  --epochs N        epoch cap (default 12)
  --backend NAME    cpu or wasm (default wasm)
  --seed N          seed (default 0)
  --quick           the last 1500 sessions and 3 epochs
  --help            this text
`;

const DEFAULT_PRICES = fileURLToPath(
  new URL(
    '../../node_modules/vega-datasets/data/sp500-2000.csv',
    import.meta.url,
  ),
);

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      prices: { type: 'string', default: DEFAULT_PRICES },
      fusion: { type: 'string', default: 'gated' },
      epochs: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      seed: { type: 'string', default: '0' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const fusion = values.fusion as FusionKind;
  if (!FUSION_KINDS.includes(fusion)) {
    console.error(`--fusion: expected one of ${FUSION_KINDS.join(', ')}`);
    return 2;
  }
  if (values.backend !== 'cpu' && values.backend !== 'wasm') {
    console.error('--backend: expected cpu or wasm');
    return 2;
  }
  const epochs = Number(values.epochs ?? (values.quick ? 3 : 12));
  const seed = Number(values.seed);
  if (!Number.isInteger(epochs) || epochs < 1 || !Number.isInteger(seed)) {
    console.error('--epochs and --seed: expected integers (epochs >= 1)');
    return 2;
  }
  setLogLevel('warn');
  await tf.setBackend(values.backend);
  await tf.ready();
  console.log(
    `hybrid fusion: ${fusion} operator, backend ${values.backend}, seed ` +
      `${seed}, at most ${epochs} epochs${values.quick ? ' (--quick)' : ''}`,
  );

  const result = await runHybrid({
    prices: values.prices,
    fusion,
    epochs,
    patience: 3,
    batchSize: 64,
    seed,
    ...(values.quick ? { lastRows: 1500 } : {}),
    onEpochEnd: (log) =>
      console.log(
        `  epoch ${log.epoch}: loss ${log.loss.toFixed(4)}, val ` +
          `${log.valLoss?.toFixed(4)}${log.improved ? ' *' : ''} ` +
          `(${(log.ms / 1000).toFixed(1)} s)`,
      ),
  });

  const { train, val, test } = result.sizes;
  console.log(
    `\nSamples: train ${train}, validation ${val}, test ${test}; best ` +
      `epoch ${result.epochs.best} of ${result.epochs.run}`,
  );
  console.log('\nTest MAE, percentage points of the close:');
  console.log(
    `  ${'model'.padEnd(16)} ${'max'.padStart(7)} ${'min'.padStart(7)}`,
  );
  for (const row of result.scores) {
    console.log(
      `  ${row.name.padEnd(16)} ${row.maeMax.toFixed(3).padStart(7)} ` +
        `${row.maeMin.toFixed(3).padStart(7)}`,
    );
  }
  console.log('\nLearned decision weights [max, min]:');
  for (const [branch, w] of Object.entries(result.decisionWeights)) {
    console.log(
      `  ${branch.padEnd(8)} ${w.map((v) => v.toFixed(3)).join(', ')}`,
    );
  }
  console.log('\nRobustness on the test part (presence mask and noise):');
  console.log(formatRobustnessReport(result.robustness, 3));
  return 0;
}

process.exitCode = await main();
