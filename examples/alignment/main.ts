/**
 * `npx tsx examples/alignment/main.ts`: representation and alignment on
 * real data, DJIA price windows against the day's news headlines.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { setLogLevel } from '../../src/index';
import { USAGE, parseOptions } from './options';
import { runAlignment } from './run';

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  setLogLevel('warn');
  console.log(
    `modalfuse alignment: backend ${options.backend}, seed ${options.seed}, ` +
      `${options.epochs} epochs per model${options.quick ? ' (--quick)' : ''}`,
  );
  const result = await runAlignment(options, {
    stage: (text) => console.log(`\n${text}`),
    epoch: (_model, text) => console.log(`  ${text}`),
  });
  const { counts, testDates } = result;
  console.log(
    `\nSessions ${counts.sessions}: train ${counts.train}, validation ` +
      `${counts.val}, test ${counts.test} ` +
      `(${testDates[0]} to ${testDates[1]}), ` +
      `purged windows between parts.`,
  );
  console.log(
    "\nHeld-out test days. p→n: a day's price window retrieves its " +
      'headlines among all test days; n→p the reverse. test ρ: correlations ' +
      'of canonical pairs fitted on the training days.\n',
  );
  console.log(result.table);
  const n = counts.test;
  console.log(
    `\nSampling noise on ${n} test days: a correlation about ±` +
      `${(1 / Math.sqrt(n)).toFixed(3)} (1/√n), recall@10 about ±` +
      `${(100 * Math.sqrt(((10 / n) * (1 - 10 / n)) / n)).toFixed(1)} ` +
      `points. train Σρ is in-sample: the gap to test Σρ is overfitting.`,
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
