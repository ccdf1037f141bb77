/**
 * Headline embeddings for the text-encoder variant: a CNN text encoder
 * trained to classify Financial PhraseBank sentences, then frozen; a day's
 * embedding is the mean of its headlines' encoder outputs.
 */
import {
  DEFAULT_CLASSIFIER,
  classificationReport,
  embedTexts,
  predictClasses,
  trainClassifier,
  type ClassificationReport,
} from '../../phrasebank/classifier';
import { loadPhraseBank, stratifiedSplit } from '../../phrasebank/data';
import type { DjiaDays } from './data';

/** Options of {@link headlineEmbeddings}. */
export interface EmbeddingOptions {
  /** The FinancialPhraseBank-v1.0 folder. */
  phrasebank: string;
  /** Epoch cap of the encoder's training. */
  epochs: number;
  /** Tokens per headline. @defaultValue 32 */
  length?: number;
  /** Seed of the encoder. @defaultValue 0 */
  seed?: number;
}

/** Day embeddings and how the encoder did on its own task. */
export interface HeadlineEmbeddings {
  /** Row-major `[days, width]`, one row per day of `days`. */
  values: Float32Array;
  /** Embedding width. */
  width: number;
  /** The encoder's PhraseBank test scores (a sanity check). */
  encoderScores: ClassificationReport;
  /** Seconds to train the encoder and embed every headline. */
  seconds: number;
}

/**
 * Trains the encoder on PhraseBank (50% agreement, stratified 70/15/15,
 * early stopping on validation), embeds every headline and averages each
 * day's.
 *
 * Deviation: this is past the thesis. The encoder is frozen after its own
 * training (like a pretrained encoder run through OnnxEncoder), so the
 * stock models see a fixed 48-number description of each day's headlines
 * instead of VADER's 4 numbers.
 *
 * @param days - All days (S1-S2), headlines in slot order.
 * @param options - See {@link EmbeddingOptions}.
 * @returns The day embeddings.
 */
export async function headlineEmbeddings(
  days: DjiaDays,
  options: EmbeddingOptions,
): Promise<HeadlineEmbeddings> {
  const started = performance.now();
  const bank = await loadPhraseBank(options.phrasebank, '50');
  const parts = stratifiedSplit(bank, options.seed ?? 0);
  const classifier = await trainClassifier(parts, {
    ...DEFAULT_CLASSIFIER,
    encoder: 'cnn',
    embeddingDim: 32,
    width: 16,
    epochs: options.epochs,
    seed: options.seed ?? 0,
  });
  const encoderScores = classificationReport(
    parts.test.labels,
    predictClasses(classifier, parts.test.texts),
  );

  const flat = days.headlines.flatMap((d) => d.texts);
  const embedded = embedTexts(classifier, flat, 1024, options.length ?? 32);
  const { width } = embedded;
  const values = new Float32Array(days.headlines.length * width);
  let k = 0;
  days.headlines.forEach((day, r) => {
    const n = day.texts.length;
    for (let i = 0; i < n; i++, k++) {
      for (let j = 0; j < width; j++) {
        values[r * width + j] += (embedded.values[k * width + j] as number) / n;
      }
    }
  });
  classifier.model.dispose();
  return {
    values,
    width,
    encoderScores,
    seconds: (performance.now() - started) / 1000,
  };
}
