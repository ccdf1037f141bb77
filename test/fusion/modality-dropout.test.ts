import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { concatFusion } from '../../src/fusion/concat-fusion';
import {
  ModalityDropout,
  modalityDropout,
} from '../../src/fusion/modality-dropout';
import { expectClose, expectNoLeak } from '../helpers';
import { roundTrip } from '../round-trip';

const batch = (n: number, d = 2) => tf.ones([n, d]);
const train = { training: true };

describe('ModalityDropout', () => {
  it('passes the presence mask through at inference', () => {
    const drop = modalityDropout({
      modalities: ['a', 'b'],
      rate: 0.9,
      seed: 1,
    });
    const presence = tf.tensor2d([
      [1, 0],
      [1, 1],
    ]);
    expectClose(
      drop.apply([batch(2), batch(2), presence]) as tf.Tensor,
      presence,
      {
        atol: 0,
      },
    );
    expectClose(
      drop.apply([batch(3), batch(3)]) as tf.Tensor,
      tf.ones([3, 2]),
      {
        atol: 0,
      },
    );
  });

  it('drops each modality at its rate while training, from a seeded stream that advances', () => {
    const make = () =>
      modalityDropout({
        modalities: ['b', 'a'],
        rate: { a: 0.5, b: 0.1 },
        keepOne: false,
        seed: 7,
      });
    const drop = make();
    const n = 4000;
    const first = drop.apply([batch(n), batch(n)], train) as tf.Tensor;
    const second = drop.apply([batch(n), batch(n)], train) as tf.Tensor;
    const kept = tf.mean(first, 0).arraySync() as number[];
    expect(kept[0]).toBeCloseTo(0.5, 1); // a, sorted first
    expect(kept[1]).toBeCloseTo(0.9, 1);
    expect(Array.from(first.dataSync())).not.toEqual(
      Array.from(second.dataSync()),
    );
    const again = make().apply([batch(n), batch(n)], train) as tf.Tensor;
    expectClose(again, first, { atol: 0, rtol: 0 });
  });

  it('keeps at least one modality per sample and respects absent ones', () => {
    const drop = modalityDropout({
      modalities: ['a', 'b', 'c'],
      rate: 0.9,
      seed: 3,
    });
    const n = 500;
    const out = drop.apply([batch(n), batch(n), batch(n)], train) as tf.Tensor;
    const perRow = tf.sum(out, -1).dataSync();
    expect(Math.min(...perRow)).toBe(1);
    const values = new Set(out.dataSync());
    expect([...values].sort()).toEqual([0, 1]);

    const presence = tf.tensor2d([[0, 1, 1]]);
    for (let i = 0; i < 20; i++) {
      const m = drop.apply([batch(1), batch(1), batch(1), presence], train);
      expect((m as tf.Tensor).dataSync()[0]).toBe(0);
    }
  });

  it('feeds a fusion layer that replaces dropped modalities, round-trips and leaks nothing', async () => {
    const a = tfl.input({ shape: [2], name: 'a' });
    const b = tfl.input({ shape: [3], name: 'b' });
    const presence = modalityDropout({
      modalities: ['a', 'b'],
      rate: 0.5,
      seed: 2,
      name: 'drop',
    }).applyRecord({ a, b });
    const fused = concatFusion({ modalities: ['a', 'b'] }).applyRecord(
      { a, b },
      [presence],
    );
    const y = tfl.layers.dense({ units: 1 }).apply(fused) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [a, b], outputs: y });
    const xs = [tf.randomNormal([8, 2]), tf.randomNormal([8, 3])];
    const reloaded = await roundTrip(model);
    expectClose(
      reloaded.predict(xs) as tf.Tensor,
      model.predict(xs) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
    const layer = reloaded.getLayer('drop') as ModalityDropout;
    expect(layer.rates).toEqual([0.5, 0.5]);
    expect(layer.seed).toBe(2);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const target = tf.ones([8, 1]);
    // Training drops modalities, so their placeholders learn; inference
    // never does, so predictions ignore the placeholders.
    const placeholders = () =>
      model.weights
        .filter((w) => w.originalName.includes('placeholder'))
        .map((w) => Array.from(w.read().dataSync()));
    const before = placeholders();
    expect(before).toEqual([
      [0, 0],
      [0, 0, 0],
    ]);
    await model.trainOnBatch(xs, target);
    expect(placeholders()).not.toEqual(before);
    await expectNoLeak(() => model.trainOnBatch(xs, target));
    await expectNoLeak(() => model.predict(xs));
  });

  it('rejects rates outside [0, 1) and rates that do not name every modality', () => {
    expect(() => modalityDropout({ modalities: ['a'], rate: 1 })).toThrow(
      /ModalityDropout: expected rate in \[0, 1\), received 1/,
    );
    expect(() =>
      modalityDropout({ modalities: ['a', 'b'], rate: { a: 0.1 } }),
    ).toThrow(/expected a rate for each of \[a, b\], received rates for \[a\]/);
    const drop = modalityDropout({
      modalities: ['a', 'b'],
      rate: 0.1,
      name: 'md',
    });
    expect(() => drop.apply([batch(2), batch(3)])).toThrow(
      /ModalityDropout 'md': expected one batch size for \[a, b\], received shapes \[\[2,2\],\[3,2\]\]/,
    );
  });
});
