/**
 * Test metrics in price units, choices made on validation only, and
 * Diebold-Mariano tests between forecasts.
 */
import {
  dieboldMariano,
  directionHitRate,
  regressionMetrics,
  skillScore,
  summarizeSeeds,
  type SeedSpread,
} from '../../src/index';
import type { Part } from './dataset';
import type { Predictions, Ratios, RowKind } from './experiment';

/** The drift baseline every skill is measured against. */
export const DRIFT = 'Drift (train mean)';

/** Flat metrics of one row, for per-seed summaries. */
export interface RowMetrics extends Record<string, number> {
  maeMax: number;
  rmseMax: number;
  mapeMax: number;
  hitMax: number;
  skillMax: number;
  maeMin: number;
  rmseMin: number;
  mapeMin: number;
  hitMin: number;
  skillMin: number;
  valMse: number;
}

/** Price-unit values of ratio labels or predictions. */
export function toPrices(part: Part, ratios: Ratios, k: 0 | 1): number[] {
  return ratios.map((r, i) => (part.closeT[i] as number) * (1 + r[k]));
}

/**
 * Metrics of every row on the test part (price units) plus its validation
 * MSE (ratio space); skill is against the drift baseline.
 */
export function scoreAll(
  val: Part,
  test: Part,
  predictions: Record<string, Predictions>,
): Record<string, RowMetrics> {
  const drift = predictions[DRIFT];
  if (!drift) throw new Error(`scoreAll: no '${DRIFT}' row to score against`);
  const actual = [toPrices(test, test.y, 0), toPrices(test, test.y, 1)];
  const close = Array.from(test.closeT);
  const driftMae = [0, 1].map(
    (k) =>
      regressionMetrics(actual[k]!, toPrices(test, drift.test, k as 0 | 1)).mae,
  );
  const rows: Record<string, RowMetrics> = {};
  for (const [name, p] of Object.entries(predictions)) {
    const m = [0, 1].map((k) => {
      const predicted = toPrices(test, p.test, k as 0 | 1);
      const r = regressionMetrics(actual[k]!, predicted);
      return {
        ...r,
        hit: directionHitRate(actual[k]!, predicted, close),
        skill: skillScore(r.mae, driftMae[k]!),
      };
    });
    const [max, min] = m as [(typeof m)[0], (typeof m)[0]];
    rows[name] = {
      maeMax: max.mae,
      rmseMax: max.rmse,
      mapeMax: max.mape,
      hitMax: max.hit,
      skillMax: max.skill,
      maeMin: min.mae,
      rmseMin: min.rmse,
      mapeMin: min.mape,
      hitMin: min.hit,
      skillMin: min.skill,
      valMse: ratioMse(val.y, p.val),
    };
  }
  return rows;
}

/** Mean squared error of ratio predictions against labels. */
export function ratioMse(labels: Ratios, predicted: Ratios): number {
  let sum = 0;
  labels.forEach((row, i) =>
    row.forEach((y, k) => {
      const e = (predicted[i]![k] as number) - y;
      sum += e * e;
    }),
  );
  return sum / (labels.length * 2);
}

/** Which models validation picks. */
export interface Selection {
  /** Lowest validation MSE among single-modality models. */
  unimodal: string;
  /** Lowest validation MSE among fusion models. */
  fusion: string;
  /** Lowest validation MSE among all trained models. */
  best: string;
}

/**
 * Picks models by validation MSE. It receives validation scores only, so
 * no choice can depend on the test part.
 *
 * @param valMse - Validation MSE of each row.
 * @param kinds - What each row is.
 */
export function selectOnValidation(
  valMse: Record<string, number>,
  kinds: Record<string, RowKind>,
): Selection {
  const of = (kind: RowKind) =>
    Object.keys(kinds).filter((n) => kinds[n] === kind);
  const lowest = (names: readonly string[]) =>
    names.reduce((a, b) =>
      (valMse[b] ?? Infinity) < (valMse[a] ?? Infinity) ? b : a,
    );
  return {
    unimodal: lowest(of('unimodal')),
    fusion: lowest(of('fusion')),
    best: lowest([...of('unimodal'), ...of('fusion')]),
  };
}

/** One Diebold-Mariano comparison, for max and min. */
export interface Comparison {
  /** Forecast A (negative statistic: A has smaller absolute errors). */
  a: string;
  /** Forecast B. */
  b: string;
  /** Per output: Newey-West statistic and p, HLN statistic and p. */
  max: DmSummary;
  min: DmSummary;
}

/** The parts of a Diebold-Mariano result that the tables show. */
export interface DmSummary {
  /** Mean of |e_A| − |e_B| in price units. */
  meanDifference: number;
  /** Newey-West statistic. */
  nw: number;
  /** Its two-sided p-value. */
  pNw: number;
  /** HLN-corrected statistic, or null. */
  hln: number | null;
  /** Its p-value, or null. */
  pHln: number | null;
}

/**
 * Diebold-Mariano tests on absolute price-unit test errors, with the
 * long-run variance for overlapping `horizon`-step forecasts.
 */
export function compare(
  test: Part,
  predictions: Record<string, Predictions>,
  pairs: [string, string][],
  horizon: number,
): Comparison[] {
  const errors = (name: string, k: 0 | 1) => {
    const actual = toPrices(test, test.y, k);
    return toPrices(test, predictions[name]!.test, k).map(
      (p, i) => p - actual[i]!,
    );
  };
  const dm = (a: string, b: string, k: 0 | 1): DmSummary => {
    const ea = errors(a, k);
    const eb = errors(b, k);
    // Identical forecasts (a fusion weight of 0 or 1) differ by nothing.
    if (ea.every((e, i) => Math.abs(e) === Math.abs(eb[i]!))) {
      return { meanDifference: 0, nw: 0, pNw: 1, hln: 0, pHln: 1 };
    }
    const r = dieboldMariano(ea, eb, { horizon, loss: 'absolute' });
    return {
      meanDifference: r.meanDifference,
      nw: r.neweyWest.statistic,
      pNw: r.neweyWest.pValue,
      hln: r.hln?.statistic ?? null,
      pHln: r.hln?.pValue ?? null,
    };
  };
  return pairs.map(([a, b]) => ({ a, b, max: dm(a, b, 0), min: dm(a, b, 1) }));
}

/**
 * The pairs every run tests: the best fusion against the best
 * single-modality model (chosen on validation), every other fusion ×
 * unimodal pair, and every model against the drift baseline.
 */
export function comparisonPairs(
  selection: Selection,
  kinds: Record<string, RowKind>,
): [string, string][] {
  const of = (kind: RowKind) =>
    Object.keys(kinds).filter((n) => kinds[n] === kind);
  const pairs: [string, string][] = [[selection.fusion, selection.unimodal]];
  for (const f of of('fusion')) {
    for (const u of of('unimodal')) {
      if (f !== selection.fusion || u !== selection.unimodal)
        pairs.push([f, u]);
    }
  }
  for (const m of [...of('unimodal'), ...of('fusion')]) pairs.push([m, DRIFT]);
  return pairs;
}

/**
 * Each row's metrics summarised over the seeds (mean, sd, extremes), row
 * names in the order of the first seed.
 */
export function summarizeRows(
  seeds: readonly { seed: number; rows: Record<string, RowMetrics> }[],
): Record<string, Record<string, SeedSpread>> {
  const rowNames = Object.keys(seeds[0]!.rows);
  return Object.fromEntries(
    rowNames.map((name) => [
      name,
      summarizeSeeds(
        seeds.map((s) => ({ seed: s.seed, values: s.rows[name]! })),
      ),
    ]),
  );
}
