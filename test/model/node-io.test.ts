import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';

import { conv2dEncoder } from '../../src/encoders/conv2d-encoder';
import { lstmEncoder } from '../../src/encoders/lstm-encoder';
import { buildModel } from '../../src/model/build-model';
import { fileSystem, loadModel, saveModel } from '../../src/node';
import { expectClose } from '../helpers';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'modalfuse-io-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function fusionModel() {
  return buildModel({
    modalities: {
      price: {
        shape: [5, 3],
        encoder: lstmEncoder({ units: [4, 4], dropout: 0.2, seed: 1 }),
      },
      chart: {
        shape: [8, 8, 1],
        encoder: conv2dEncoder({ filters: [2, 2], seed: 1 }),
      },
    },
    heads: [
      { name: 'max', hidden: [4] },
      { name: 'min', hidden: [4] },
    ],
    output: 'concat',
    seed: 1,
  });
}

describe('Node file IO', () => {
  const xs = () => [
    tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 1),
    tf.randomNormal([3, 5, 3], 0, 1, 'float32', 2),
  ];

  it('saves model.json and weights.bin and loads identical predictions', async () => {
    const dir = await tempDir();
    const model = fusionModel();
    await saveModel(model, dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const reloaded = await loadModel(dir);
    expectClose(
      reloaded.predict(xs()) as tf.Tensor,
      model.predict(xs()) as tf.Tensor,
      {
        atol: 0,
        rtol: 0,
      },
    );
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
  });

  it("makes model.save('file://...') and tf.loadLayersModel('file://...') work", async () => {
    const dir = await tempDir();
    const model = fusionModel();
    await model.save(`file://${dir}`);
    const reloaded = await tfl.loadLayersModel(
      `file://${join(dir, 'model.json')}`,
    );
    expectClose(
      reloaded.predict(xs()) as tf.Tensor,
      model.predict(xs()) as tf.Tensor,
      {
        atol: 0,
        rtol: 0,
      },
    );
  });

  it('keeps the optimizer-free training config and reloads a trained model', async () => {
    const dir = await tempDir();
    const model = fusionModel();
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
    await model.trainOnBatch(xs(), tf.zeros([3, 2]));
    await model.save(fileSystem(dir));
    const reloaded = await loadModel(join(dir, 'model.json'));
    expectClose(
      reloaded.predict(xs()) as tf.Tensor,
      model.predict(xs()) as tf.Tensor,
      {
        atol: 0,
        rtol: 0,
      },
    );
  });

  it('says which file is missing or malformed', async () => {
    const dir = await tempDir();
    await expect(loadModel(dir)).rejects.toThrow(
      /cannot read the model file '.*model\.json'/,
    );
    await writeFile(join(dir, 'model.json'), '{"format": 1}');
    await expect(loadModel(dir)).rejects.toThrow(
      /is not a tfjs model\.json: expected modelTopology and weightsManifest, received keys \[format\]/,
    );
    await writeFile(join(dir, 'model.json'), '{nope');
    await expect(loadModel(dir)).rejects.toThrow(/is not valid JSON/);
    expect(() => fileSystem('')).toThrow(/expected a non-empty path/);
  });
});

describe('Node file IO, damaged files', () => {
  it('names a missing or truncated weights file and leaves no tensors behind', async () => {
    const dir = await tempDir();
    await saveModel(fusionModel(), dir);
    const weights = join(dir, 'weights.bin');
    const bytes = await readFile(weights);
    await writeFile(weights, bytes.subarray(0, bytes.length - 40));
    const before = tf.memory().numTensors;
    await expect(loadModel(dir)).rejects.toThrow(
      /weights in '.*weights\.bin' hold \d+ bytes, but '.*model\.json' describes \d+ bytes/,
    );
    expect(tf.memory().numTensors).toBe(before);
    await rm(weights);
    await expect(loadModel(dir)).rejects.toThrow(
      /cannot read the weights file '.*weights\.bin' that '.*model\.json' lists/,
    );
  });
});

describe('Node file IO, metadata', () => {
  it('carries a fitted scaler in the model metadata through save and load', async () => {
    const { StandardScaler } = await import('../../src/data/scaler');
    const dir = await tempDir();
    const model = fusionModel();
    const scaler = new StandardScaler().fit([
      [1, 2],
      [3, 6],
      [5, 4],
    ]);
    model.setUserDefinedMetadata({ scaler: scaler.toJSON() });
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    const meta = loaded.getUserDefinedMetadata() as {
      scaler: ReturnType<typeof scaler.toJSON>;
    };
    const again = StandardScaler.fromJSON(meta.scaler);
    expect(Array.from(again.transform([[2, 3]]))).toEqual(
      Array.from(scaler.transform([[2, 3]])),
    );
  });
});
