/**
 * `npx tsx examples/phrasebank/main.ts`: trains a text encoder on the
 * Financial PhraseBank and compares it with the VADER lexicon on held-out
 * sentences.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { setLogLevel } from '../../src/index';
import { USAGE, parsePhraseBankArgs } from './options';
import { phraseBankTable, runPhraseBank } from './run';

async function main(): Promise<number> {
  const { help, ...options } = parsePhraseBankArgs(process.argv.slice(2));
  if (help) {
    console.log(USAGE);
    return 0;
  }
  setLogLevel('warn');
  const result = await runPhraseBank(options, (log) =>
    console.log(
      `  epoch ${log.epoch}: loss ${log.loss.toFixed(4)}, val ` +
        `${log.valLoss?.toFixed(4)}${log.improved ? ' *' : ''}, ` +
        `${(log.ms / 1000).toFixed(1)} s`,
    ),
  );
  console.log(`\n${phraseBankTable(result)}`);
  console.log(`\nTotal ${result.seconds.toFixed(0)} s.`);
  result.classifier.model.dispose();
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
