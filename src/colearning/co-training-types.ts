/**
 * Options, data, logs and the saved state of {@link CoTraining}.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import type { LossName } from '../model/fit-model';
import type { ModelInputs } from '../model/model-inputs';
import type { ClassificationScores } from './metrics';

/** What the views' models predict. */
export type CoTrainingTask = 'classification' | 'regression';

/** Why co-training stopped. */
export type CoTrainingStop = 'threshold' | 'maxRounds' | 'exhausted';

/** How the default trainer ({@link fitModel}) trains a view's model. */
export interface CoTrainingFitOptions {
  /** Epochs per training. @defaultValue 20 */
  epochs?: number;
  /** Samples per batch. @defaultValue 32 */
  batchSize?: number;
  /** Learning rate of a fresh Adam optimizer. @defaultValue 1e-3 */
  learningRate?: number;
  /**
   * Regression loss; classification always uses cross-entropy.
   * @defaultValue 'meanSquaredError'
   */
  loss?: LossName;
  /**
   * Early stopping on the data's validation set after this many epochs
   * without improvement, restoring the best weights. @defaultValue none
   */
  patience?: number;
}

/**
 * Trains a freshly built model in place: a replacement for the default
 * trainer. `targets` are `[n, 1]` (0/1 for a one-unit binary classifier,
 * values for regression) or one-hot `[n, classes]`.
 */
export type CoTrainingTrainer = (
  model: tfl.LayersModel,
  inputs: ModelInputs,
  targets: tf.Tensor2D,
  seed: number,
) => Promise<void>;

/** One view of co-training: how to build its model and train it. */
export interface CoTrainingView {
  /**
   * Builds a fresh, untrained model of this view from a seed; called once
   * per round, so each round's model is trained from the same start on the
   * round's training set. Classifiers output class probabilities: one
   * sigmoid unit for two classes, or a softmax over the classes.
   * Regressors output one value.
   */
  build: (seed: number) => tfl.LayersModel;
  /** Options of the default trainer. */
  fit?: CoTrainingFitOptions;
  /** Custom training in place of the default trainer. */
  train?: CoTrainingTrainer;
}

/** Options of {@link CoTraining}. */
export interface CoTrainingOptions {
  /** The two views, keyed by name (walked in sorted order). */
  views: Record<string, CoTrainingView>;
  /** @defaultValue 'classification' */
  task?: CoTrainingTask;
  /** Number of classes. @defaultValue 1 + the largest label, at least 2 */
  classes?: number;
  /**
   * Classification: the smallest confidence (largest class probability)
   * a pseudo-label needs, in `[0, 1]`; a candidate passes when its
   * confidence is `>= threshold`. Regression: the COREG confidence `Δ`
   * must be `> threshold`, in `[0, ∞)`.
   * @defaultValue 0.8 (classification), 0 (regression)
   */
  threshold?: number;
  /**
   * Pseudo-labels each view may give per round. Classification splits it
   * over classes in the labelled class proportions ({@link classQuotas}).
   * @defaultValue 10 (classification), 1 (regression, as COREG)
   */
  perRound?: number;
  /** Classification: explicit quota of each class per round. */
  quotas?: number[];
  /** Rounds of labelling at most. @defaultValue 30 */
  maxRounds?: number;
  /**
   * Size of the candidate pool `U'` drawn at random from the unlabelled
   * set and refilled after each round, as in Blum and Mitchell (75) and
   * COREG (100). @defaultValue every unlabelled sample
   */
  poolSize?: number;
  /** Regression: neighbours of the COREG confidence. @defaultValue 3 */
  k?: number;
  /** Seed of the models, their training and the pool draws. */
  seed?: number;
}

/** Samples of each view, keyed by view name, with their targets. */
export interface CoTrainingSet {
  /** Inputs of each view; every view has the same number of samples. */
  inputs: Record<string, ModelInputs>;
  /** Class labels (integers from 0) or regression targets. */
  targets: ArrayLike<number>;
}

