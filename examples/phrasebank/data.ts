/**
 * Financial PhraseBank v1.0 (Malo et al. 2014): sentences from financial
 * news labelled positive, negative or neutral, read from a path and split
 * into stratified train, validation and test parts.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Random } from '../../src/index';

/** The three classes, in output order. */
export const CLASSES = ['negative', 'neutral', 'positive'] as const;

/** One of {@link CLASSES}. */
export type SentimentLabel = (typeof CLASSES)[number];

/** The agreement levels of the four files. */
export const AGREEMENTS = ['50', '66', '75', 'All'] as const;

/** Default data folder: ../shared/data/financial-phrasebank/... */
export const DEFAULT_PHRASEBANK = fileURLToPath(
  new URL(
    '../../../shared/data/financial-phrasebank/FinancialPhraseBank-v1.0',
    import.meta.url,
  ),
);

/** Labelled sentences. */
export interface LabelledSentences {
  /** The sentences, as in the file. */
  texts: string[];
  /** Class index of each sentence (into {@link CLASSES}). */
  labels: number[];
}

/** What {@link loadPhraseBank} read and dropped. */
export interface PhraseBank extends LabelledSentences {
  /** The file read. */
  file: string;
  /** Lines in the file. */
  lines: number;
  /** Repeated sentences dropped (one copy kept when labels agree). */
  duplicates: number;
  /** Sentences dropped because their copies carry different labels. */
  conflicting: number;
}

/**
 * Parses a `Sentences_*.txt` file: one `sentence@label` per line (split on
 * the last `@`), CRLF or LF. Repeated sentences are kept once, or dropped
 * when their labels disagree, so no sentence can be in two parts.
 *
 * @param text - The file's text (UTF-8; the shared copy was re-encoded
 *   from Latin-1, see the data README).
 * @param file - Name for messages.
 * @returns The sentences and labels in file order.
 * @throws RangeError naming the line of a line without `@` or with an
 *   unknown label.
 */
export function parsePhraseBank(text: string, file = 'PhraseBank'): PhraseBank {
  const lines = text.split(/\r?\n/);
  const byText = new Map<string, Set<number>>();
  const order: string[] = [];
  let count = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    count++;
    const at = line.lastIndexOf('@');
    const label = CLASSES.indexOf(line.slice(at + 1).trim() as SentimentLabel);
    if (at < 0 || label < 0) {
      throw new RangeError(
        `${file}: expected 'sentence@label' with label ${CLASSES.join(', ')} ` +
          `at line ${i + 1}, received ${JSON.stringify(line.slice(-40))}`,
      );
    }
    const sentence = line.slice(0, at);
    const seen = byText.get(sentence);
    if (seen) seen.add(label);
    else {
      byText.set(sentence, new Set([label]));
      order.push(sentence);
    }
  });
  const texts: string[] = [];
  const labels: number[] = [];
  let conflicting = 0;
  for (const sentence of order) {
    const set = byText.get(sentence) as Set<number>;
    if (set.size > 1) {
      conflicting++;
      continue;
    }
    texts.push(sentence);
    labels.push([...set][0] as number);
  }
  return {
    file,
    texts,
    labels,
    lines: count,
    duplicates: count - order.length,
    conflicting,
  };
}

/**
 * Reads `Sentences_<agreement>Agree.txt` from the PhraseBank folder.
 *
 * @param dir - The folder with the four files.
 * @param agreement - Annotator agreement: 50 (all 4846 sentences), 66, 75
 *   or All.
 * @throws Error with one line when the file is missing.
 */
export async function loadPhraseBank(
  dir: string,
  agreement: (typeof AGREEMENTS)[number],
): Promise<PhraseBank> {
  const file = join(dir, `Sentences_${agreement}Agree.txt`);
  if (!existsSync(file)) {
    throw new Error(
      `data not found: ${file} is missing (pass --data with the ` +
        `FinancialPhraseBank-v1.0 folder)`,
    );
  }
  return parsePhraseBank(await readFile(file, 'utf8'), file);
}

/**
 * A stratified split: each class shuffled with `seed`, then cut into
 * train, validation and test by the fractions.
 *
 * @returns The three parts, each in shuffled order.
 */
export function stratifiedSplit(
  data: LabelledSentences,
  seed: number,
  fractions: { train: number; val: number } = { train: 0.7, val: 0.15 },
): {
  train: LabelledSentences;
  val: LabelledSentences;
  test: LabelledSentences;
} {
  const rng = new Random(seed);
  const parts = {
    train: [] as number[],
    val: [] as number[],
    test: [] as number[],
  };
  CLASSES.forEach((_, c) => {
    const members = data.labels.flatMap((l, i) => (l === c ? [i] : []));
    rng.shuffle(members);
    const nTrain = Math.round(fractions.train * members.length);
    const nVal = Math.round(fractions.val * members.length);
    parts.train.push(...members.slice(0, nTrain));
    parts.val.push(...members.slice(nTrain, nTrain + nVal));
    parts.test.push(...members.slice(nTrain + nVal));
  });
  const take = (index: number[]): LabelledSentences => {
    rng.shuffle(index);
    return {
      texts: index.map((i) => data.texts[i] as string),
      labels: index.map((i) => data.labels[i] as number),
    };
  };
  return {
    train: take(parts.train),
    val: take(parts.val),
    test: take(parts.test),
  };
}
