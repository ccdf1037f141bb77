import { describe, expect, it } from 'vitest';

import {
  bollingerWidth,
  ema,
  macd,
  rsi,
  sma,
  stochastic,
} from '../../src/data';
import { expectClose } from '../helpers';

const nan = NaN;

describe('sma', () => {
  it('averages the last n values, NaN before the first full window', () => {
    expect(sma([1, 2, 3, 4, 5, 6], 3)).toEqual(
      Float64Array.from([nan, nan, 2, 3, 4, 5]),
    );
  });

  it('starts after a NaN prefix', () => {
    expect(sma([nan, nan, 3, 6, 9], 2)).toEqual(
      Float64Array.from([nan, nan, nan, 4.5, 7.5]),
    );
  });

  it('rejects a NaN after the first finite value', () => {
    expect(() => sma([1, nan, 3], 2)).toThrow(
      'sma: expected finite values after the first finite one (index 0), ' +
        'received NaN at index 1',
    );
    expect(() => sma([1, 2], 0)).toThrow(/period to be an integer >= 1/);
  });
});

describe('ema', () => {
  it('is seeded with the mean of the first n values at the n-th', () => {
    // alpha = 0.5: seed (1+2+3)/3 = 2, then 0.5*4 + 0.5*2 = 3, then 4.
    expect(ema([1, 2, 3, 4, 5], 3)).toEqual(
      Float64Array.from([nan, nan, 2, 3, 4]),
    );
  });

  it('seeds at the n-th valid input after a NaN prefix', () => {
    expect(ema([nan, 2, 4, 9], 2)).toEqual(Float64Array.from([nan, nan, 3, 7]));
  });

  it('is all NaN when there are fewer than n values', () => {
    expect(ema([1, 2], 3).every(Number.isNaN)).toBe(true);
  });
});

describe('rsi', () => {
  it('follows Wilder smoothing on a hand-computed series', () => {
    // Deltas +1, -1, +1: first averages (1+0)/2 and (0+1)/2 give 50;
    // then gain (0.5 + 1)/2 = 0.75, loss 0.25, RS 3, RSI 75.
    expect(rsi([1, 2, 1, 2], 2)).toEqual(Float64Array.from([nan, nan, 50, 75]));
  });

  it('is 100 when nothing fell and 50 when nothing moved', () => {
    const rising = Array.from({ length: 20 }, (_, i) => 100 + i);
    expect(rsi(rising)[14]).toBe(100);
    expect(rsi(new Array(20).fill(100))[19]).toBe(50);
  });

  it('becomes valid at index 14 with the default period', () => {
    const values = rsi(Array.from({ length: 20 }, (_, i) => 100 + (i % 3)));
    expect(Number.isNaN(values[13])).toBe(true);
    expect(Number.isFinite(values[14])).toBe(true);
  });
});

describe('macd', () => {
  const close = Array.from({ length: 40 }, (_, i) => 100 + Math.sin(i));

  it('is valid from index 25 and its signal from index 33', () => {
    const { macd: line, signal } = macd(close);
    expect(Number.isNaN(line[24])).toBe(true);
    expect(Number.isFinite(line[25])).toBe(true);
    expect(Number.isNaN(signal[32])).toBe(true);
    expect(Number.isFinite(signal[33])).toBe(true);
  });

  it('equals the difference of the two EMAs and the EMA of that', () => {
    const { macd: line, signal } = macd(close);
    const fast = ema(close, 12);
    const slow = ema(close, 26);
    expectClose(
      line.subarray(25),
      fast.map((f, i) => f - (slow[i] as number)).subarray(25),
      { atol: 0, rtol: 0 },
    );
    expectClose(signal.subarray(33), ema(line, 9).subarray(33), {
      atol: 0,
      rtol: 0,
    });
  });

  it('gives a zero signal line, not a missing one, on a flat series', () => {
    const { macd: line, signal } = macd(new Array(40).fill(50));
    expect(line[39]).toBe(0);
    expect(signal[39]).toBe(0);
  });

  it('rejects fast >= slow', () => {
    expect(() => macd(close, { fast: 26, slow: 12 })).toThrow(
      'macd: expected fast < slow, received fast 26, slow 12',
    );
  });
});

describe('stochastic', () => {
  it('computes %K over the window and %D as its moving average', () => {
    const high = [3, 4, 5, 6];
    const low = [1, 2, 3, 4];
    const close = [2, 3, 5, 4];
    const { k, d } = stochastic(high, low, close, { period: 2, smoothing: 2 });
    // t=1: HH 4, LL 1 -> 100*(3-1)/3; t=2: HH 5, LL 2 -> 100;
    // t=3: HH 6, LL 3 -> 100*(4-3)/3.
    expectClose(k.subarray(1), [200 / 3, 100, 100 / 3], { atol: 1e-12 });
    expect(Number.isNaN(k[0])).toBe(true);
    expectClose(d.subarray(2), [(200 / 3 + 100) / 2, (100 + 100 / 3) / 2]);
  });

  it('is 50 when the highest high equals the lowest low', () => {
    const flat = new Array(12).fill(7);
    const { k, d } = stochastic(flat, flat, flat);
    expect(k[8]).toBe(50);
    expect(d[11]).toBe(50);
  });

  it('rejects inputs of different lengths', () => {
    expect(() => stochastic([1, 2], [1], [1, 2])).toThrow(
      'stochastic: expected high, low and close of one length, ' +
        'received 2, 1 and 2',
    );
  });
});

describe('bollingerWidth', () => {
  it('is 2 * k * population std / mean over the window', () => {
    // [1, 2, 3]: mean 2, population std sqrt(2/3); width 4*sqrt(2/3)/2.
    const width = bollingerWidth([1, 2, 3, 4], { period: 3 });
    expect(Number.isNaN(width[1])).toBe(true);
    expectClose(
      width.subarray(2),
      [2 * Math.sqrt(2 / 3), (4 * Math.sqrt(2 / 3)) / 3],
      { atol: 0, rtol: 1e-14 },
    );
  });
});
