/**
 * Forward and backward time of each fusion operator at batch 64 and
 * embeddings of 64 to 256, against a plain-tfjs version of the same formula
 * written the way one would by hand, as ratios (modalfuse / plain), on wasm
 * and cpu, in the same run.
 *
 * Backward: gradients of sum(output) with respect to every weight.
 * Attention: queries and keys of 16 steps, 4 heads, width = embedding.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import * as tf from '@tensorflow/tfjs-core';

import {
  CrossAttentionFusion,
  createFusion,
  installKernels,
  type FusionKind,
  type FusionLayer,
} from '../src/index';
import {
  compare,
  type Headline,
  headline,
  isQuick,
  machine,
  ratio,
  repeatsFor,
  writeResult,
} from './harness';

const BATCH = 64;
const UNITS = 32;
const STEPS = 16;
const HEADS = 4;

type Weights = Record<string, tf.Variable>;

/** A plain-tfjs formula: inputs and its own weights to the output. */
type Plain = (xs: tf.Tensor[], w: Weights) => tf.Tensor;

interface OpCase {
  kind: FusionKind;
  /** Shapes of the plain version's weights, for embedding size d. */
  weights: (d: number) => Record<string, number[]>;
  plain: Plain;
  /** Inputs for embedding size d. */
  inputs?: (d: number) => tf.Tensor[];
}

const mm = (a: tf.Tensor, b: tf.Tensor) =>
  tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);

