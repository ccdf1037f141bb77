/**
 * Co-training for two views (Blum and Mitchell 1998), for classification,
 * and for regression with COREG's confidence (Zhou and Li 2005).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import type { ModelInputs } from '../model/model-inputs';
import {
  type DataFacts,
  type ResolvedOptions,
  checkData,
  fixClasses,
  resolveOptions,
} from './co-training-checks';
import {
  type Pool,
  type ViewSet,
  describeAdded,
  labelCandidates,
  refillPool,
  scoreViews,
  trainViews,
} from './co-training-round';
import type {
  AddedSamples,
  CoTrainingData,
  CoTrainingJSON,
  CoTrainingOptions,
  CoTrainingResult,
  CoTrainingRound,
  CoTrainingStop,
  CoTrainingView,
} from './co-training-types';
import { disposeInputs } from './view-data';
import { combineRows, predictRows } from './view-model';

/**
 * Co-training of two views' models on a few labels and many unlabelled
 * samples.
 *
 * Each round (Blum and Mitchell 1998):
 *
 * 1. each view's model is built afresh (same seed every round) and trained
 *    on the labelled set plus the pseudo-labels the *other* view gave it;
 * 2. both models are scored on the validation set, when given;
 * 3. each model labels the candidate pool `U'` (a seeded random draw of
 *    `poolSize` unlabelled samples, refilled after each round; all of them
 *    by default) and picks its most confident candidates: classification
 *    takes per class at most `quotas[c]` (by default `perRound` split in
 *    the labelled class proportions, {@link classQuotas}) whose confidence,
 *    the largest class probability, is `>= threshold`; regression takes at
 *    most `perRound` whose COREG confidence `Δ` ({@link coregConfidence},
 *    the drop of a k-nearest-neighbour regressor's squared error on the
 *    candidate's labelled neighbours in the view's input space) is
 *    `> threshold`;
 * 4. the picks join the other view's training set and leave the pool (a
 *    sample both views pick joins both sets, each with the other view's
 *    label).
 *
 * It stops when no candidate passes the threshold (`'threshold'`), after
 * `maxRounds` rounds of labelling (`'maxRounds'`) or when no unlabelled
 * sample is left (`'exhausted'`); the models of the last round, trained on
 * the final sets, are the result. Round 0's models saw the labelled set
 * only: they are the labelled-only baseline.
 *
 * Deviation: Blum and Mitchell add both views' picks to one shared labelled
 * set; here (as in COREG) each view's picks teach only the other view, so
 * no model trains on its own pseudo-labels. COREG's regressors are the
 * k-nearest-neighbour regressors themselves; here the pseudo-label is the
 * view model's prediction and the k-nearest-neighbour regressor only
 * measures its confidence.
 *
 * The state (the pool, the pseudo-labels and the history) is plain data:
 * `toJSON()` after any round and {@link CoTraining.fromJSON} with the same
 * view factories and data continue exactly where the run was, because
 * every model is rebuilt from its seed each round.
 *
 * @example
 * ```ts
 * const co = new CoTraining({
 *   views: { price: { build: buildPrice }, news: { build: buildNews } },
 *   threshold: 0.7,
 *   perRound: 10,
 *   maxRounds: 20,
 *   seed: 0,
 * });
 * const { history, models } = await co.fit(data);
 * const probabilities = co.predict(testInputs); // [n, classes]
 * ```
 * @see Blum and Mitchell (1998), Combining labeled and unlabeled data with
 * co-training, COLT.
 * @see Zhou and Li (2005), Semi-supervised regression with co-training,
 * IJCAI.
 */
export class CoTraining {
  private readonly specs: Record<string, CoTrainingView>;
  private readonly options: ResolvedOptions;
  private counts: { labelled: number; unlabelled: number } | null = null;
  private pool: { candidates: number[]; reserve: number[] } | null = null;
  private rounds: CoTrainingRound[] = [];
  private current: Record<string, tfl.LayersModel> | null = null;

  /**
   * @param options - See {@link CoTrainingOptions}.
   * @throws TypeError for other than two views or a view without `build`;
   *   RangeError for a threshold, budget or size out of range.
   */
  constructor(options: CoTrainingOptions) {
    this.options = resolveOptions(options);
    this.specs = { ...options.views };
  }

  /** View names, sorted. */
  get views(): readonly string[] {
    return this.options.views;
  }

