import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  candlesticksToTensorData,
  renderCandlestick,
  renderCandlesticks,
} from '../../src/data';
import { sp500Pipeline } from './sp500';

/** Two days: an up bar (10 -> 11) and a down bar (11 -> 9). */
const TWO_BARS = {
  open: [10, 11],
  high: [12, 13],
  low: [9, 8],
  close: [11, 9],
  volume: [100, 50],
};

/** An image as one string per row, each pixel as a symbol of `shades`. */
function picture(
  image: Uint8Array,
  width: number,
  shades: Record<number, string>,
): string[] {
  const rows: string[] = [];
  for (let r = 0; r < image.length / width; r++) {
    const row = image.subarray(r * width, (r + 1) * width);
    rows.push(Array.from(row, (v) => shades[v] ?? '?').join(''));
  }
  return rows;
}

describe('renderCandlestick', () => {
  it('draws two bars on a small layout, pixel by pixel', () => {
    // priceRows 6: y(p) = floor((p - 8) / 5 * 5 + 0.5), row 5 - y.
    // Day 0 (up, U): high 12 -> row 1, low 9 -> row 4, open 10 -> row 3,
    // close 11 -> row 2; columns 1..3, wick in 2; volume 100/100 * 2 rows.
    // Day 1 (down, D): high 13 -> row 0, low 8 -> row 5, open 11 -> row 2,
    // close 9 -> row 4; columns 4..6, wick in 5; volume floor(1.5) = 1 row.
    const image = renderCandlestick(TWO_BARS, {
      height: 8,
      width: 8,
      priceRows: 6,
      leftMargin: 1,
      upShade: 9,
      downShade: 5,
    });
    expect(picture(image, 8, { 0: '.', 9: 'U', 5: 'D' })).toEqual([
      '.....D..',
      '..U..D..',
      '.UUUDDD.',
      '.UUUDDD.',
      '..U.DDD.',
      '.....D..',
      '..U.....',
      '..U..D..',
    ]);
  });

  it('draws two bars on the default 64x64 layout, pixel by pixel', () => {
    // y(p) = floor((p - 8) / 5 * 51 + 0.5): 12 -> 41, 9 -> 10, 10 -> 20,
    // 11 -> 31, 13 -> 51, 8 -> 0; row = 51 - y.
    const expected = new Uint8Array(64 * 64);
    const paint = (
      x0: number,
      x1: number,
      r0: number,
      r1: number,
      v: number,
    ) => {
      for (let r = r0; r <= r1; r++) {
        for (let x = x0; x <= x1; x++) expected[r * 64 + x] = v;
      }
    };
    paint(3, 3, 10, 41, 255); // day 0 wick: high row 10 .. low row 41
    paint(2, 4, 20, 31, 255); // day 0 body: close row 20 .. open row 31
    paint(3, 3, 52, 63, 255); // day 0 volume: 12 rows
    paint(6, 6, 0, 51, 128); // day 1 wick: high row 0 .. low row 51
    paint(5, 7, 20, 41, 128); // day 1 body: open row 20 .. close row 41
    paint(6, 6, 58, 63, 128); // day 1 volume: floor(6.5) = 6 rows
    const image = renderCandlestick(TWO_BARS);
    const shades = { 0: '.', 255: 'U', 128: 'D' };
    expect(picture(image, 64, shades)).toEqual(picture(expected, 64, shades));
  });

  it('draws a flat window on y = 25 and no zero volume', () => {
    const image = renderCandlestick({
      open: [5],
      high: [5],
      low: [5],
      close: [5],
      volume: [0],
    });
    const lit = [...image.keys()].filter((i) => image[i] !== 0);
    // Row 51 - 25 = 26, columns 2..4; the wick (column 3) is inside.
    expect(lit).toEqual([26 * 64 + 2, 26 * 64 + 3, 26 * 64 + 4]);
    expect(image[26 * 64 + 2]).toBe(255);
  });

  it('fills the background with the given shade', () => {
    const image = renderCandlestick(TWO_BARS, { background: 7 });
    expect(image[0]).toBe(7);
    expect(image[63 * 64 + 63]).toBe(7);
  });

  it('rejects days that do not fit the width', () => {
    const bars = (n: number) => ({
      open: new Float64Array(n).fill(1),
      high: new Float64Array(n).fill(1),
      low: new Float64Array(n).fill(1),
      close: new Float64Array(n).fill(1),
      volume: new Float64Array(n).fill(1),
    });
    expect(renderCandlestick(bars(20)).length).toBe(4096);
    expect(() => renderCandlestick(bars(21))).toThrow(
      'renderCandlestick: expected 21 days of 3 columns after a margin of 2 ' +
        'to fit in width 64, received a need for 65 columns',
    );
    expect(() => renderCandlestick(TWO_BARS, { priceRows: 65 })).toThrow(
      'renderCandlestick: expected priceRows <= height (64), received 65',
    );
    expect(() => renderCandlestick({ ...TWO_BARS, volume: [1] })).toThrow(
      /received 2, 2, 2, 2 and 1/,
    );
  });
});

describe('renderCandlesticks on the S&P 500 samples', () => {
  it('draws sample 0 byte for byte as the fixture', async () => {
    const { table, samples, fixture } = await sp500Pipeline();
    const images = renderCandlesticks(table.series, samples.t.subarray(0, 1));
    expect(images.shape).toEqual([1, 64, 64]);
    const rows = Array.from({ length: 64 }, (_, r) =>
      Buffer.from(images.pixels.subarray(r * 64, (r + 1) * 64)).toString('hex'),
    );
    expect(rows).toEqual(fixture.sample0.image_rows_hex);
  });

  it('draws all 5,033 images to the fixture SHA-256 in under 2 s', async () => {
    const { table, samples, fixture } = await sp500Pipeline();
    const start = performance.now();
    const images = renderCandlesticks(table.series, samples.t);
    const elapsed = performance.now() - start;
    expect(images.shape).toEqual([5033, 64, 64]);
    const digest = createHash('sha256').update(images.pixels).digest('hex');
    expect(digest).toBe(fixture.meta.images_sha256);
    expect(elapsed).toBeLessThan(2000);
  });

  it('scales to float32 [n, 64, 64, 1] by 1/255', async () => {
    const { table, samples } = await sp500Pipeline();
    const images = renderCandlesticks(table.series, samples.t.subarray(0, 3));
    const tensor = candlesticksToTensorData(images);
    expect(tensor.shape).toEqual([3, 64, 64, 1]);
    expect(tensor.data.length).toBe(3 * 4096);
    const i = images.pixels.indexOf(255);
    expect(tensor.data[i]).toBe(1);
    expect(tensor.data[images.pixels.indexOf(128)]).toBe(
      Math.fround(128 / 255),
    );
    expect(tensor.data[0]).toBe(0);
  });

  it('rejects a window that starts before the series', async () => {
    const { table } = await sp500Pipeline();
    expect(() => renderCandlesticks(table.series, [18])).toThrow(
      'renderCandlesticks: expected every window inside rows 0..5071, ' +
        'received t = 18 for image 0 (days 20)',
    );
  });
});
