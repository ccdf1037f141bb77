import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { conv2dEncoder } from '../../src/encoders/conv2d-encoder';
import { lstmEncoder } from '../../src/encoders/lstm-encoder';
import { buildModel } from '../../src/model/build-model';
import { writeExplanationReport } from '../../examples/stock-prediction/explain-report';

describe('the stock example’s explanation report', () => {
  it('writes pictures and a report that links them, leaving no tensors', async () => {
    const model = buildModel({
      modalities: {
        chart: {
          shape: [16, 16, 1],
          encoder: conv2dEncoder({ filters: [4, 4], seed: 1 }),
        },
        price: {
          shape: [5, 3],
          encoder: lstmEncoder({ units: [4], seed: 2 }),
        },
      },
      heads: [
        { name: 'max', hidden: [4] },
        { name: 'min', hidden: [4] },
      ],
      output: 'concat',
      seed: 3,
    });
    const test = {
      price: tf.randomNormal([9, 5, 3], 0, 1, 'float32', 1),
      chart: tf.randomUniform([9, 16, 16, 1], 0, 1, 'float32', 2),
    };
    const out = await mkdtemp(join(tmpdir(), 'explain-report-'));
    const before = tf.memory().numTensors;
    const files = await writeExplanationReport({
      model,
      test,
      featureNames: ['close', 'volume', 'rsi'],
      dates: Array.from({ length: 9 }, (_, i) => `2020-01-0${i + 1}`),
      out,
      count: 2,
      seed: 0,
      backgroundSize: 3,
      budget: 40,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(files[0]).toBe(join(out, 'explanations.md'));
    // Two samples × (5 SVG charts + Grad-CAM SVG and PNG).
    expect(files).toHaveLength(1 + 2 * 7);
    const report = await readFile(files[0]!, 'utf8');
    for (const f of files.slice(1)) {
      const name = f.split(/[\\/]/).pop()!;
      if (name.endsWith('.svg')) {
        expect(report).toContain(`(${name})`);
        expect(await readFile(f, 'utf8')).toMatch(
          /^<svg [^>]*>[\s\S]*<\/svg>\n$/,
        );
      }
    }
    expect(report).toMatch(/## 2020-01-03/);
    expect(report).toMatch(
      /modalities: chart [+−]\d\.\d{4}, price [+−]\d\.\d{4}/,
    );
    expect(report).toMatch(/40 coalitions × 3 background rows/);
    await rm(out, { recursive: true });
    tf.dispose(Object.values(test));
    model.dispose();
  });
});
