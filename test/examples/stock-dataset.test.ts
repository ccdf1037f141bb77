import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { beforeAll, describe, expect, it } from 'vitest';

import {
  prepareDataset,
  type Dataset,
} from '../../examples/stock-prediction/dataset';
import { DEFAULT_PRICES } from '../../examples/stock-prediction/options';
import type { Sp500Fixture } from '../data/sp500';
import { expectClose, readFixture } from '../helpers';

let data: Dataset;
let fixture: Sp500Fixture;

beforeAll(async () => {
  fixture = await readFixture<Sp500Fixture>('fixture_sp500.json');
  data = prepareDataset({
    pricesText: await readFile(DEFAULT_PRICES, 'utf8'),
    window: 20,
    horizon: 20,
  });
});

describe('stock-prediction example, deterministic part (spec S1-S6)', () => {
  it('computes the 13 features of the first 20 post-warm-up rows to 1e-9', () => {
    expect(data.table.names).toEqual(fixture.features);
    expect(data.table.dates.length).toBe(fixture.meta.rows_after_warmup);
    fixture.first_rows.forEach((row, i) => {
      expect(data.table.dates[i]).toBe(row.date);
      expectClose(data.table.rows[i]!, row.raw_features, {
        atol: 0,
        rtol: 1e-9,
      });
    });
  });

  it('labels sample 0 from the 20 sessions after it, today excluded', () => {
    expect(data.samples.dates[0]).toBe(fixture.sample0.date);
    expect(data.samples.t[0]).toBe(fixture.sample0.t);
    expectClose(
      [data.samples.yMax[0]!, data.samples.yMin[0]!],
      fixture.sample0.y,
      {
        atol: 0,
        rtol: 1e-12,
      },
    );
  });

  it('splits 70/15/15 with 19 purged samples before each boundary', () => {
    const { train, val, test } = data.parts;
    const m = fixture.meta;
    expect(data.samples.t.length).toBe(m.n_samples);
    expect([train.y.length, val.y.length, test.y.length]).toEqual([
      m.n_train,
      m.n_val,
      m.n_test,
    ]);
    expect([train.dates[0], train.dates.at(-1)]).toEqual(m.train_dates);
    expect([val.dates[0], val.dates.at(-1)]).toEqual(m.val_dates);
    expect([test.dates[0], test.dates.at(-1)]).toEqual(m.test_dates);
  });

  it('fits the scaler on the training input rows only', () => {
    const [first, last] = data.scalerRows;
    expect([data.table.dates[first], data.table.dates[last]]).toEqual(
      fixture.meta.scaler_rows,
    );
    expectClose(data.scaler.mean, fixture.meta.scaler_mean, {
      atol: 0,
      rtol: 1e-9,
    });
    expectClose(data.scaler.std, fixture.meta.scaler_std, {
      atol: 0,
      rtol: 1e-9,
    });
    // Sample 0's first input row, scaled, as float32.
    const features = data.table.names.length;
    expectClose(
      data.parts.train.windows.subarray(0, features),
      fixture.sample0.scaled_window_row0,
      {
        atol: 0,
        rtol: 0,
      },
    );
  });

  it('lets test inputs leave the training range: prices trend up', () => {
    const close = data.table.names.indexOf('close');
    const features = data.table.names.length;
    const test = data.parts.test.windows;
    let max = -Infinity;
    for (let i = close; i < test.length; i += features)
      max = Math.max(max, test[i]!);
    expect(max).toBeGreaterThan(3);
  });

  it('draws sample 0 and every chart byte for byte as the reference', () => {
    const [n, h, w] = data.images.shape;
    expect([n, h, w]).toEqual([fixture.meta.n_samples, 64, 64]);
    const first = data.images.pixels.subarray(0, h * w);
    const hex = Array.from({ length: h }, (_, r) =>
      Buffer.from(first.subarray(r * w, (r + 1) * w)).toString('hex'),
    );
    expect(hex).toEqual(fixture.sample0.image_rows_hex);
    const digest = createHash('sha256')
      .update(data.images.pixels)
      .digest('hex');
    expect(digest).toBe(fixture.meta.images_sha256);
  });

  it('keeps chart floats equal to pixels / 255 in the parts', () => {
    expect(data.parts.train.charts[0 * 4096 + 120]).toBe(
      data.images.pixels[120]! / 255,
    );
  });
});
