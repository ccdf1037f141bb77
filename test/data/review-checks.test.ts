import { describe, expect, it } from 'vitest';

import {
  gatherWindows,
  parseOhlcv,
  renderCandlestick,
  slidingWindows,
} from '../../src/data';
import { mlpEncoder } from '../../src/encoders/mlp-encoder';

const csv =
  'date,open,high,low,close,volume\n2020-01-02,1,2,0.5,1.5,10\n2020-01-03,1,2,0.5,1.5,10\n';

describe('data tools reject what would give NaN or a silent default', () => {
  it('rejects an unknown consistency mode and gap policy', () => {
    expect(() => parseOhlcv(csv, { consistency: 'warn' as 'error' })).toThrow(
      /consistency to be one of 'error', 'ignore', received "warn"/,
    );
    const series = {
      dates: ['2020-01-01', '2020-01-02', '2020-01-03'],
      high: [2, 2, 2],
      low: [1, 1, 1],
      close: [1.5, 1.5, 1.5],
    };
    expect(() =>
      slidingWindows(series, {
        window: 1,
        horizon: 1,
        onGap: 'drop' as 'split',
      }),
    ).toThrow(/onGap to be one of 'split', 'error', received "drop"/);
  });

  it('refuses prices that would make NaN or infinite labels', () => {
    const series = {
      dates: ['2020-01-01', '2020-01-02', '2020-01-03'],
      high: [2, 2, 2],
      low: [1, 1, 1],
      close: [1.5, 0, 1.5],
    };
    expect(() => slidingWindows(series, { window: 1, horizon: 1 })).toThrow(
      /positive, finite close prices, received 0 on 2020-01-02 \(row 1\)/,
    );
  });

  it('refuses a values length that is not whole rows, and NaN bars in charts', () => {
    expect(() => gatherWindows(new Float64Array(7), 3, [1], 2)).toThrow(
      /multiple of 3 features, received 7/,
    );
    const bar = {
      open: [1, NaN],
      high: [2, 2],
      low: [0.5, 0.5],
      close: [1.5, 1.5],
      volume: [1, 1],
    };
    expect(() => renderCandlestick(bar, { width: 10 })).toThrow(
      /finite open for every bar, received NaN at row 1/,
    );
  });

  it('accepts only integer seeds', () => {
    expect(() => mlpEncoder({ units: [2], seed: 1.5 })).toThrow(
      /seed to be an integer, received 1.5/,
    );
    expect(() => mlpEncoder({ units: [2], seed: -3 })).not.toThrow();
  });
});
