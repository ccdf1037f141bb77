/**
 * Value and gradient of the alignment losses against plain-tfjs formulas,
 * on cpu and wasm, in the same run, for growing batch sizes.
 *
 * - CLIP loss: `clipLoss` (row-max-shifted log-sum-exp, clamp on the log
 *   scale) against the textbook formula with `tf.norm` normalisation and
 *   `tf.losses.softmaxCrossEntropy` in both directions.
 * - Deep CCA: `deepCcaCorrelation` (Newton–Schulz forward, closed-form
 *   gradient of Andrew et al. 2013 through `tf.customGrad`) against the
 *   same Newton–Schulz formula differentiated by tfjs's autodiff through
 *   every iteration; output size 16, total correlation.
 *
 * Ratios are ours / plain (below 1 = faster), median of per-repeat ratios.
 *
 *   npx tsx bench/alignment.ts [--repeats 7]
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

import { clipLoss, deepCcaCorrelation } from '../src/alignment';
import {
  compare,
  type Headline,
  headline,
  machine,
  memorySnapshot,
  ratio,
  repeatsFor,
  writeResult,
} from './harness';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const repeats = Number(option('repeats', String(repeatsFor(7, 2))));
const CLIP_BATCHES = [32, 128, 512];
const DCCA_BATCHES = [64, 256, 1024];
const DIM = 64;
const O = 16;
const ITERATIONS = 30;

/** The CLIP loss as most code writes it. */
function plainClip(a: tf.Tensor2D, b: tf.Tensor2D, logScale: tf.Scalar) {
  const an = tf.div(a, tf.norm(a, 'euclidean', 1, true));
  const bn = tf.div(b, tf.norm(b, 'euclidean', 1, true));
  const scale = tf.exp(tf.minimum(logScale, Math.log(100)));
  const logits = tf.mul(tf.matMul(an, bn, false, true), scale);
  const n = a.shape[0];
  const labels = tf.oneHot(tf.range(0, n, 1, 'int32'), n);
  const ab = tf.losses.softmaxCrossEntropy(labels, logits);
  const ba = tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits));
  return tf.mul(tf.add(ab, ba), 0.5) as tf.Scalar;
}

/** Deep CCA written directly, differentiated through the iterations. */
function plainDeepCca(h1: tf.Tensor2D, h2: tf.Tensor2D, r = 1e-3) {
  const m = h1.shape[0];
  const o = h1.shape[1];
  const cov = (x: tf.Tensor2D, y: tf.Tensor2D, ridge: number) =>
    tf.add(
      tf.div(tf.matMul(x, y, true, false), m - 1),
      tf.mul(tf.eye(o), ridge),
    ) as tf.Tensor2D;
  const c1 = tf.sub(h1, tf.mean(h1, 0, true)) as tf.Tensor2D;
  const c2 = tf.sub(h2, tf.mean(h2, 0, true)) as tf.Tensor2D;
  const invSqrt = (s: tf.Tensor2D) => {
    const c = tf.norm(s);
    let y = tf.div(s, c) as tf.Tensor2D;
    let z = tf.eye(o) as tf.Tensor2D;
    for (let i = 0; i < ITERATIONS; i++) {
      const t = tf.mul(tf.sub(tf.mul(tf.eye(o), 3), tf.matMul(z, y)), 0.5);
      y = tf.matMul(y, t as tf.Tensor2D);
      z = tf.matMul(t as tf.Tensor2D, z);
    }
    return tf.div(z, tf.sqrt(c)) as tf.Tensor2D;
  };
  const t = tf.matMul(
    tf.matMul(invSqrt(cov(c1, c1, r)), cov(c1, c2, 0)),
    invSqrt(cov(c2, c2, r)),
  );
  let p = t;
  for (let i = 0; i < ITERATIONS; i++) {
    p = tf.sub(
      tf.mul(p, 1.5),
      tf.mul(tf.matMul(p, tf.matMul(p, p, true, false)), 0.5),
    );
  }
  return tf.sum(tf.mul(t, p)) as tf.Scalar;
}

