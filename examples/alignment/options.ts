/**
 * Command-line options of the alignment example.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Default data folder: ../shared/data/daily-news-stock-djia (repo root). */
export const DEFAULT_DATA = fileURLToPath(
  new URL('../../../shared/data/daily-news-stock-djia', import.meta.url),
);

/** Everything a run needs, after defaults. */
export interface AlignmentOptions {
  /** Folder with DJIA_table.csv and Combined_News_DJIA.csv. */
  data: string;
  /** Epochs of each neural model. */
  epochs: number;
  /** Sessions in each price window. */
  window: number;
  /** Size of the shared space. */
  embeddingDim: number;
  /** Columns of the hashed headline features. */
  textDim: number;
  /** Canonical pairs summed in the correlation column. */
  topK: number;
  /** tfjs backend. */
  backend: 'cpu' | 'wasm';
  /** Seed of weights, shuffling and the random baseline. */
  seed: number;
  /** Keep only the last sessions and train briefly (for tests). */
  quick: boolean;
  /** Sessions kept by --quick. */
  lastDays?: number;
}

/** The help text. */
export const USAGE = `Usage: npx tsx examples/alignment/main.ts [options]

Aligns each trading day's 20-day DJIA price window (LSTM) with that day's
top-25 r/worldnews headlines (hashed n-grams + MLP) in a shared space, with
the CLIP contrastive loss and with Deep CCA, and compares held-out
retrieval and canonical correlations with a random-embedding baseline and
linear CCA on the same features.

Options:
  --data DIR        folder with DJIA_table.csv and Combined_News_DJIA.csv
                    (default ../shared/data/daily-news-stock-djia)
  --epochs N        epochs per neural model (default 12; --quick: 2)
  --backend NAME    cpu or wasm (default wasm)
  --seed N          seed (default 0)
  --quick           last 400 sessions, 2 epochs, 256 text columns, for tests
  --help            this text
`;

/**
 * Parses argv into options.
 *
 * @throws Error with a one-line message for unknown or invalid options.
 */
export function parseOptions(argv: string[]): AlignmentOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        epochs: { type: 'string' },
        backend: { type: 'string' },
        seed: { type: 'string' },
        quick: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (parsed.help) return 'help';
  const int = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(
        `--${name}: expected an integer >= 0, received '${value}'`,
      );
    }
    return n;
  };
  const backend = parsed.backend ?? 'wasm';
  if (backend !== 'cpu' && backend !== 'wasm') {
    throw new Error(`--backend: expected cpu or wasm, received '${backend}'`);
  }
  const quick = parsed.quick ?? false;
  const epochs = int('epochs', parsed.epochs, quick ? 2 : 12);
  if (epochs < 1) throw new Error(`--epochs: expected at least 1, received 0`);
  return {
    data: parsed.data ?? DEFAULT_DATA,
    epochs,
    window: 20,
    embeddingDim: 16,
    textDim: quick ? 256 : 512,
    topK: 4,
    backend,
    seed: int('seed', parsed.seed, 0),
    quick,
    ...(quick ? { lastDays: 400 } : {}),
  };
}