  /** The rounds so far. */
  get history(): readonly CoTrainingRound[] {
    return this.rounds;
  }

  /** Why co-training stopped, or null while it can go on. */
  get stop(): CoTrainingStop | null {
    return this.rounds.at(-1)?.stop ?? null;
  }

  /** The models of the last round, or null before the first. */
  get models(): Readonly<Record<string, tfl.LayersModel>> | null {
    return this.current;
  }

  /**
   * Runs rounds until co-training stops or `rounds` rounds have run. After
   * {@link CoTraining.fromJSON} of a stopped run it only retrains the final
   * models.
   *
   * @param data - See {@link CoTrainingData}; the same data on every call.
   * @param options - `rounds`: at most this many rounds now; `onRound`:
   *   called after each round.
   * @returns The history, the final models and why it stopped.
   * @throws As {@link CoTraining.step}.
   */
  async fit(
    data: CoTrainingData,
    options: {
      rounds?: number;
      onRound?: (round: CoTrainingRound) => void | Promise<void>;
    } = {},
  ): Promise<CoTrainingResult> {
    const limit = options.rounds ?? Infinity;
    if (this.stop !== null && this.current === null) {
      const facts = this.prepare('CoTraining.fit', data);
      const { sets } = await this.trainModels(data, facts);
      for (const set of Object.values(sets)) disposeInputs(set.inputs);
    }
    for (let i = 0; i < limit && this.stop === null; i++) {
      const round = await this.step(data);
      await options.onRound?.(round);
    }
    return {
      history: [...this.rounds],
      models: { ...(this.current ?? {}) },
      stop: this.stop,
    };
  }

  /**
   * One round: train both views' models on their current sets, score them,
   * and let each label candidates for the other.
   *
   * @param data - See {@link CoTrainingData}.
   * @returns The round's log.
   * @throws Error when co-training has already stopped; TypeError,
   *   ShapeError or RangeError for data that do not match the views, the
   *   task or a resumed state (different sample counts).
   */
  async step(data: CoTrainingData): Promise<CoTrainingRound> {
    const where = 'CoTraining.step';
    if (this.stop !== null) {
      throw new Error(
        `${where}: co-training stopped after round ` +
          `${this.rounds.length - 1} (${this.stop}); nothing is left to do`,
      );
    }
    const started = performance.now();
    const facts = this.prepare(where, data);
    const o = this.options;
    const round = this.rounds.length;
    const { models, sets } = await this.trainModels(data, facts);

    const pool = this.pool as Pool;
    let stop: CoTrainingStop | null = null;
    if (round >= o.maxRounds) stop = 'maxRounds';
    else if (pool.candidates.length === 0) stop = 'exhausted';

    const added: Record<string, AddedSamples> = {};
    let validation: ReturnType<typeof scoreViews> = null;
    try {
      validation = scoreViews(o, facts, models, data);
      o.views.forEach((name, v) => {
        const other = o.views[1 - v] as string;
        const picked =
          stop === null
            ? labelCandidates(
                o,
                name,
                models[name]!,
                data,
                sets[name]!,
                pool.candidates,
              )
            : { indices: [], labels: [], confidences: [] };
        added[name] = describeAdded(other, picked, data, facts);
      });
    } finally {
      for (const set of Object.values(sets)) disposeInputs(set.inputs);
    }

    const taken = new Set(Object.values(added).flatMap((a) => a.indices));
    if (stop === null && taken.size === 0) stop = 'threshold';
    refillPool(pool, taken, o.poolSize, o.seed, round + 1);
    const entry: CoTrainingRound = {
      round,
      trainingSize: Object.fromEntries(
        o.views.map((n) => [n, sets[n]!.targets.length]),
      ),
      validation: validation?.views ?? null,
      combined: validation?.combined ?? null,
      added,
      unlabelledLeft: pool.candidates.length + pool.reserve.length,
      stop,
      ms: performance.now() - started,
    };
    this.rounds.push(entry);
    return entry;
  }

  /**
   * The views' current models combined: class probabilities `[n, classes]`
   * as the normalised product of the views' probabilities (Blum and
   * Mitchell's combined classifier), or the mean of the views' values
   * `[n, 1]` for regression.
   *
   * @param inputs - Inputs of each view, keyed by view name.
   * @returns The combined prediction; the caller disposes it.
   * @throws Error before the first round.
   */
  predict(inputs: Record<string, ModelInputs>): tf.Tensor2D {
    const models = this.current;
    if (models === null) {
      throw new Error(
        'CoTraining.predict: expected trained models, received none (call ' +
          'fit or step first)',
      );
    }
    const rows = this.options.views.map((name) =>
      predictRows(
        'CoTraining.predict',
        name,
        models[name]!,
        inputs[name] as ModelInputs,
        this.options.task,
      ),
    );
    return tf.tensor2d(combineRows(this.options.task, rows));
  }

