import { describe, expect, it } from 'vitest';

import type { DieboldMarianoResult, RegressionMetrics } from '../../src/index';
import { runGuideExample } from './snippets';

describe('docs/guides/stock-prediction.md', () => {
  it('scores its made-up forecasts with the numbers the guide states', async () => {
    const x = (await runGuideExample('stock-prediction', [
      'closeT',
      'actual',
      'model',
      'drift',
      'metrics',
      'skill',
      'hitRate',
      'test',
    ])) as {
      closeT: number[];
      actual: Float64Array;
      model: Float64Array;
      drift: Float64Array;
      metrics: RegressionMetrics;
      skill: number;
      hitRate: number;
      test: DieboldMarianoResult;
    };

    // Prices are close_t * (1 + ratio).
    expect(x.actual[0]).toBeCloseTo(100 * 1.031, 12);
    expect(x.drift[9]).toBeCloseTo(109 * 1.025, 12);

    // Skill is 1 - MAE / MAE of drift.
    const mae = (p: Float64Array) =>
      p.reduce((s, v, i) => s + Math.abs(v - x.actual[i]!), 0) / p.length;
    expect(x.metrics.mae).toBeCloseTo(mae(x.model), 12);
    expect(x.skill).toBeCloseTo(1 - mae(x.model) / mae(x.drift), 12);
    expect(x.metrics.mae).toBeCloseTo(0.85, 2);
    expect(x.skill).toBeCloseTo(0.14, 2);
    expect(x.hitRate).toBe(1);

    // Newey-West with Bartlett weights 1 - k/3 for lags 1 and 2.
    const d = Array.from(
      x.model,
      (p, i) =>
        Math.abs(p - x.actual[i]!) - Math.abs(x.drift[i]! - x.actual[i]!),
    );
    const n = d.length;
    const mean = d.reduce((s, v) => s + v, 0) / n;
    const gamma = (k: number) =>
      d.slice(k).reduce((s, v, t) => s + (v - mean) * (d[t]! - mean), 0) / n;
    const variance = gamma(0) + 2 * (2 / 3) * gamma(1) + 2 * (1 / 3) * gamma(2);
    expect(x.test.neweyWest.statistic).toBeCloseTo(
      mean / Math.sqrt(variance / n),
      10,
    );
    expect(x.test.neweyWest.statistic).toBeCloseTo(-1.29, 2);
    expect(x.test.neweyWest.pValue).toBeCloseTo(0.2, 2);
    expect(gamma(0) + 2 * gamma(1) + 2 * gamma(2)).toBeLessThanOrEqual(0);
    expect(x.test.hln).toBeNull();
  });
});