const CASES: OpCase[] = [
  {
    kind: 'concat',
    weights: () => ({}),
    plain: (xs) => tf.concat(xs, -1),
  },
  {
    // x1 A reshaped [d1, d2·K], then the product with x2 summed over d2.
    kind: 'bilinear',
    weights: (d) => ({ a: [d, d, UNITS], b: [UNITS] }),
    plain: ([x1, x2], w) => {
      const d = x1!.shape[1] as number;
      const t = tf.reshape(mm(x1!, tf.reshape(w.a!, [d, d * UNITS])), [
        BATCH,
        d,
        UNITS,
      ]);
      return tf.add(tf.sum(tf.mul(t, tf.reshape(x2!, [BATCH, d, 1])), 1), w.b!);
    },
  },
  {
    kind: 'lowrank',
    weights: (d) => ({
      u: [d, 32],
      c: [32],
      v: [d, 32],
      e: [32],
      p: [32, UNITS],
      b: [UNITS],
    }),
    plain: ([x1, x2], w) =>
      tf.add(
        mm(
          tf.mul(
            tf.tanh(tf.add(mm(x1!, w.u!), w.c!)),
            tf.tanh(tf.add(mm(x2!, w.v!), w.e!)),
          ),
          w.p!,
        ),
        w.b!,
      ),
  },
  {
    // Ones appended by concat, outer product, flatten, dense.
    kind: 'tensor',
    weights: (d) => ({ w: [(d + 1) * (d + 1), UNITS], b: [UNITS] }),
    plain: ([x1, x2], w) => {
      const one = tf.ones([BATCH, 1]);
      const a = tf.concat([x1!, one], 1);
      const b = tf.concat([x2!, one], 1);
      const d = a.shape[1] as number;
      const z = tf.reshape(
        tf.mul(tf.reshape(a, [BATCH, d, 1]), tf.reshape(b, [BATCH, 1, d])),
        [BATCH, d * d],
      );
      return tf.add(mm(z, w.w!), w.b!);
    },
  },
  {
    // As LMF's reference: [x; 1] times factors [r, d + 1, units].
    kind: 'lowrank-tensor',
    weights: (d) => ({
      f1: [8, d + 1, UNITS],
      f2: [8, d + 1, UNITS],
      r: [8, 1, 1],
      b: [UNITS],
    }),
    plain: ([x1, x2], w) => {
      const one = tf.ones([BATCH, 1]);
      const term = (x: tf.Tensor, f: tf.Tensor) =>
        tf.matMul(
          tf.tile(tf.expandDims(tf.concat([x, one], 1), 0), [8, 1, 1]),
          f as tf.Tensor3D,
        ); // [r, batch, units]
      const z = tf.mul(term(x1!, w.f1!), term(x2!, w.f2!));
      return tf.add(tf.sum(tf.mul(z, w.r!), 0), w.b!);
    },
  },
  {
    kind: 'gated',
    weights: (d) => ({
      w1: [d, UNITS],
      b1: [UNITS],
      w2: [d, UNITS],
      b2: [UNITS],
      g: [2 * d, 2 * UNITS],
      bg: [2 * UNITS],
    }),
    plain: ([x1, x2], w) => {
      const h = tf.stack(
        [
          tf.tanh(tf.add(mm(x1!, w.w1!), w.b1!)),
          tf.tanh(tf.add(mm(x2!, w.w2!), w.b2!)),
        ],
        1,
      ); // [batch, 2, units]
      const logits = tf.add(mm(tf.concat([x1!, x2!], 1), w.g!), w.bg!);
      const gates = tf.softmax(
        tf.transpose(tf.reshape(logits, [BATCH, 2, UNITS]), [0, 2, 1]),
      ); // [batch, units, 2]
      return tf.sum(tf.mul(tf.transpose(h, [0, 2, 1]), gates), -1);
    },
  },
  {
    // Per-head loop with slices, the usual hand-written multi-head form.
    kind: 'attention',
    inputs: (d) => [
      tf.randomNormal([BATCH, STEPS, d], 0, 1, 'float32', 1),
      tf.randomNormal([BATCH, STEPS, d], 0, 1, 'float32', 2),
    ],
    weights: (d) => ({
      wq: [d, d],
      bq: [d],
      wk: [d, d],
      bk: [d],
      wv: [d, d],
      bv: [d],
      wo: [d, d],
      bo: [d],
    }),
    plain: ([q, kv], w) => {
      const d = q!.shape[2] as number;
      const dh = d / HEADS;
      // (Rank-3 × rank-2 matMul has a broken gradient in tfjs 4.22.)
      const proj = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => {
        const [n, len] = x.shape as [number, number, number];
        const y = tf.add(mm(tf.reshape(x, [n * len, d]), k), b);
        return tf.reshape(y, [n, len, d]);
      };
      const Q = proj(q!, w.wq!, w.bq!);
      const K = proj(kv!, w.wk!, w.bk!);
      const V = proj(kv!, w.wv!, w.bv!);
      const heads: tf.Tensor[] = [];
      for (let h = 0; h < HEADS; h++) {
        const part = (x: tf.Tensor) =>
          tf.slice(x, [0, 0, h * dh], [-1, -1, dh]);
        const scores = tf.div(
          tf.matMul(part(Q), part(K), false, true),
          Math.sqrt(dh),
        );
        heads.push(tf.matMul(tf.softmax(scores), part(V)));
      }
      return proj(tf.concat(heads, -1), w.wo!, w.bo!);
    },
  },
];

function layerFor(kind: FusionKind): FusionLayer {
  if (kind === 'attention') {
    // Cross-attention proper: queries from 'a', keys and values from 'b'.
    return new CrossAttentionFusion({
      modalities: ['a', 'b'],
      query: 'a',
      heads: HEADS,
      seed: 1,
    });
  }
  return createFusion(kind, ['a', 'b'], {
    units: UNITS,
    rank: kind === 'lowrank' ? 32 : 8,
    projection: null,
    seed: 1,
  });
}

