/**
 * The PhraseBank demo: a text encoder trained on financial sentences
 * against the VADER lexicon, both scored on the same held-out sentences.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { EpochLog } from '../../src/index';
import { sentimentClass, vaderSentiment } from '../../src/data/sentiment';
import {
  DEFAULT_CLASSIFIER,
  classificationReport,
  predictClasses,
  trainClassifier,
  type ClassificationReport,
  type ClassifierOptions,
  type TrainedClassifier,
} from './classifier';
import {
  AGREEMENTS,
  CLASSES,
  DEFAULT_PHRASEBANK,
  loadPhraseBank,
  stratifiedSplit,
  type SentimentLabel,
} from './data';

/** Options of {@link runPhraseBank}. */
export interface PhraseBankOptions extends Partial<ClassifierOptions> {
  /** The FinancialPhraseBank-v1.0 folder. */
  data?: string;
  /** Annotator agreement of the file. @defaultValue '50' */
  agreement?: (typeof AGREEMENTS)[number];
  /** tfjs backend. @defaultValue 'wasm' */
  backend?: 'cpu' | 'wasm';
  /** 3 epochs, for tests. @defaultValue false */
  quick?: boolean;
}

/** What {@link runPhraseBank} returns. */
export interface PhraseBankResult {
  /** The file and its counts. */
  data: {
    file: string;
    sentences: number;
    duplicates: number;
    conflicting: number;
    parts: { train: number; val: number; test: number };
  };
  /** Test scores of the trained encoder. */
  encoder: ClassificationReport;
  /** Test scores of VADER (compound >= 0.05 positive, <= -0.05 negative). */
  vader: ClassificationReport;
  /** Share of each class in the test part (majority-class accuracy). */
  testShares: Record<SentimentLabel, number>;
  /** Settings used. */
  options: ClassifierOptions;
  /** Epochs run and the best epoch. */
  training: { epochs: number; bestEpoch: number | null; seconds: number };
  /** Wall time of the whole run. */
  seconds: number;
  /** The trained classifier (the caller disposes `classifier.model`). */
  classifier: TrainedClassifier;
}

/**
 * Loads the sentences, splits them 70/15/15 (stratified, seeded), trains
 * the encoder with early stopping on validation, and scores it and VADER
 * on the test part.
 *
 * @param options - See {@link PhraseBankOptions}.
 * @param onEpoch - Progress after every epoch.
 * @returns The scores.
 */
export async function runPhraseBank(
  options: PhraseBankOptions = {},
  onEpoch?: (log: EpochLog) => void,
): Promise<PhraseBankResult> {
  const started = performance.now();
  await tf.setBackend(options.backend ?? 'wasm');
  await tf.ready();
  const settings: ClassifierOptions = {
    ...DEFAULT_CLASSIFIER,
    ...Object.fromEntries(
      Object.entries(options).filter(
        ([k, v]) => v !== undefined && k in DEFAULT_CLASSIFIER,
      ),
    ),
    ...(options.quick ? { epochs: Math.min(options.epochs ?? 3, 3) } : {}),
  };
  const bank = await loadPhraseBank(
    options.data ?? DEFAULT_PHRASEBANK,
    options.agreement ?? '50',
  );
  const parts = stratifiedSplit(bank, settings.seed);

  const trainStart = performance.now();
  const classifier = await trainClassifier(parts, settings, onEpoch);
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const encoder = classificationReport(
    parts.test.labels,
    predictClasses(classifier, parts.test.texts),
  );
  const vader = classificationReport(
    parts.test.labels,
    vaderSentiment(parts.test.texts).map((s) =>
      CLASSES.indexOf(sentimentClass(s.compound)),
    ),
  );
  const n = parts.test.labels.length;
  const testShares = Object.fromEntries(
    CLASSES.map((c, k) => [
      c,
      parts.test.labels.filter((l) => l === k).length / n,
    ]),
  ) as Record<SentimentLabel, number>;
  return {
    data: {
      file: bank.file,
      sentences: bank.texts.length,
      duplicates: bank.duplicates,
      conflicting: bank.conflicting,
      parts: {
        train: parts.train.texts.length,
        val: parts.val.texts.length,
        test: n,
      },
    },
    encoder,
    vader,
    testShares,
    options: settings,
    training: {
      epochs: classifier.history.epochs.length,
      bestEpoch: classifier.history.bestEpoch,
      seconds: trainSeconds,
    },
    seconds: (performance.now() - started) / 1000,
    classifier,
  };
}

/** The result as a fixed-width table for the terminal. */
export function phraseBankTable(result: PhraseBankResult): string {
  const rows: [string, ClassificationReport][] = [
    [`${result.options.encoder} text encoder (trained)`, result.encoder],
    ['VADER lexicon (|compound| >= 0.05)', result.vader],
  ];
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const header = [
    'model',
    'accuracy',
    'macro-F1',
    ...CLASSES.map((c) => `F1 ${c}`),
  ];
  const body = rows.map(([name, s]) => [
    name,
    pct(s.accuracy),
    s.macroF1.toFixed(3),
    ...s.perClass.map((p) => p.f1.toFixed(3)),
  ]);
  const widths = header.map((h, c) =>
    Math.max(h.length, ...body.map((r) => r[c]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, c) =>
        c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join('  ');
  const majority = Math.max(...Object.values(result.testShares));
  return [
    `Financial PhraseBank (${result.data.sentences} sentences, test ${result.data.parts.test})`,
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
    '',
    `Majority class (neutral) accuracy: ${pct(majority)}. Split 70/15/15, ` +
      `stratified, seed ${result.options.seed}; the encoder stopped after ` +
      `${result.training.epochs} epochs (best ${result.training.bestEpoch}).`,
  ].join('\n');
}
