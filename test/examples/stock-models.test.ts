import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  FUSION_CHOICES,
  buildThesisModel,
  fusionName,
  modelSpecs,
} from '../../examples/stock-prediction/models';
import { parseOptions } from '../../examples/stock-prediction/options';

const shapes = {
  price: [20, 13] as [number, number],
  chart: [64, 64, 1] as [number, number, number],
};

describe('stock-prediction models', () => {
  it.each(FUSION_CHOICES)(
    'builds the %s fusion model with two outputs',
    (fusion) => {
      const [spec] = modelSpecs([fusion]).filter((s) => s.fusion === fusion);
      const model = buildThesisModel(spec!, shapes, 0);
      const inputs: Record<string, tf.Tensor> = {
        price: tf.zeros([2, 20, 13]),
        chart: tf.zeros([2, 64, 64, 1]),
        presence: tf.ones([2, 2]),
      };
      const out = model.predict(
        model.inputNames.map((n) => inputs[n]!),
      ) as tf.Tensor;
      expect(out.shape).toEqual([2, 2]);
      expect(spec!.name).toBe(fusionName(fusion));
      model.dispose();
    },
  );

  it('gives the same weights for the same seed whatever else is built', () => {
    const [lstm] = modelSpecs([]);
    const a = buildThesisModel(lstm!, shapes, 4).getWeights();
    buildThesisModel(modelSpecs(['gated'])[2]!, shapes, 4);
    const b = buildThesisModel(lstm!, shapes, 4).getWeights();
    a.forEach((w, i) =>
      expect(Array.from(w.dataSync())).toEqual(Array.from(b[i]!.dataSync())),
    );
  });

  it('parses --fusion lists and rejects unknown operators', () => {
    const all = parseOptions(['--fusion', 'all']);
    expect(all !== 'help' && all.fusion).toEqual([...FUSION_CHOICES]);
    const two = parseOptions(['--fusion', 'gated, attention']);
    expect(two !== 'help' && two.fusion).toEqual(['gated', 'attention']);
    const explain = parseOptions(['--explain', '3']);
    expect(explain !== 'help' && explain.explain).toBe(3);
    expect(() => parseOptions(['--explain=-1'])).toThrow(
      /--explain: expected an integer >= 0, received '-1'/,
    );
    expect(() => parseOptions(['--fusion', 'average'])).toThrow(
      /--fusion: expected all or a list of concat, bilinear, .*received 'average'/,
    );
  });
});
