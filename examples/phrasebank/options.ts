/**
 * Command-line options of the PhraseBank demo, checked when they are
 * parsed so a bad value stops the run before any data is read.
 */
import { parseArgs } from 'node:util';

import { ENCODER_KINDS, type EncoderKind } from './classifier';
import { AGREEMENTS, DEFAULT_PHRASEBANK } from './data';
import type { PhraseBankOptions } from './run';

/** The `--help` text. */
export const USAGE = `Usage: npx tsx examples/phrasebank/main.ts [options]

Trains a text encoder (embedding + CNN, BiLSTM or transformer) to classify
Financial PhraseBank sentences as negative, neutral or positive, and scores
it against the VADER lexicon on the same held-out 15%.

Options:
  --data DIR         FinancialPhraseBank-v1.0 folder
                     (default ${DEFAULT_PHRASEBANK})
  --agreement A      50, 66, 75 or All (default 50: all 4846 sentences)
  --encoder KIND     cnn, bilstm or transformer (default cnn)
  --epochs N         epoch cap with early stopping, at least 1 (default 20)
  --seed N           seed of the split, weights and shuffling (default 0)
  --backend NAME     cpu or wasm (default wasm)
  --quick            3 epochs
  --help             this text
`;

/**
 * Parses the demo's command line.
 *
 * @param argv - The arguments after the script name.
 * @returns The run options, and whether `--help` was given.
 * @throws Error naming the option, what it accepts and the value received.
 */
export function parsePhraseBankArgs(
  argv: string[],
): PhraseBankOptions & { help: boolean } {
  const { values } = parseArgs({
    args: argv,
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

  const int = (name: string, value: string | undefined, min: number) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new Error(
        `--${name}: expected an integer >= ${min}, received '${value}'`,
      );
    }
    return n;
  };
  const epochs = int('epochs', values.epochs, 1);
  const seed = int('seed', values.seed, 0);
  return {
    help: values.help ?? false,
    agreement,
    encoder,
    backend,
    quick: values.quick ?? false,
    ...(values.data === undefined ? {} : { data: values.data }),
    ...(epochs === undefined ? {} : { epochs }),
    ...(seed === undefined ? {} : { seed }),
  };
}
