// Runs inside a temporary project that installed the packed tarball: the
// CommonJS entries load with require and a small fused model predicts.
// Prints one JSON line for pack.test.ts.
/* global require, console */
/* eslint-disable @typescript-eslint/no-require-imports --
   require() is what this file tests */
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const mf = require('modalfuse');
const mfNode = require('modalfuse/node');

tf.setBackend('cpu').then(() => {
  const model = mf.buildModel({
    modalities: {
      a: { shape: [3], encoder: mf.mlpEncoder({ units: [4], seed: 1 }) },
      b: { shape: [2], encoder: mf.mlpEncoder({ units: [4], seed: 2 }) },
    },
    fusion: mf.gatedFusion({ modalities: ['a', 'b'], units: 4, seed: 3 }),
    heads: { name: 'y' },
    seed: 4,
  });
  const y = model.predict([tf.ones([2, 3]), tf.ones([2, 2])]);
  console.log(
    JSON.stringify({
      exports: Object.keys(mf).length,
      nodeExports: Object.keys(mfNode).sort(),
      shape: y.shape,
      finite: Array.from(y.dataSync()).every(Number.isFinite),
    }),
  );
});
