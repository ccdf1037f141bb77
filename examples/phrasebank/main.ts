/**
 * `npx tsx examples/phrasebank/main.ts`: trains a text encoder on the
 * Financial PhraseBank and compares it with the VADER lexicon on held-out
 * sentences.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { parseArgs } from 'node:util';

import { setLogLevel } from '../../src/index';
import { ENCODER_KINDS, type EncoderKind } from './classifier';
import { AGREEMENTS, DEFAULT_PHRASEBANK } from './data';
import { phraseBankTable, runPhraseBank } from './run';

const USAGE = `Usage: npx tsx examples/phrasebank/main.ts [options]

Trains a text encoder (embedding + CNN, BiLSTM or transformer) to classify
Financial PhraseBank sentences as negative, neutral or positive, and scores
it against the VADER lexicon on the same held-out 15%.

Options:
  --data DIR         FinancialPhraseBank-v1.0 folder
                     (default ${DEFAULT_PHRASEBANK})
  --agreement A      50, 66, 75 or All (default 50: all 4846 sentences)
  --encoder KIND     cnn, bilstm or transformer (default cnn)
  --epochs N         epoch cap with early stopping (default 20)
  --seed N           seed of the split, weights and shuffling (default 0)
  --backend NAME     cpu or wasm (default wasm)
  --quick            3 epochs
  --help             this text
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      agreement: { type: 'string' },
      encoder: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const agreement = (values.agreement ?? '50') as (typeof AGREEMENTS)[number];
  if (!AGREEMENTS.includes(agreement)) {
    throw new Error(
      `--agreement: expected 50, 66, 75 or All, received '${agreement}'`,
    );
  }
  const encoder = (values.encoder ?? 'cnn') as EncoderKind;
  if (!ENCODER_KINDS.includes(encoder)) {
    throw new Error(
      `--encoder: expected cnn, bilstm or transformer, received '${encoder}'`,
    );
  }
  const backend = values.backend ?? 'wasm';
  if (backend !== 'cpu' && backend !== 'wasm') {
    throw new Error(`--backend: expected cpu or wasm, received '${backend}'`);
  }
  const int = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(
        `--${name}: expected a non-negative integer, received '${value}'`,
      );
    }
    return n;
  };
  const epochs = int('epochs', values.epochs);
  const seed = int('seed', values.seed);
  setLogLevel('warn');
  const result = await runPhraseBank(
    {
      agreement,
      encoder,
      backend,
      quick: values.quick ?? false,
      ...(values.data === undefined ? {} : { data: values.data }),
      ...(epochs === undefined ? {} : { epochs }),
      ...(seed === undefined ? {} : { seed }),
    },
    (log) =>
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