/** The data of a co-training run. */
export interface CoTrainingData {
  /** The labelled samples. */
  labelled: CoTrainingSet;
  /**
   * The unlabelled samples; `targets`, when given, are used only to report
   * the accuracy of the pseudo-labels, never for training or selection.
   */
  unlabelled: {
    /** Inputs of each view. */
    inputs: Record<string, ModelInputs>;
    /** True targets for evaluation only. */
    targets?: ArrayLike<number>;
  };
  /** Held-out samples scored after every training. */
  validation?: CoTrainingSet;
}

/** Error of regression predictions. */
export interface RegressionScores {
  /** Number of samples. */
  n: number;
  /** Root mean squared error. */
  rmse: number;
  /** Mean absolute error. */
  mae: number;
}

/** Scores of one model on the validation set. */
export type ViewScores = ClassificationScores | RegressionScores;

/** The pseudo-labels one view gave the other in a round. */
export interface AddedSamples {
  /** The view whose training set received them. */
  to: string;
  /** How many were added. */
  count: number;
  /** Classification: how many of each class. */
  perClass: number[] | null;
  /** Indices into the unlabelled set. */
  indices: number[];
  /** The pseudo-labels. */
  labels: number[];
  /** The lowest confidence among them, or null when none. */
  minConfidence: number | null;
  /** Share of correct pseudo-labels, when true targets were given. */
  accuracy: number | null;
  /** Regression: RMSE of the pseudo-labels, when true targets were given. */
  rmse: number | null;
}

/** One round: the models trained on the current sets, then labelling. */
export interface CoTrainingRound {
  /** From 0; round 0's models saw the labelled set only. */
  round: number;
  /** Samples each view's model was trained on. */
  trainingSize: Record<string, number>;
  /** Validation scores of each view's model, or null without validation. */
  validation: Record<string, ViewScores> | null;
  /** Validation scores of the views combined ({@link CoTraining.predict}). */
  combined: ViewScores | null;
  /** Pseudo-labels each view gave (keyed by the labelling view). */
  added: Record<string, AddedSamples>;
  /** Unlabelled samples not yet pseudo-labelled, after this round. */
  unlabelledLeft: number;
  /** Why co-training stopped after this round, or null. */
  stop: CoTrainingStop | null;
  /** Wall time of the round in milliseconds. */
  ms: number;
}

/** What {@link CoTraining.fit} returns. */
export interface CoTrainingResult {
  /** One entry per round. */
  history: CoTrainingRound[];
  /** The final models, keyed by view (owned by the {@link CoTraining}). */
  models: Record<string, tfl.LayersModel>;
  /** Why it stopped, or null when `rounds` ran out first. */
  stop: CoTrainingStop | null;
}

/** The plain-data state of a {@link CoTraining}. */
export interface CoTrainingJSON {
  /** Discriminant checked by {@link CoTraining.fromJSON}. */
  kind: 'CoTraining';
  /** Format version. */
  version: 1;
  /** View names, sorted. */
  views: string[];
  /** The task. */
  task: CoTrainingTask;
  /** Classes, or null until known (and for regression). */
  classes: number | null;
  /** The confidence threshold. */
  threshold: number;
  /** Pseudo-labels per view per round. */
  perRound: number;
  /** Per-class quotas, or null until known (and for regression). */
  quotas: number[] | null;
  /** Rounds at most. */
  maxRounds: number;
  /** Candidate pool size, or null for all. */
  poolSize: number | null;
  /** COREG neighbours. */
  k: number;
  /** The seed. */
  seed: number;
  /** Sample counts of the data, checked when resuming. */
  counts: {
    /** Samples in the labelled set. */
    labelled: number;
    /** Samples in the unlabelled set. */
    unlabelled: number;
  } | null;
  /** The candidate pool `U'` and the rest of the unlabelled set. */
  pool: {
    /** Indices of the candidate pool `U'` in the unlabelled set. */
    candidates: number[];
    /** Indices of the other unlabelled samples, drawn from to refill it. */
    reserve: number[];
  } | null;
  /** The rounds so far. */
  history: CoTrainingRound[];
}