async function benchCase(c: OpCase, d: number, repeats: number) {
  // Inputs are variables too, so backward covers input gradients as well.
  const xs = (
    c.inputs?.(d) ??
    [1, 2].map((s) => tf.randomNormal([BATCH, d], 0, 1, 'float32', s))
  ).map((x) => tf.variable(x));
  const layer = layerFor(c.kind);
  tf.dispose(layer.apply(xs) as tf.Tensor); // build
  const layerVars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const plainVars: Weights = Object.fromEntries(
    Object.entries(c.weights(d)).map(([k, shape], i) => [
      k,
      tf.variable(tf.randomNormal(shape, 0, 0.05, 'float32', 10 + i)),
    ]),
  );
  const forward = (f: () => tf.Tensor) => () =>
    tf.tidy(() => {
      f().dataSync();
    });
  const backward = (f: () => tf.Tensor, vars: tf.Variable[]) => () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => tf.sum(f()) as tf.Scalar,
        [...xs, ...vars],
      );
      Object.values(grads).forEach((g) => g.dataSync());
    });
  const mf = () => layer.apply(xs) as tf.Tensor;
  const pl = () => c.plain(xs, plainVars);
  const fwd = await compare(
    { modalfuse: forward(mf), plain: forward(pl) },
    repeats,
  );
  const bwd = await compare(
    {
      modalfuse: backward(mf, layerVars),
      plain: backward(pl, Object.values(plainVars)),
    },
    repeats,
  );
  tf.dispose([...xs, ...Object.values(plainVars)]);
  layer.dispose();
  return {
    op: c.kind,
    dim: d,
    timings: { forward: fwd, backward: bwd },
    forwardMs: { modalfuse: fwd.modalfuse!.median, plain: fwd.plain!.median },
    forwardRatio: ratio(fwd.modalfuse!, fwd.plain!),
    backwardMs: { modalfuse: bwd.modalfuse!.median, plain: bwd.plain!.median },
    backwardRatio: ratio(bwd.modalfuse!, bwd.plain!),
  };
}

const repeats = repeatsFor(5, 2);
// BENCH_DIMS=64,128 and BENCH_BACKENDS=wasm narrow a run; --quick runs 128.
const dims = (process.env.BENCH_DIMS ?? (isQuick() ? '128' : '64,128,256'))
  .split(',')
  .map(Number);
const backends = (process.env.BENCH_BACKENDS ?? 'wasm,cpu').split(',') as (
  'wasm' | 'cpu'
)[];
const results: Record<string, unknown[]> = {};
const headlines: Headline[] = [];
// The summary shows the middle size; the JSON has them all.
const shown = dims[Math.floor(dims.length / 2)];
for (const backend of backends) {
  await tf.setBackend(backend);
  await tf.ready();
  installKernels();
  results[backend] = [];
  console.log(`\nfusion operators on ${backend}, batch ${BATCH}:`);
  console.log(
    '  op              dim   forward ms (mf/plain, ratio)   backward ms (mf/plain, ratio)',
  );
  for (const c of CASES) {
    for (const d of dims) {
      const { timings, ...r } = await benchCase(c, d, repeats);
      results[backend]!.push(r);
      if (d === shown) {
        for (const kind of ['forward', 'backward'] as const) {
          headlines.push(
            headline(
              `${c.kind} fusion d${d} ${kind}`,
              backend,
              timings[kind].modalfuse!,
              timings[kind].plain!,
              'plain tfjs ops',
              '<= 1.05',
            ),
          );
        }
      }
      const f = (v: number) => v.toFixed(2).padStart(7);
      console.log(
        `  ${c.kind.padEnd(15)} ${String(d).padStart(3)}  ` +
          `${f(r.forwardMs.modalfuse)} /${f(r.forwardMs.plain)}  ` +
          `${r.forwardRatio.ofMedians.toFixed(2)}        ` +
          `${f(r.backwardMs.modalfuse)} /${f(r.backwardMs.plain)}  ` +
          `${r.backwardRatio.ofMedians.toFixed(2)}`,
      );
    }
  }
}
await writeResult('fusion-ops', {
  machine: machine(),
  setup: {
    batch: BATCH,
    units: UNITS,
    dims,
    attention: { steps: STEPS, heads: HEADS },
    ranks: { lowrank: 32, 'lowrank-tensor': 8 },
    repeats,
  },
  goal: 'ratio <= 1.05 against the same formula in plain tfjs',
  results,
  headlines,
});
