/**
 * `npx tsx examples/colearning/main.ts`: co-learning on real data, the
 * DJIA's next-day direction from price windows and news headlines with 5%
 * of the labels.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { setLogLevel } from '../../src/index';
import { USAGE, parseOptions } from './options';
import { runCoLearning } from './run';

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  setLogLevel('warn');
  console.log(
    `modalfuse co-learning: backend ${options.backend}, seeds ` +
      `${options.seed}..${options.seed + options.seeds - 1}, ` +
      `${options.epochs} epochs per training, ${100 * options.labelFraction}% ` +
      `of the training labels${options.quick ? ' (--quick)' : ''}`,
  );
  const result = await runCoLearning(options, {
    stage: (text) => console.log(`\n${text}`),
    round: (text) => console.log(`  ${text}`),
  });
  const { counts, testDates } = result;
  console.log(
    `\nTraining days ${counts.trainDays}: ${counts.labelled} labelled, ` +
      `${counts.unlabelled} unlabelled; validation ${counts.val}; test ` +
      `${counts.test} (${testDates[0]} to ${testDates[1]}); 19 days purged ` +
      `before each boundary. Co-training stopped: ` +
      result.seeds.map((s) => `seed ${s.seed} ${s.result.stop}`).join(', ') +
      '.',
  );
  console.log(
    '\nHeld-out test days: direction of the next close. Balanced accuracy ' +
      'is the mean of the up-day and down-day recall (50% for any constant ' +
      'guess); s.e. is the standard error of a 50% rate on the test days' +
      (options.seeds > 1
        ? `, ± the standard deviation over ${options.seeds} seeds.\n`
        : '.\n'),
  );
  console.log(result.table);
  const pct = (x: number | null) =>
    x === null ? 'none given' : `${(100 * x).toFixed(1)}% right`;
  console.log(
    `\nPseudo-labels over all seeds and rounds: from the price model ` +
      `${pct(result.pseudoLabelAccuracy.price)}, from the news model ` +
      `${pct(result.pseudoLabelAccuracy.news)}.`,
  );
  console.log(`\nTotal ${result.totalSeconds.toFixed(0)} s.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `error: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
