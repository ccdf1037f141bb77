/**
 * The contract every fusion operator keeps: sorted record order, presence
 * masks with placeholders, save-and-reload, no tensor growth, errors that
 * name the layer, and use inside buildModel.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import {
  FUSION_KINDS,
  createFusion,
  type FusionKind,
} from '../../src/fusion/create-fusion';
import type { FusionLayer } from '../../src/fusion/fusion-layer';
import { buildModel } from '../../src/model/build-model';
import { fitModel } from '../../src/model/fit-model';
import { mlpEncoder } from '../../src/encoders/mlp-encoder';
import { expectClose, expectNoLeak } from '../helpers';
import { roundTrip } from '../round-trip';

const OPTIONS = { units: 6, rank: 4, projection: 4, heads: 2, seed: 11 };
const DIMS: Record<string, number> = { beta: 3, alpha: 5, gamma: 4 };

function make(kind: FusionKind, names: string[], name?: string): FusionLayer {
  return createFusion(kind, names, {
    ...OPTIONS,
    ...(name === undefined ? {} : { name }),
  });
}

function inputs(
  names: string[],
  batch = 4,
  seed = 1,
): Record<string, tf.Tensor> {
  return Object.fromEntries(
    names.map((n, i) => [
      n,
      tf.randomNormal([batch, DIMS[n]!], 0, 1, 'float32', seed + i),
    ]),
  );
}

/** A model: modalities and a presence mask → fusion → dense(1). */
function presenceModel(kind: FusionKind, names: string[]): tfl.LayersModel {
  const symbolic = Object.fromEntries(
    names.map((n) => [n, tfl.input({ shape: [DIMS[n]!], name: n })]),
  );
  const presence = tfl.input({ shape: [names.length], name: 'presence' });
  const fused = make(kind, names).applyRecord(symbolic, [presence]);
  const y = tfl.layers
    .dense({ units: 1, kernelInitializer: 'ones', name: 'y' })
    .apply(fused) as tfl.SymbolicTensor;
  return tfl.model({
    inputs: [...[...names].sort().map((n) => symbolic[n]!), presence],
    outputs: y,
  });
}

const TWO = ['beta', 'alpha'];
const THREE = ['gamma', 'alpha', 'beta'];