function valueAndGrads(
  f: (...x: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
) {
  return () => {
    const values = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads(f)(inputs);
      return [value, ...grads];
    });
    // Read everything so lazy backends finish the work inside the timing.
    values.forEach((v) => v.dataSync());
    tf.dispose(values);
  };
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  const results: Record<string, unknown> = {};
  const headlines: Headline[] = [];
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    await tf.ready();
    const before = memorySnapshot();
    for (const n of CLIP_BATCHES) {
      const a = tf.randomNormal([n, DIM], 0, 1, 'float32', 1);
      const b = tf.randomNormal([n, DIM], 0, 1, 'float32', 2);
      const s = tf.scalar(Math.log(1 / 0.07));
      const timed = await compare(
        {
          ours: valueAndGrads(
            (x, y, l) => clipLoss(x!, y!, { logScale: l as tf.Scalar }),
            [a, b, s],
          ),
          plain: valueAndGrads(
            (x, y, l) =>
              plainClip(x as tf.Tensor2D, y as tf.Tensor2D, l as tf.Scalar),
            [a, b, s],
          ),
        },
        repeats,
      );
      const r = ratio(timed['ours']!, timed['plain']!);
      if (n === 128) {
        headlines.push(
          headline(
            `CLIP loss+grad b${n}`,
            backend,
            timed['ours']!,
            timed['plain']!,
            'plain tfjs ops',
          ),
        );
      }
      results[`${backend} clip batch ${n}`] = {
        oursMs: timed['ours']!.median,
        plainMs: timed['plain']!.median,
        ratio: r,
      };
      console.log(
        `${backend} clip   batch ${String(n).padStart(4)}: ours ` +
          `${timed['ours']!.median.toFixed(1)} ms, plain ` +
          `${timed['plain']!.median.toFixed(1)} ms, ` +
          `ratio ${r.median.toFixed(2)}`,
      );
      tf.dispose([a, b, s]);
    }
    for (const m of DCCA_BATCHES) {
      const h1 = tf.randomNormal([m, O], 0, 1, 'float32', 3);
      const h2 = tf.tidy(() =>
        tf.add(h1, tf.randomNormal([m, O], 0, 1, 'float32', 4)),
      );
      const timed = await compare(
        {
          ours: valueAndGrads((x, y) => deepCcaCorrelation(x!, y!), [h1, h2]),
          plain: valueAndGrads(
            (x, y) => plainDeepCca(x as tf.Tensor2D, y as tf.Tensor2D),
            [h1, h2],
          ),
        },
        repeats,
      );
      const r = ratio(timed['ours']!, timed['plain']!);
      if (m === 256) {
        headlines.push(
          headline(
            `Deep CCA loss+grad b${m}`,
            backend,
            timed['ours']!,
            timed['plain']!,
            'autodiff of same formula',
          ),
        );
      }
      results[`${backend} dcca batch ${m}`] = {
        oursMs: timed['ours']!.median,
        plainMs: timed['plain']!.median,
        ratio: r,
      };
      console.log(
        `${backend} dcca   batch ${String(m).padStart(4)}: ours ` +
          `${timed['ours']!.median.toFixed(1)} ms, plain ` +
          `${timed['plain']!.median.toFixed(1)} ms, ` +
          `ratio ${r.median.toFixed(2)}`,
      );
      tf.dispose([h1, h2]);
    }
    const after = memorySnapshot();
    if (after.numTensors !== before.numTensors) {
      throw new Error(
        `leak on ${backend}: ${before.numTensors} -> ` +
          `${after.numTensors} tensors`,
      );
    }
  }
  await writeResult('alignment', {
    machine: machine(),
    repeats,
    dim: DIM,
    outputSize: O,
    iterations: ITERATIONS,
    results,
    headlines,
  });
  console.log('Wrote bench/results/alignment.json');
}

await main();
