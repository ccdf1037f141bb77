import { describe, expect, it } from 'vitest';

import { summarizeSeeds } from '../../src/index';
import { seedsDisagree } from '../../examples/stock-prediction/tables';

const spread = (values: number[]) =>
  summarizeSeeds(values.map((mae, seed) => ({ seed, values: { mae } }))).mae;

describe('seedsDisagree', () => {
  it('treats a value repeated per seed as one value, whatever the rounding', () => {
    // 0.1 + 0.2 is not 0.3 in float64: per-seed copies of a deterministic
    // baseline computed along different paths differ in the last bit.
    const same = spread([0.3, 0.1 + 0.2, 0.3]);
    expect(same.std).toBeGreaterThan(0);
    expect(seedsDisagree(same)).toBe(false);
    expect(seedsDisagree(spread([44.2]))).toBe(false);
    expect(seedsDisagree(spread([44.2, 44.3, 44.2]))).toBe(true);
  });

  it('is fed by summarizeSeeds, which names a malformed run', () => {
    expect(() => summarizeSeeds([99.7] as never)).toThrow(
      /summarizeSeeds: expected each run to be \{ seed, values: \{ metric: number \} \}, received 99.7 at index 0/,
    );
  });
});
