import { describe, expect, it } from 'vitest';

import { StandardScaler, gatherWindows } from '../../src/data';
import { expectClose } from '../helpers';
import { sp500Pipeline } from './sp500';

async function fittedOnTraining() {
  const pipeline = await sp500Pipeline();
  const { samples, split, table } = pipeline;
  const lastTrain = samples.t[split.train[split.train.length - 1] as number];
  const trainingRows = table.rows.slice(0, (lastTrain as number) + 1);
  const scaler = new StandardScaler().fit(trainingRows);
  return { ...pipeline, scaler, lastTrain: lastTrain as number };
}

describe('StandardScaler', () => {
  it('standardizes with the population std and keeps zero spread at 1', () => {
    const scaler = new StandardScaler().fit([
      [1, 10],
      [3, 10],
    ]);
    expect(Array.from(scaler.mean)).toEqual([2, 10]);
    expect(Array.from(scaler.std)).toEqual([1, 1]);
    expect(Array.from(scaler.transform([[5, 12]]))).toEqual([3, 2]);
  });

  it('does not clip: values beyond the fitted range exceed 1', () => {
    const scaler = new StandardScaler().fit([[0], [1], [2]]);
    const z = scaler.transform64([[10]])[0] as number;
    // mean 1, population std sqrt(2/3): z = 9 / sqrt(2/3).
    expect(z).toBeCloseTo(9 / Math.sqrt(2 / 3), 12);
    expect(z).toBeGreaterThan(1);
  });

  it('fits the fixture mean and std on rows 0..last train t', async () => {
    const { scaler, lastTrain, table, fixture } = await fittedOnTraining();
    expect([table.dates[0], table.dates[lastTrain]]).toEqual(
      fixture.meta.scaler_rows,
    );
    expectClose(scaler.mean, fixture.meta.scaler_mean, { atol: 0, rtol: 1e-9 });
    expectClose(scaler.std, fixture.meta.scaler_std, { atol: 0, rtol: 1e-9 });
  });

  it('gives the fixture scaled first row of sample 0 in float32', async () => {
    const { scaler, table, samples, fixture } = await fittedOnTraining();
    const scaled = scaler.transform(table.rows);
    const windows = gatherWindows(scaled, 13, samples.t, 20);
    expect(windows.length).toBe(5033 * 20 * 13);
    expect(Array.from(windows.subarray(0, 13))).toEqual(
      fixture.sample0.scaled_window_row0.map(Math.fround),
    );
  });

  it('maps test closes past the training range beyond 1', async () => {
    const { scaler, table, samples, split, fixture } = await fittedOnTraining();
    const firstTest = samples.t[split.test[0] as number] as number;
    const scaled = scaler.transform64(table.rows.slice(firstTest));
    let maxClose = -Infinity;
    for (let r = 0; r < scaled.length / 13; r++) {
      maxClose = Math.max(maxClose, scaled[r * 13 + 3] as number);
    }
    const [, trainMax] = fixture.meta.train_close_range;
    const expected =
      (3386.149902 - (scaler.mean[3] as number)) / (scaler.std[3] as number);
    expect(trainMax).toBeLessThan(fixture.meta.test_close_range[1]);
    expect(maxClose).toBeGreaterThan(1);
    expect(maxClose).toBeCloseTo(expected, 12);
  });

  it('round-trips through JSON with identical transforms', async () => {
    const { scaler, table } = await fittedOnTraining();
    const json = JSON.parse(JSON.stringify(scaler));
    expect(json.kind).toBe('StandardScaler');
    const restored = StandardScaler.fromJSON(json);
    expect(restored.transform(table.rows)).toEqual(
      scaler.transform(table.rows),
    );
  });

  it('rejects JSON of another kind or with bad statistics', () => {
    expect(() => StandardScaler.fromJSON({ kind: 'MinMaxScaler' })).toThrow(
      "StandardScaler.fromJSON: expected kind 'StandardScaler', " +
        'received "MinMaxScaler"',
    );
    expect(() =>
      StandardScaler.fromJSON({
        kind: 'StandardScaler',
        mean: [0, 1],
        std: [1],
      }),
    ).toThrow(
      'StandardScaler.fromJSON: expected mean and std of one non-zero ' +
        'length, received 2 and 1',
    );
    expect(() =>
      StandardScaler.fromJSON({ kind: 'StandardScaler', mean: [0], std: [0] }),
    ).toThrow(/received mean 0, std 0 for feature 0/);
  });

  it('rejects a transform before fit, another feature count and NaN', () => {
    expect(() => new StandardScaler().transform([[1]])).toThrow(
      'StandardScaler.transform: expected a fitted scaler, received one ' +
        'that was never fitted (call fit or fromJSON first)',
    );
    const scaler = new StandardScaler().fit([[1, 2]]);
    expect(() => scaler.transform([[1, 2, 3]])).toThrow(
      'StandardScaler.transform: expected 2 features per row, received 3 ' +
        'in row 0',
    );
    expect(() => scaler.transform([[1, NaN]])).toThrow(
      'StandardScaler.transform: expected finite values, received NaN in ' +
        'row 0, feature 1',
    );
    expect(() => new StandardScaler().fit([])).toThrow(
      'StandardScaler.fit: expected a non-empty array of rows, received ' +
        'an array of length 0',
    );
  });
});
