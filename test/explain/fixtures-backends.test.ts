import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';

import {
  explainGradCam,
  explainIntegratedGradients,
  explainKernelShap,
  explainShapley,
} from '../../src/explain';
import { expectClose, flat, readFixture, type Nested } from '../helpers';
import { fixtureCnn, fixtureMlp } from './models';

interface Fixture {
  inputs: Record<string, Nested>;
  weights: Record<string, unknown>;
  expected: Record<string, Record<string, Nested> | Nested>;
}

function maxError(actual: Nested, expected: Nested): number {
  const a = flat(actual);
  const e = flat(expected);
  return Math.max(...a.map((v, i) => Math.abs(v - e[i]!)));
}

const errors: Record<string, Record<string, number>> = {};

afterAll(async () => {
  await tf.setBackend('cpu');
  console.log(`max abs errors against the fixtures: ${JSON.stringify(errors)}`);
});

describe.each(['cpu', 'wasm'])('fixtures on the %s backend', (backend) => {
  const record = (name: string, value: number) => {
    errors[backend] = { ...errors[backend], [name]: value };
  };

  it('matches shapley.json to 1e-6 (exact and KernelSHAP)', async () => {
    await tf.setBackend(backend);
    const f = await readFixture<Fixture>('shapley.json');
    const model = fixtureMlp(f.weights['mlp'] as never);
    const points = tf.tensor2d(f.inputs['points'] as number[][]);
    const background = tf.tensor2d(f.inputs['background'] as number[][]);
    const expected = (f.expected['mlp'] as Record<string, Nested>)['phi']!;
    const exact = await explainShapley(model, points, { background });
    const kernel = await explainKernelShap(model, points, {
      background,
      seed: 0,
    });
    expectClose(exact.values, expected, { atol: 1e-6, rtol: 1e-6 });
    expectClose(kernel.values, expected, { atol: 1e-6, rtol: 1e-6 });
    record('shapley.exact', maxError(exact.values, expected));
    record('shapley.kernel', maxError(kernel.values, expected));
    tf.dispose([points, background]);
    model.dispose();
  });

  it('matches gradcam.json to 1e-5', async () => {
    await tf.setBackend(backend);
    const f = await readFixture<Fixture>('gradcam.json');
    const model = fixtureCnn(f as never);
    const x = tf.tensor4d(f.inputs['x'] as number[][][][]);
    const cam = await explainGradCam(model, x, { layer: 'conv', size: false });
    expectClose(cam.raw[0]!, f.expected['camRaw'] as Nested);
    expectClose(cam.weights[0]!, f.expected['alpha'] as Nested);
    record(
      'gradcam.camRaw',
      maxError(cam.raw[0]!, f.expected['camRaw'] as Nested),
    );
    record(
      'gradcam.alpha',
      maxError(cam.weights[0]!, f.expected['alpha'] as Nested),
    );
    x.dispose();
    model.dispose();
  });

  it('matches integrated_gradients.json to 1e-5 with |delta| < 1e-5', async () => {
    await tf.setBackend(backend);
    const f = await readFixture<Fixture>('integrated_gradients.json');
    const model = fixtureMlp(f.weights as never);
    const points = tf.tensor2d(f.inputs['points'] as number[][]);
    const ig = await explainIntegratedGradients(model, points, { steps: 50 });
    const expected = f.expected['attributions'] as Nested;
    expectClose(ig.attributions['x']!, expected);
    expect(Math.max(...ig.delta.map(Math.abs))).toBeLessThan(1e-5);
    record('ig.attributions', maxError(ig.attributions['x']!, expected));
    record('ig.maxDelta', Math.max(...ig.delta.map(Math.abs)));
    points.dispose();
    model.dispose();
  });
});
