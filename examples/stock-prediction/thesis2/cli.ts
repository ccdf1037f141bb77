/**
 * The thesis-2 command line, shared by `thesis2/main.ts` and by
 * `npm run example -- --news ...`.
 */
import cliProgress from 'cli-progress';

import { setLogLevel } from '../../../src/index';
import { THESIS2_USAGE, parseThesis2Args } from './options';
import { runThesis2, type Thesis2Hooks } from './run';

/** Progress bars on a terminal, one line per epoch otherwise. */
export function terminalHooks(): Thesis2Hooks {
  let bar: cliProgress.SingleBar | null = null;
  return {
    stage: (text) => console.log(`\n${text}`),
    modelStart: (name, epochs, batches) => {
      if (!process.stdout.isTTY) {
        console.log(
          `Training ${name} (at most ${epochs} epochs of ${batches} batches)`,
        );
        return;
      }
      bar = new cliProgress.SingleBar(
        {
          format: `  ${name.padEnd(40)} {bar} epoch {epoch}/{epochs} batch {value}/{total} val {val}`,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { epoch: 1, epochs, val: '-' });
    },
    batch: (_name, log) => bar?.update(log.batch, { epoch: log.epoch }),
    epoch: (_name, log) =>
      bar?.update({ val: log.valLoss?.toExponential(3) ?? '-' }),
    modelEnd: (name, history) => {
      bar?.stop();
      bar = null;
      console.log(
        `  ${name}: ${history.epochs.length} epochs in ` +
          `${(history.totalMs / 1000).toFixed(1)} s (${history.meanStepMs.toFixed(0)} ms ` +
          `per step), best epoch ${history.bestEpoch}${history.stoppedEarly ? ', stopped early' : ''}`,
      );
    },
  };
}

/**
 * Runs thesis 2 from command-line arguments (those of
 * {@link THESIS2_USAGE}); `npm run example -- --news ...` lands here too.
 *
 * @returns The exit code.
 */
export async function thesis2Main(argv: string[]): Promise<number> {
  const options = parseThesis2Args(argv);
  if (options === 'help') {
    console.log(THESIS2_USAGE);
    return 0;
  }
  setLogLevel('warn');
  const result = await runThesis2(options, terminalHooks());
  console.log(`\n${result.report.text}`);
  console.log(`\nWrote:\n  ${result.files.join('\n  ')}`);
  return 0;
}
