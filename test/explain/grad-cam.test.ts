import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { conv1dEncoder } from '../../src/encoders/conv1d-encoder';
import { conv2dEncoder } from '../../src/encoders/conv2d-encoder';
import { lstmEncoder } from '../../src/encoders/lstm-encoder';
import { explainGradCam } from '../../src/explain';
import { splitConvEncoder } from '../../src/explain/encoder-split';
import { buildModel } from '../../src/model/build-model';
import { expectClose, expectNoLeak, readFixture } from '../helpers';
import { fixtureCnn, fusionModel, normalRows } from './models';

interface GradCamFixture {
  inputs: { x: number[][][][]; targetClass: number };
  weights: {
    convKernel: number[][][][];
    convBias: number[];
    denseKernel: number[][];
    denseBias: number[];
  };
  expected: {
    logits: number[][];
    alpha: number[];
    camRaw: number[][];
    cam: number[][];
  };
}

/** Conv (relu) → global average pool → dense with positive weights. */
function pooledModel(rank: 2 | 1, sign = 1): tfl.LayersModel {
  const input = tfl.input({ shape: rank === 2 ? [16, 16, 1] : [24, 2] });
  const conv =
    rank === 2
      ? tfl.layers.conv2d({
          filters: 3,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: 'ones',
          name: 'conv',
        })
      : tfl.layers.conv1d({
          filters: 3,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: 'ones',
          name: 'conv',
        });
  let h = conv.apply(input) as tfl.SymbolicTensor;
  h = (
    rank === 2
      ? tfl.layers.globalAveragePooling2d({})
      : tfl.layers.globalAveragePooling1d({})
  ).apply(h) as tfl.SymbolicTensor;
  const y = tfl.layers
    .dense({
      units: 1,
      kernelInitializer: tfl.initializers.constant({ value: sign }),
    })
    .apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: y });
}

describe('explainGradCam against gradcam.json', () => {
  it('matches alpha, the raw map and its ReLU at conv resolution', async () => {
    const f = await readFixture<GradCamFixture>('gradcam.json');
    const model = fixtureCnn(f);
    const x = tf.tensor4d(f.inputs.x);
    const cam = await explainGradCam(model, x, {
      layer: 'conv',
      output: f.inputs.targetClass,
      size: false,
    });
    expect(cam.kind).toBe('2d');
    expect(cam.rawShape).toEqual([4, 4]);
    expectClose(cam.weights[0]!, f.expected.alpha);
    expectClose(cam.raw[0]!, f.expected.camRaw);
    expectClose(
      cam.raw[0]!.map((v) => Math.max(v, 0)),
      f.expected.cam,
    );
    expectClose(cam.fx, [f.expected.logits[0]![0]!]);
    const top = Math.max(...f.expected.cam.flat());
    expectClose(
      cam.maps[0]!,
      f.expected.cam.flat().map((v) => v / top),
      {
        atol: 1e-5,
        rtol: 1e-5,
      },
    );
    tf.dispose(x);
    model.dispose();
  });
});

