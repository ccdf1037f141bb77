/**
 * A sentence classifier built from a modalfuse text encoder, its training
 * on labelled sentences, and the scores the demo reports.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  buildModel,
  fitModel,
  predictBatched,
  type EpochLog,
  type FitHistory,
} from '../../src/index';
import { biLstmTextEncoder } from '../../src/encoders/bilstm-text-encoder';
import { cnnTextEncoder } from '../../src/encoders/cnn-text-encoder';
import type { TextEncoderLayer } from '../../src/encoders/text-encoder-base';
import { encodeBatch, tokenBatchTensors } from '../../src/encoders/tokenizer';
import { transformerTextEncoder } from '../../src/encoders/transformer-text-encoder';
import { Vocabulary } from '../../src/encoders/vocabulary';
import { CLASSES, type LabelledSentences } from './data';

/** The text encoders the demo can train. */
export const ENCODER_KINDS = ['cnn', 'bilstm', 'transformer'] as const;

/** One of {@link ENCODER_KINDS}. */
export type EncoderKind = (typeof ENCODER_KINDS)[number];

/** Settings of the classifier and its training. */
export interface ClassifierOptions {
  /** Which encoder. */
  encoder: EncoderKind;
  /** Tokens per sentence after padding and truncation. */
  length: number;
  /** Width of the token embeddings. */
  embeddingDim: number;
  /** Filters per width (cnn), units per direction (bilstm). */
  width: number;
  /** Words seen fewer times in training become unknown. */
  minCount: number;
  /** Epoch cap; early stopping on the validation loss. */
  epochs: number;
  /** Early-stopping patience in epochs. */
  patience: number;
  /** Samples per batch. */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Seed of weights, dropout and shuffling. */
  seed: number;
}

/** Defaults of {@link ClassifierOptions}. */
export const DEFAULT_CLASSIFIER: ClassifierOptions = {
  encoder: 'cnn',
  length: 64,
  embeddingDim: 64,
  width: 32,
  minCount: 2,
  epochs: 20,
  patience: 3,
  batchSize: 32,
  learningRate: 2e-3,
  seed: 0,
};

/** A trained classifier. */
export interface TrainedClassifier {
  /** Inputs `text` (ids) and `text_mask`; output class probabilities. */
  model: tfl.LayersModel;
  /** The text encoder inside `model`. */
  encoder: TextEncoderLayer;
  /** The vocabulary fitted on the training sentences. */
  vocabulary: Vocabulary;
  /** The training history. */
  history: FitHistory;
  /** The settings used. */
  options: ClassifierOptions;
}

/** Accuracy, macro-F1 and the per-class scores of a classification. */
export interface ClassificationReport {
  /** Share of correct predictions. */
  accuracy: number;
  /** Unweighted mean of the per-class F1 scores. */
  macroF1: number;
  /** Precision, recall and F1 per class, in {@link CLASSES} order. */
  perClass: { precision: number; recall: number; f1: number }[];
  /** Counts `[actual][predicted]`. */
  confusion: number[][];
}

/**
 * Scores predicted class indices against labels. A class never predicted
 * (or never present) gets precision (or recall) 0, as scikit-learn does.
 */
export function classificationReport(
  labels: readonly number[],
  predicted: readonly number[],
): ClassificationReport {
  const k = CLASSES.length;
  const confusion = Array.from({ length: k }, () =>
    new Array<number>(k).fill(0),
  );
  labels.forEach((y, i) => confusion[y]![predicted[i]!]!++);
  const perClass = confusion.map((row, c) => {
    const tp = row[c]!;
    const predictedC = confusion.reduce((s, r) => s + r[c]!, 0);
    const actualC = row.reduce((s, v) => s + v, 0);
    const precision = predictedC ? tp / predictedC : 0;
    const recall = actualC ? tp / actualC : 0;
    const f1 =
      precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1 };
  });
  const correct = confusion.reduce((s, r, c) => s + r[c]!, 0);
  return {
    accuracy: correct / labels.length,
    macroF1: perClass.reduce((s, p) => s + p.f1, 0) / k,
    perClass,
    confusion,
  };
}

/** Builds the encoder of a kind. */
export function makeEncoder(
  options: ClassifierOptions,
  vocabularySize: number,
): TextEncoderLayer {
  const common = {
    vocabularySize,
    embeddingDim: options.embeddingDim,
    dropout: 0.3,
    seed: options.seed,
    name: 'text_encoder',
  };
  switch (options.encoder) {
    case 'cnn':
      return cnnTextEncoder({
        ...common,
        filters: options.width,
        kernelSizes: [3, 4, 5],
      });
    case 'bilstm':
      return biLstmTextEncoder({
        ...common,
        units: options.width,
        pooling: 'max',
      });
    case 'transformer':
      return transformerTextEncoder({
        ...common,
        maxLength: options.length,
        heads: 4,
        layers: 1,
        ffDim: 2 * options.embeddingDim,
        dropout: 0.1,
      });
  }
}