  /** Disposes the current models. */
  dispose(): void {
    for (const model of Object.values(this.current ?? {})) model.dispose();
    this.current = null;
  }

  /**
   * The state as plain data: options without the view factories, the
   * pool, the history (which holds every pseudo-label).
   *
   * @returns A JSON-safe object.
   */
  toJSON(): CoTrainingJSON {
    const o = this.options;
    return structuredClone({
      kind: 'CoTraining',
      version: 1,
      views: [...o.views],
      task: o.task,
      classes: o.classes,
      threshold: o.threshold,
      perRound: o.perRound,
      quotas: o.quotas,
      maxRounds: o.maxRounds,
      poolSize: o.poolSize,
      k: o.k,
      seed: o.seed,
      counts: this.counts,
      pool: this.pool,
      history: this.rounds,
    });
  }

  /**
   * Restores a co-training run from {@link CoTraining.toJSON}; continue it
   * with `fit` or `step` on the same data.
   *
   * @param json - The saved state.
   * @param views - The same view factories, keyed by the same names.
   * @returns The restored run, without models until the next round.
   * @throws TypeError when `kind` is not `'CoTraining'`, the version is
   *   unknown or the view names differ.
   */
  static fromJSON(
    json: CoTrainingJSON,
    views: Record<string, CoTrainingView>,
  ): CoTraining {
    const where = 'CoTraining.fromJSON';
    if (json?.kind !== 'CoTraining' || json.version !== 1) {
      throw new TypeError(
        `${where}: expected kind 'CoTraining' and version 1, received ` +
          `kind ${JSON.stringify(json?.kind)}, version ` +
          `${JSON.stringify(json?.version)}`,
      );
    }
    const names = Object.keys(views).sort();
    if (names.join('\u0000') !== json.views.join('\u0000')) {
      throw new TypeError(
        `${where}: expected views [${json.views.join(', ')}], received ` +
          `[${names.join(', ')}]`,
      );
    }
    const co = new CoTraining({
      views,
      task: json.task,
      threshold: json.threshold,
      perRound: json.perRound,
      maxRounds: json.maxRounds,
      k: json.k,
      seed: json.seed,
      ...(json.classes === null ? {} : { classes: json.classes }),
      ...(json.quotas === null ? {} : { quotas: json.quotas }),
      ...(json.poolSize === null ? {} : { poolSize: json.poolSize }),
    });
    const state = structuredClone(json);
    co.counts = state.counts;
    co.pool = state.pool;
    co.rounds = state.history;
    return co;
  }

  /** Checks data, fixes classes and quotas, draws the first pool. */
  private prepare(where: string, data: CoTrainingData): DataFacts {
    const facts = checkData(where, this.options, data);
    const o = this.options;
    if (this.counts === null) {
      this.counts = { labelled: facts.labelled, unlabelled: facts.unlabelled };
    } else if (
      this.counts.labelled !== facts.labelled ||
      this.counts.unlabelled !== facts.unlabelled
    ) {
      throw new RangeError(
        `${where}: expected the data of this run, with ` +
          `${this.counts.labelled} labelled and ${this.counts.unlabelled} ` +
          `unlabelled samples, received ${facts.labelled} and ` +
          `${facts.unlabelled}`,
      );
    }
    fixClasses(where, o, facts);
    if (this.pool === null) {
      const all = Array.from({ length: facts.unlabelled }, (_, i) => i);
      this.pool = { candidates: [], reserve: all };
      refillPool(this.pool, new Set(), o.poolSize, o.seed, 0);
    }
    return facts;
  }

  /** Disposes the old models, then builds and trains new ones. */
  private async trainModels(
    data: CoTrainingData,
    facts: DataFacts,
  ): Promise<{
    models: Record<string, tfl.LayersModel>;
    sets: Record<string, ViewSet>;
  }> {
    this.dispose();
    const trained = await trainViews(
      this.specs,
      this.options,
      facts,
      data,
      this.rounds,
    );
    this.current = trained.models;
    return trained;
  }
}
