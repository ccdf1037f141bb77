// Runs inside a temporary project that installed the packed tarball, as
// `node esm.mjs <tfjs-package>`: the ESM entries import, a fused model
// with an LSTM (default orthogonal initializer) trains, saves and loads
// through modalfuse/node, and a Node-only loader reads a file. Prints one
// JSON line for pack.test.ts.
/* global process, console */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tfPackage = process.argv[2] ?? '@tensorflow/tfjs-core';
const tf = await import(tfPackage);
if (tfPackage === '@tensorflow/tfjs-core') {
  await import('@tensorflow/tfjs-backend-cpu');
}
const mf = await import('modalfuse');
const { loadModel, saveModel } = await import('modalfuse/node');

await tf.setBackend('cpu');
const model = mf.buildModel({
  modalities: {
    series: { shape: [5, 2], encoder: mf.lstmEncoder({ units: [4] }) },
    table: { shape: [3], encoder: mf.mlpEncoder({ units: [4], seed: 1 }) },
  },
  heads: { name: 'y' },
  seed: 2,
});
const inputs = {
  series: tf.randomNormal([16, 5, 2], 0, 1, 'float32', 3),
  table: tf.randomNormal([16, 3], 0, 1, 'float32', 4),
};
const targets = tf.randomNormal([16, 1], 0, 1, 'float32', 5);
const history = await mf.fitModel(model, inputs, targets, {
  epochs: 2,
  batchSize: 8,
  seed: 6,
});

const dir = await mkdtemp(join(tmpdir(), 'modalfuse-consumer-'));
await saveModel(model, dir);
const loaded = await loadModel(dir);
const ordered = mf.orderInputs(model, inputs);
const before = model.predict(ordered).dataSync();
const after = loaded.predict(ordered).dataSync();
const maxDiff = Math.max(...before.map((v, i) => Math.abs(v - after[i])));

const csv = join(dir, 'prices.csv');
await writeFile(
  csv,
  'Date,Open,High,Low,Close,Volume\n' +
    '2024-01-02,10,11,9,10.5,100\n' +
    '2024-01-03,10.5,12,10,11,120\n',
);
const series = await mf.loadOhlcv(csv);
await rm(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    tfjs: tfPackage,
    backend: tf.getBackend(),
    exports: Object.keys(mf).length,
    epochs: history.epochs.length,
    finiteLoss: history.epochs.every((e) => Number.isFinite(e.loss)),
    maxDiff,
    sessions: series.dates,
  }),
);