describe('explainGradCam', () => {
  it('localizes a 2D region that alone drives the output', async () => {
    const model = pooledModel(2);
    const pixels = new Float32Array(16 * 16);
    for (let r = 2; r < 6; r++)
      for (let c = 9; c < 13; c++) pixels[r * 16 + c] = 1;
    const x = tf.tensor4d(pixels, [1, 16, 16, 1]);
    const cam = await explainGradCam(model, x, { layer: 'conv' });
    expect(cam.mapShape).toEqual([16, 16]);
    const map = cam.maps[0]!;
    const inside: number[] = [];
    const far: number[] = [];
    map.forEach((v, i) => {
      const [r, c] = [Math.floor(i / 16), i % 16];
      if (r >= 2 && r < 6 && c >= 9 && c < 13) inside.push(v);
      else if (r > 7 || c < 7) far.push(v);
    });
    expect(Math.min(...inside)).toBeGreaterThan(0.4);
    expect(Math.max(...far)).toBe(0);
    tf.dispose(x);
    model.dispose();
  });

  it('localizes a stretch of time that alone drives the output (1D)', async () => {
    const model = pooledModel(1);
    const series = new Float32Array(24 * 2);
    for (let t = 15; t < 19; t++) series[t * 2] = 1;
    const x = tf.tensor3d(series, [1, 24, 2]);
    const cam = await explainGradCam(model, x, { layer: 'conv' });
    expect(cam.kind).toBe('1d');
    expect(cam.mapShape).toEqual([24]);
    const map = cam.maps[0]!;
    const peak = map.indexOf(Math.max(...map));
    expect(peak).toBeGreaterThanOrEqual(15);
    expect(peak).toBeLessThan(19);
    expect(Math.max(...map.slice(0, 13))).toBe(0);
    tf.dispose(x);
    model.dispose();
  });

  it('gives zeros and a flag, never NaN, when the map has no positive value', async () => {
    const model = pooledModel(2, -1);
    const x = tf.ones([1, 16, 16, 1]);
    const cam = await explainGradCam(model, x, { layer: 'conv' });
    expect(cam.allNegative).toEqual([true]);
    expect(cam.maps[0]!.every((v) => v === 0)).toBe(true);
    const signed = await explainGradCam(model, x, {
      layer: 'conv',
      signed: true,
    });
    expect(Math.min(...signed.maps[0]!)).toBeCloseTo(-1, 4);
    expect(signed.maps[0]!.every(Number.isFinite)).toBe(true);
    tf.dispose(x);
    model.dispose();
  });

  it('takes gradients at a layer of a two-input fusion model', async () => {
    const model = fusionModel(4);
    const x = {
      image: normalRows(2, [8, 8, 1], 1),
      series: normalRows(2, [5, 3], 2),
    };
    const cam = await explainGradCam(model, x, {
      layer: 'conv_a',
      output: 1,
      size: false,
    });
    // The head is linear: dy/dA is the image part of its kernel column.
    const head = model.getLayer('head').getWeights()[0]!;
    const conv = model.getLayer('conv_a');
    const sub = tfl.model({
      inputs: model.inputs[0]!,
      outputs: conv.output as tfl.SymbolicTensor,
    });
    const A = sub.predict(x.image) as tf.Tensor4D;
    const grad = tf.reshape(tf.slice(head, [0, 1], [256, 1]), [1, 8, 8, 4]);
    const alpha = tf.mean(grad, [1, 2]);
    const raw = tf.sum(tf.mul(A, tf.reshape(alpha, [1, 1, 1, 4])), -1);
    expectClose(cam.weights[0]!, alpha);
    expectClose(cam.weights[1]!, alpha);
    expectClose(cam.raw.flat(), raw);
    const y = model.predict([x.image, x.series]) as tf.Tensor;
    expectClose(
      cam.fx,
      Array.from(y.dataSync()).filter((_, k) => k % 2 === 1),
    );
    tf.dispose([x.image, x.series, A, grad, alpha, raw, y]);
    model.dispose();
  });

  it('reaches a block inside a Conv2dEncoder of a built fusion model', async () => {
    const model = buildModel({
      modalities: {
        chart: {
          shape: [16, 16, 1],
          encoder: conv2dEncoder({ filters: [4, 6, 8], seed: 1, name: 'cnn' }),
        },
        price: {
          shape: [5, 3],
          encoder: lstmEncoder({ units: [4], seed: 2 }),
        },
      },
      heads: { name: 'y', units: 2 },
      seed: 3,
    });
    const x = {
      chart: tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 1),
      price: normalRows(2, [5, 3], 2),
    };
    const last = await explainGradCam(model, x, { layer: 'cnn' });
    expect(last.block).toBe(2);
    expect(last.rawShape).toEqual([4, 4]);
    expect(last.mapShape).toEqual([16, 16]);
    const first = await explainGradCam(model, x, { layer: 'cnn', block: 0 });
    expect(first.rawShape).toEqual([16, 16]);
    expect(first.maps[0]!.every((v) => v >= 0 && v <= 1)).toBe(true);
    await expect(
      explainGradCam(model, x, { layer: 'cnn', block: 3 }),
    ).rejects.toThrow(/expected block in \[0, 2\].*received 3/);
    tf.dispose(Object.values(x));
    model.dispose();
  });

  it.each(['2d', '1d'])(
    'splits a conv encoder so that after(before(x)) is its output (%s)',
    (kind) => {
      const encoder =
        kind === '2d'
          ? conv2dEncoder({ filters: [3, 4, 5], activation: 'tanh', seed: 1 })
          : conv1dEncoder({
              filters: [3, 4],
              poolSize: 2,
              dilation: 2,
              seed: 2,
            });
      const x =
        kind === '2d'
          ? tf.randomNormal([2, 16, 16, 2], 0, 1, 'float32', 3)
          : tf.randomNormal([2, 12, 3], 0, 1, 'float32', 4);
      const whole = encoder.apply(x) as tf.Tensor;
      for (let b = 0; b < encoder.filters.length; b++) {
        const split = splitConvEncoder('test', encoder, b);
        const parts = tf.tidy(() => split.after(split.before([x])));
        expectClose(parts, whole, { atol: 1e-6, rtol: 1e-5 });
        parts.dispose();
      }
      tf.dispose([x, whole]);
    },
  );

  it('reaches a layer of a nested model through a path', async () => {
    const inner = pooledModel(2);
    const input = tfl.input({ shape: [16, 16, 1] });
    const outer = tfl.model({
      inputs: input,
      outputs: inner.apply(input) as tfl.SymbolicTensor,
    });
    const x = tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 5);
    const direct = await explainGradCam(inner, x, { layer: 'conv' });
    const nested = await explainGradCam(outer, x, {
      layer: `${inner.name}/conv`,
    });
    const found = await explainGradCam(outer, x, { layer: 'conv' });
    expectClose(nested.raw, direct.raw);
    expectClose(found.maps, direct.maps);
    tf.dispose(x);
    outer.dispose();
  });

  it('says when a layer has no spatial extent or does not exist', async () => {
    const model = fusionModel(5);
    const x = { image: tf.zeros([1, 8, 8, 1]), series: tf.zeros([1, 5, 3]) };
    await expect(explainGradCam(model, x, { layer: 'head' })).rejects.toThrow(
      /layer 'head' gives a feature map of shape \[1,2\], which has no spatial axes/,
    );
    await expect(explainGradCam(model, x, { layer: 'nope' })).rejects.toThrow(
      /has no layer 'nope'; its layers are \[.*conv_a.*\]/,
    );
    await expect(
      explainGradCam(model, x, { layer: 'conv_a', block: 1 }),
    ).rejects.toThrow(/block applies to a Conv2dEncoder or Conv1dEncoder/);
    tf.dispose(Object.values(x));
    model.dispose();
  });

  it('leaves no tensors behind', async () => {
    const model = fusionModel(6);
    const x = {
      image: normalRows(2, [8, 8, 1], 1),
      series: normalRows(2, [5, 3], 2),
    };
    await expectNoLeak(() => explainGradCam(model, x, { layer: 'conv_a' }));
    tf.dispose(Object.values(x));
    model.dispose();
  });
});