/**
 * Fits a vocabulary on the training sentences, builds encoder + linear head
 * + softmax, and trains with early stopping on the validation loss.
 *
 * @param parts - Training and validation sentences.
 * @param options - See {@link ClassifierOptions}.
 * @param onEpoch - Called after every epoch.
 * @returns The trained classifier.
 */
export async function trainClassifier(
  parts: { train: LabelledSentences; val: LabelledSentences },
  options: ClassifierOptions,
  onEpoch?: (log: EpochLog) => void,
): Promise<TrainedClassifier> {
  const vocabulary = Vocabulary.fit(parts.train.texts, {
    minCount: options.minCount,
  });
  const encoder = makeEncoder(options, vocabulary.vocabularySize);
  const logits = buildModel({
    modalities: { text: { shape: [options.length], encoder, mask: true } },
    heads: { name: 'logits', units: CLASSES.length, dropout: 0 },
    seed: options.seed + 1,
    name: 'phrasebank_logits',
  });
  const probabilities = tfl.layers
    .activation({ activation: 'softmax', name: 'probabilities' })
    .apply(logits.outputs[0]!) as tfl.SymbolicTensor;
  const model = tfl.model({
    inputs: logits.inputs,
    outputs: probabilities,
    name: 'phrasebank_classifier',
  });

  const train = toTensors(vocabulary, parts.train, options.length);
  const val = toTensors(vocabulary, parts.val, options.length);
  try {
    const history = await fitModel(model, train.inputs, train.targets, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      loss: 'categoricalCrossentropy',
      seed: options.seed,
      validation: { inputs: val.inputs, targets: val.targets },
      patience: options.patience,
      ...(onEpoch ? { onEpochEnd: onEpoch } : {}),
    });
    return { model, encoder, vocabulary, history, options };
  } finally {
    tf.dispose([train.inputs, train.targets, val.inputs, val.targets] as never);
  }
}

/**
 * Predicted class indices of sentences.
 *
 * @param classifier - A trained classifier.
 * @param texts - Sentences.
 * @returns One class index per sentence.
 */
export function predictClasses(
  classifier: TrainedClassifier,
  texts: readonly string[],
): number[] {
  const { vocabulary, options, model } = classifier;
  const batch = encodeBatch(vocabulary, texts, {
    length: options.length,
    allowEmpty: true,
  });
  const { ids, mask } = tokenBatchTensors(batch);
  const out = predictBatched(model, {
    text: ids,
    text_mask: mask,
  }) as tf.Tensor;
  const classes = tf.tidy(() => Array.from(tf.argMax(out, 1).dataSync()));
  tf.dispose([ids, mask, out]);
  return classes;
}

/**
 * The encoder's output for each text: the sentence embedding the head
 * reads, `[texts.length, encoder width]`, in batches.
 *
 * @param classifier - A trained classifier.
 * @param texts - Texts.
 * @param batchSize - Texts per batch. @defaultValue 512
 * @param length - Tokens per text (the encoders take any length).
 *   @defaultValue the training length
 * @returns Row-major float32 embeddings and their width.
 */
export function embedTexts(
  classifier: TrainedClassifier,
  texts: readonly string[],
  batchSize = 512,
  length = classifier.options.length,
): { values: Float32Array; width: number } {
  const { vocabulary, encoder } = classifier;
  const width = encoder.outputDim();
  const values = new Float32Array(texts.length * width);
  for (let start = 0; start < texts.length; start += batchSize) {
    const part = texts.slice(start, start + batchSize);
    const batch = encodeBatch(vocabulary, part, { length, allowEmpty: true });
    const { ids, mask } = tokenBatchTensors(batch);
    const out = encoder.apply([ids, mask]) as tf.Tensor;
    values.set(out.dataSync(), start * width);
    tf.dispose([ids, mask, out]);
  }
  return { values, width };
}

function toTensors(
  vocabulary: Vocabulary,
  part: LabelledSentences,
  length: number,
): { inputs: Record<string, tf.Tensor>; targets: tf.Tensor } {
  const batch = encodeBatch(vocabulary, part.texts, {
    length,
    allowEmpty: true,
  });
  const { ids, mask } = tokenBatchTensors(batch);
  const targets = tf.tidy(() =>
    tf.cast(
      tf.oneHot(tf.tensor1d(part.labels, 'int32'), CLASSES.length),
      'float32',
    ),
  );
  return { inputs: { text: ids, text_mask: mask }, targets };
}
