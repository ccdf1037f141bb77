/**
 * `npm run example`: the thesis-1 stock-prediction design on real prices;
 * with `--news`, thesis 2 (daily news sentiment and prices).
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import cliProgress from 'cli-progress';

import { setLogLevel } from '../../src/index';
import { USAGE, parseOptions } from './options';
import { thesis2Main } from './thesis2/cli';
import { terminalReport } from './report-md';
import { runExperiment } from './run';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  // `--news` selects thesis 2 (news sentiment and prices on the DJIA data),
  // which has its own options; see thesis2/options.ts.
  if (argv.some((a) => a === '--news' || a.startsWith('--news='))) {
    return thesis2Main(argv);
  }
  const options = parseOptions(argv);
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  setLogLevel('warn');
  if (options.backend === 'cpu') {
    console.warn(
      'note: the cpu backend trains the CNN about 20 times slower than ' +
        'wasm (10-20 s per step); a default run takes over an hour',
    );
  }
  console.log(
    `modalfuse stock prediction: backend ${options.backend}, seed ${options.seed}, ` +
      `epoch cap ${options.epochs}${options.full ? ' (--full)' : options.quick ? ' (--quick)' : ''}, ` +
      `early stopping patience ${options.patience}, batch ${options.batchSize}, ` +
      `${options.seeds} seed${options.seeds > 1 ? 's' : ''}, features ` +
      `${options.features.join(' and ')}` +
      (options.walkForward > 0
        ? `, ${options.walkForward} walk-forward folds`
        : ''),
  );

  let bar: cliProgress.SingleBar | null = null;
  const result = await runExperiment(options, {
    stage: (text) => console.log(`\n${text}`),
    warn: (text) => console.warn(`warning: ${text}`),
    modelStart: (name, epochs, batches) => {
      console.log(
        `\nTraining ${name} (at most ${epochs} epochs of ${batches} batches)`,
      );
      bar = new cliProgress.SingleBar(
        {
          format: `  ${name.padEnd(14)} {bar} epoch {epoch}/{epochs} batch {value}/{total} loss {loss} val {val}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { epoch: 1, epochs, loss: '-', val: '-' });
    },
    batch: (_name, log) =>
      bar?.update(log.batch, {
        epoch: log.epoch,
        loss: log.loss.toExponential(2),
      }),
    epoch: (_name, log) => {
      bar?.update({ val: log.valLoss?.toExponential(3) ?? '-' });
      if (!process.stdout.isTTY) {
        console.log(
          `  epoch ${log.epoch}: loss ${log.loss.toExponential(3)}, ` +
            `val ${log.valLoss?.toExponential(3)}${log.improved ? ' *' : ''}, ${(log.ms / 1000).toFixed(1)} s`,
        );
      }
    },
    modelEnd: (name, history) => {
      bar?.stop();
      bar = null;
      console.log(
        `  ${name}: ${history.epochs.length} epochs in ${(history.totalMs / 1000).toFixed(1)} s ` +
          `(${history.meanStepMs.toFixed(0)} ms per step), best epoch ${history.bestEpoch}` +
          (history.stoppedEarly ? ', stopped early' : ''),
      );
    },
  });

  console.log(`\n${terminalReport(options, result)}`);
  console.log(
    `\nTotal ${(result.totalSeconds / 60).toFixed(1)} minutes. Wrote:\n  ` +
      result.files.join('\n  '),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `\nerror: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