describe.each(FUSION_KINDS.map((kind) => ({ kind })))(
  'fusion operator $kind',
  ({ kind }) => {
    const sets = kind === 'bilinear' ? [TWO] : [TWO, THREE];

    it.each(sets.map((names) => ({ names, m: names.length })))(
      'gives the same result whatever the record order ($m modalities)',
      ({ names }) => {
        const layer = make(kind, names);
        const xs = inputs(names);
        const forward = layer.applyRecord(xs) as tf.Tensor;
        const reversed = Object.fromEntries(Object.entries(xs).reverse());
        expectClose(layer.applyRecord(reversed) as tf.Tensor, forward, {
          atol: 0,
          rtol: 0,
        });
        expect(forward.shape[0]).toBe(4);
        expect(forward.rank).toBe(2);
      },
    );

    it('ignores an absent modality, which becomes its learned placeholder', async () => {
      // Attention fills an absent query ('alpha'); the others any modality.
      const gone = kind === 'attention' ? 'alpha' : 'beta';
      const d = DIMS[gone]!;
      const model = presenceModel(kind, TWO);
      const layer = model.layers.find((l) => 'modalities' in l) as FusionLayer;
      const phi = layer.weights.find((w) =>
        w.originalName.endsWith(`placeholder_${gone}`),
      );
      expect(phi, 'placeholder weight').toBeDefined();
      const value = [0.5, -1, 2, 1, -0.5].slice(0, d);
      phi!.write(tf.tensor1d(value));
      const x = (seed: number, name: string) =>
        tf.randomNormal([3, DIMS[name]!], 0, 1, 'float32', seed);
      const kept = x(3, gone === 'beta' ? 'alpha' : 'beta');
      const order = (g: tf.Tensor) => (gone === 'beta' ? [kept, g] : [g, kept]);
      const mask = gone === 'beta' ? [1, 0] : [0, 1];
      const absent = tf.tensor2d([mask, mask, mask]);
      const a = model.predict([...order(x(4, gone)), absent]) as tf.Tensor;
      const b = model.predict([...order(x(5, gone)), absent]) as tf.Tensor;
      expectClose(a, b, { atol: 0, rtol: 0 });
      if (kind !== 'attention') {
        // (Attention also masks an absent query modality's own keys.)
        const filled = tf.tile(tf.tensor2d([value]), [3, 1]);
        const present = model.predict([
          ...order(filled),
          tf.ones([3, 2]),
        ]) as tf.Tensor;
        expectClose(a, present, { atol: 1e-6 });
      }

      // Training moves the placeholder of a modality that is absent. (Not
      // for attention here: with the query's own key masked, one key is
      // left, whose weight is 1 whatever the query asks.)
      if (kind === 'attention') return;
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      const before = phi!.read().arraySync() as number[];
      await model.trainOnBatch(
        [...order(x(4, gone)), absent],
        tf.fill([3, 1], 5),
      );
      const after = phi!.read().arraySync() as number[];
      expect(after).not.toEqual(before);
    });

    it('round-trips with identical predictions and leaks nothing over predictions and training steps', async () => {
      const names = sets[sets.length - 1]!;
      const model = presenceModel(kind, names);
      const xs = [
        ...[...names]
          .sort()
          .map((n, i) =>
            tf.randomNormal([4, DIMS[n]!], 0, 1, 'float32', 20 + i),
          ),
        tf.tensor2d(
          [
            [1, 1, 1],
            [1, 0, 1],
            [0, 1, 1],
            [0, 0, 0],
          ].map((r) => r.slice(0, names.length)),
        ),
      ];
      const reloaded = await roundTrip(model);
      expectClose(
        reloaded.predict(xs) as tf.Tensor,
        model.predict(xs) as tf.Tensor,
        { atol: 0, rtol: 0 },
      );
      expect(reloaded.layers.map((l) => l.getClassName())).toEqual(
        model.layers.map((l) => l.getClassName()),
      );
      await expectNoLeak(() => model.predict(xs));
      model.compile({
        optimizer: tf.train.adam(0.01),
        loss: 'meanSquaredError',
      });
      const y = tf.ones([4, 1]);
      await expectNoLeak(() => model.trainOnBatch(xs, y));
      expect(
        Array.from((model.predict(xs) as tf.Tensor).dataSync()).every(
          Number.isFinite,
        ),
      ).toBe(true);
    });

    it('names the layer with expected and received shapes', () => {
      const layer = make(kind, TWO, `bad_${kind.replace('-', '_')}`);
      const label = new RegExp(`'bad_${kind.replace('-', '_')}'`);
      expect(() => layer.apply([tf.ones([4, 5]), tf.ones([3, 3])])).toThrow(
        label,
      );
      expect(() => layer.apply([tf.ones([4, 5]), tf.ones([3, 3])])).toThrow(
        /received shapes \[\[4,5\],\[3,3\]\]/,
      );
      expect(() =>
        layer.apply([tf.ones([4, 5]), tf.ones([4, 3]), tf.ones([4, 3])]),
      ).toThrow(
        /presence mask \[4, 2\] for \[alpha, beta\], received shape \[4,3\]/,
      );
      expect(() =>
        layer.applyRecord({ alpha: tf.ones([4, 5]), delta: tf.ones([4, 3]) }),
      ).toThrow(
        /expected modalities \[alpha, beta\], received \[alpha, delta\]/,
      );
      // (Attention takes sequences; its own tests cover rank errors.)
      if (kind !== 'attention') {
        expect(() =>
          layer.apply([tf.ones([4, 5, 1]), tf.ones([4, 3])]),
        ).toThrow(
          kind === 'concat'
            ? /one rank >= 2 that agree on every axis but the last, received shapes \[\[4,5,1\],\[4,3\]\] for \[alpha, beta\]/
            : /expected 2 inputs of rank 2 for \[alpha, beta\], received shapes \[\[4,5,1\],\[4,3\]\]/,
        );
      }
      if (kind !== 'concat') {
        layer.apply([tf.ones([4, 5]), tf.ones([4, 3])]);
        expect(() => layer.apply([tf.ones([4, 5]), tf.ones([4, 7])])).toThrow(
          /expected inputs \[\[4,5\],\[4,3\]\] for \[alpha, beta\]/,
        );
        expect(() =>
          layer.apply([tf.ones([4, 5]), tf.ones([4, 3]), tf.ones([4, 2])]),
        ).toThrow(/built without one/);
      }
    });

    it('serves as buildModel fusion over encoder outputs and trains', async () => {
      const model = buildModel({
        modalities: {
          table: { shape: [5], encoder: mlpEncoder({ units: [8], seed: 1 }) },
          extra: { shape: [3], encoder: mlpEncoder({ units: [4], seed: 2 }) },
        },
        fusion: make(kind, ['table', 'extra']),
        heads: { name: 'y', hidden: [4] },
        seed: 3,
      });
      const x = {
        table: tf.randomNormal([32, 5], 0, 1, 'float32', 1),
        extra: tf.randomNormal([32, 3], 0, 1, 'float32', 2),
      };
      const y = tf.sum(x.table, -1, true);
      const history = await fitModel(model, x, y, {
        epochs: 3,
        batchSize: 16,
        seed: 1,
        learningRate: 0.01,
      });
      expect(history.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    });
  },
);

describe('createFusion', () => {
  it('rejects unknown kinds and a bilinear fusion of three modalities', () => {
    expect(() => createFusion('sum' as FusionKind, TWO)).toThrow(
      /kind to be one of 'concat', 'bilinear'/,
    );
    expect(() => createFusion('bilinear', THREE)).toThrow(
      /exactly 2 modalities, received 3/,
    );
    expect(() => createFusion('gated', [])).toThrow(/non-empty array/);
  });
});
