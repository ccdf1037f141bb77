import { describe, expect, it } from 'vitest';

import { readDoc, typeCheck } from './snippets';

/**
 * The short `ts` fragments of the guides that are not part of a runnable
 * section. Each one continues a story the guide tells (a model, data or
 * a trained object from the text around it), so it cannot run alone; it
 * is type-checked against the sources with that context declared, which
 * catches a renamed export, option or argument. The runnable sections are
 * run by the other tests of this folder.
 */
const CONTEXT: Record<string, { count: number; preamble: string }> = {
  'docs/guides/colearning.md': {
    count: 4,
    preamble: `
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  CoTraining,
  buildModel,
  fineTune,
  fitDistillation,
  freezeLayers,
  lstmEncoder,
  mlpEncoder,
  predictBatched,
  unfreezeLayers,
  type CoTrainingData,
  type CoTrainingView,
} from 'modalfuse';
declare const co: CoTraining;
declare const views: Record<string, CoTrainingView>;
declare const encoder: tfl.layers.Layer;
declare const data: CoTrainingData;
declare const model: tfl.LayersModel;
declare const inputs: Record<string, tf.Tensor>;
declare const targets: tf.Tensor;
declare const priceModel: tfl.LayersModel;
declare const priceInputs: Record<string, tf.Tensor>;
declare const newsStudent: tfl.LayersModel;
declare const newsInputs: Record<string, tf.Tensor>;
`,
  },
  'docs/guides/data.md': {
    count: 1,
    preamble: `
import type * as tfl from '@tensorflow/tfjs-layers';
import { StandardScaler, type StandardScalerJSON } from 'modalfuse';
import { loadModel, saveModel } from 'modalfuse/node';
declare const model: tfl.LayersModel;
declare const scaler: StandardScaler;
`,
  },
  'docs/guides/saving-and-loading.md': {
    count: 1,
    preamble: `
import type * as tfl from '@tensorflow/tfjs-layers';
declare const model: tfl.LayersModel;
`,
  },
};

/** Sections whose ts blocks the other tests run. */
const RUNNABLE = ['Example', 'A runnable example', 'A first explanation'];

/** The ts blocks of a markdown text outside its runnable sections. */
function fragments(text: string): string[] {
  const sections = text.split(/\n(?=## )/);
  return sections
    .filter((s) => !RUNNABLE.some((h) => s.startsWith(`## ${h}\n`)))
    .flatMap((s) => [...s.matchAll(/```ts\n([\s\S]*?)```/g)])
    .map((m) => m[1]!);
}

/**
 * A fragment as a module: its own imports first, then the preamble, then
 * its statements inside an async function (fragments may `await`).
 */
function module(preamble: string, code: string): string {
  const imports: string[] = [];
  const body: string[] = [];
  let inImport = false;
  for (const line of code.split('\n')) {
    if (line.startsWith('import ') || inImport) {
      imports.push(line);
      inImport = !line.includes(' from ');
    } else {
      body.push(line);
    }
  }
  return (
    `${imports.join('\n')}\n${preamble}\n` +
    `export async function fragment(): Promise<void> {\n${body.join('\n')}\n}\n`
  );
}

describe('the fragments of the guides', () => {
  it('are all accounted for and type-check in their stated context', async () => {
    const files: Record<string, string> = {};
    for (const [path, { count, preamble }] of Object.entries(CONTEXT)) {
      const found = fragments(await readDoc(path));
      expect(
        found.length,
        `${path}: ts fragments outside runnable sections`,
      ).toBe(count);
      found.forEach((code, k) => {
        const name = `${path.replace(/^docs\/guides\//, '').replace(/\.md$/, '')}-${k}`;
        files[name] = module(preamble, code);
      });
    }
    expect(typeCheck(files)).toEqual([]);
  });

  it('exist only in the guides listed above', async () => {
    const { readdir } = await import('node:fs/promises');
    const guides = (
      await readdir(new URL('../../docs/guides/', import.meta.url))
    )
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/guides/${f}`);
    for (const path of guides) {
      if (path in CONTEXT) continue;
      expect(fragments(await readDoc(path)), path).toEqual([]);
    }
  });
});
